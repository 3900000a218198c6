import { useTranslation } from 'react-i18next'
import type { Restrictions, Role } from '../../api/types'
import { Checkbox } from '../../ui/Field'

/** The restriction flags that apply to a role (rules 101–102, 106). */
export function RestrictionsEditor({
  role,
  value,
  onChange,
}: {
  role: Role
  value: Restrictions
  onChange: (r: Restrictions) => void
}) {
  const { t } = useTranslation()
  const set = <K extends keyof Restrictions>(k: K, v: Restrictions[K]) => onChange({ ...value, [k]: v })
  if (role === 'owner') return <p className="muted">{t('users.restrictions.none')}</p>
  if (role === 'manager') {
    return (
      <fieldset className="fieldset">
        <legend>{t('users.restrictions.title')}</legend>
        <Checkbox
          label={t('users.restrictions.restrictSettings')}
          checked={value.restrictSettings}
          onChange={(v) => set('restrictSettings', v)}
        />
        <Checkbox
          label={t('users.restrictions.restrictContactDelete')}
          checked={value.restrictContactDelete}
          onChange={(v) => set('restrictContactDelete', v)}
        />
        <Checkbox
          label={t('users.restrictions.restrictExport')}
          checked={value.restrictExport}
          onChange={(v) => set('restrictExport', v)}
        />
        <Checkbox
          label={t('users.restrictions.restrictIntegrations')}
          checked={value.restrictIntegrations}
          onChange={(v) => set('restrictIntegrations', v)}
        />
      </fieldset>
    )
  }
  return (
    <fieldset className="fieldset">
      <legend>{t('users.restrictions.title')}</legend>
      <div role="radiogroup" aria-label={t('users.restrictions.contactVisibility')} className="radio-group">
        <p className="radio-group-label">{t('users.restrictions.contactVisibility')}</p>
        {(['all', 'team', 'own'] as const).map((v) => (
          <label key={v} className="radio">
            <input
              type="radio"
              name="contactVisibility"
              checked={value.contactVisibility === v}
              onChange={() => set('contactVisibility', v)}
            />
            {t(`users.restrictions.visibility.${v}`)}
          </label>
        ))}
      </div>
      <Checkbox
        label={t('users.restrictions.hideShortcuts')}
        checked={value.hideShortcuts}
        onChange={(v) => set('hideShortcuts', v)}
      />
    </fieldset>
  )
}

/** One-line summary of a member's restrictions for the users table. */
export function useRestrictionSummary() {
  const { t } = useTranslation()
  return (r: Restrictions): string =>
    [
      r.restrictSettings && t('users.restrictions.short.settings'),
      r.restrictContactDelete && t('users.restrictions.short.contactDelete'),
      r.restrictExport && t('users.restrictions.short.export'),
      r.restrictIntegrations && t('users.restrictions.short.integrations'),
      r.contactVisibility !== 'all' && t(`users.restrictions.short.visibility_${r.contactVisibility}`),
      r.hideShortcuts && t('users.restrictions.short.shortcuts'),
    ]
      .filter(Boolean)
      .join(' · ')
}
