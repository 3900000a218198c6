import { useTranslation } from 'react-i18next'
import type { ContactField } from '../../api/types'
import { SelectField, TextField } from '../../ui/Field'

export type Filters = {
  q: string
  lifecycleStageId: string
  tagId: string
  inboxStatus: string
  blocked: string
  country: string
  language: string
  assigneeUserId: string
  cfKey: string
  cfValue: string
}
export const NO_FILTERS: Filters = {
  q: '',
  lifecycleStageId: '',
  tagId: '',
  inboxStatus: '',
  blocked: '',
  country: '',
  language: '',
  assigneeUserId: '',
  cfKey: '',
  cfValue: '',
}

/** Query string of the list and the export (rule 49: search is partial or exact by field; the rest are filters). */
export function filterParams(f: Filters): URLSearchParams {
  const p = new URLSearchParams()
  if (f.q.trim()) p.set('q', f.q.trim())
  if (f.lifecycleStageId) p.set('lifecycleStageId', f.lifecycleStageId)
  if (f.tagId) p.set('tagIds', f.tagId)
  if (f.inboxStatus) p.set('inboxStatus', f.inboxStatus)
  if (f.blocked) p.set('blocked', f.blocked)
  if (f.country.trim()) p.set('country', f.country.trim())
  if (f.language.trim()) p.set('language', f.language.trim())
  if (f.assigneeUserId) p.set('assigneeUserId', f.assigneeUserId)
  if (f.cfKey) p.append('cf', `${f.cfKey}:${f.cfValue}`)
  return p
}

export function CustomFieldFilter({
  fields,
  filters,
  set,
}: {
  fields: ContactField[]
  filters: Filters
  set: (k: keyof Filters) => (v: string) => void
}) {
  const { t } = useTranslation()
  if (fields.length === 0) return null
  return (
    <>
      <SelectField
        label={t('contacts.customFilter')}
        value={filters.cfKey}
        onChange={set('cfKey')}
        options={[
          { value: '', label: t('contacts.none') },
          ...fields.map((f) => ({ value: f.key, label: f.name })),
        ]}
      />
      {filters.cfKey && (
        <TextField
          label={t('contacts.customFilterValue')}
          hint={t('contacts.customFilterHint')}
          value={filters.cfValue}
          onChange={set('cfValue')}
          dir="auto"
        />
      )}
    </>
  )
}
