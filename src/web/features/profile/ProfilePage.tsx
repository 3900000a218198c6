import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { NOTIFICATION_KINDS } from '../../../shared/notification-prefs'
import { del, patch, post, putBytes } from '../../api/client'
import { sessionKey, useSession } from '../../api/session'
import type { Session, User } from '../../api/types'
import { applyLanguage, type Language } from '../../i18n'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { Avatar, Page } from '../../ui/Page'
import { askBrowserPermission, type BrowserPermission, browserPermission } from '../notifications/browser'

export function ProfilePage() {
  const { t } = useTranslation()
  const session = useSession()
  const user = session.data!.user
  return (
    <Page title={t('profile.title')} description={user.email}>
      <div className="profile-grid">
        <ProfileForm user={user} />
        <div className="profile-side">
          <AvatarCard user={user} />
          <PreferencesCard user={user} />
        </div>
        <NotificationPrefsCard user={user} />
        <PasswordForm />
      </div>
    </Page>
  )
}

/** The name; language and availability act at once (PreferencesCard). */
function ProfileForm({ user }: { user: User }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [name, setName] = useState(user.name)
  const save = useMutation({
    mutationFn: async () => {
      await patch('/api/v1/me', { name })
      await qc.invalidateQueries({ queryKey: sessionKey })
    },
  })
  const errors = formErrors(save.error)
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      <h2>{t('profile.details')}</h2>
      {save.isSuccess && <Alert kind="success">{t('common.saved')}</Alert>}
      <ErrorAlert error={errors.alert} />
      <TextField
        label={t('fields.name')}
        value={name}
        onChange={setName}
        error={errors.field('name')}
        dir="auto"
        autoComplete="name"
      />
      <Button type="submit" variant="primary">
        {t('common.save')}
      </Button>
    </form>
  )
}

/**
 * Saves one profile change at once and returns the user to show. The control shows the new value
 * within the click's event: the query cache tells its observers only after the event, and a
 * controlled input would snap back until then. A failure restores the server's value.
 */
function useSaveProfile(user: User) {
  const qc = useQueryClient()
  const [error, setError] = useState<unknown>(null)
  // What the user chose while saves are in flight; the session cache is the truth once they settle.
  const [pending, setPending] = useState<User | null>(null)
  const inFlight = useRef(0)
  const save = async (body: Record<string, unknown>, optimistic: (u: User) => User) => {
    setError(null)
    setPending((p) => optimistic(p ?? user))
    inFlight.current++
    // A session fetch already in flight (focus, reconnect) must not put the old value back.
    void qc.cancelQueries({ queryKey: sessionKey })
    qc.setQueryData<Session | null>(sessionKey, (s) => (s ? { ...s, user: optimistic(s.user) } : s))
    try {
      const updated = await patch<User>('/api/v1/me', body)
      qc.setQueryData<Session | null>(sessionKey, (s) => (s ? { ...s, user: updated } : s))
    } catch (err) {
      setError(err)
      await qc.invalidateQueries({ queryKey: sessionKey })
    } finally {
      if (--inFlight.current === 0) setPending(null)
    }
  }
  return { user: pending ?? user, save, error }
}

function PreferencesCard(props: { user: User }) {
  const { t } = useTranslation()
  const { user, save, error } = useSaveProfile(props.user)
  return (
    <section className="card" aria-labelledby="prefs-title">
      <h2 id="prefs-title">{t('profile.preferences')}</h2>
      <ErrorAlert error={error} />
      <SelectField
        label={t('profile.language')}
        value={user.locale}
        onChange={(v) => {
          // The UI and its direction switch now; the profile keeps the choice for every device.
          applyLanguage(v as Language)
          void save({ locale: v }, (u) => ({ ...u, locale: v as Language }))
        }}
        options={[
          { value: 'en', label: 'English' },
          { value: 'ar', label: 'العربية' },
        ]}
      />
      <fieldset className="fieldset">
        <legend className="radio-group-label">{t('profile.availability')}</legend>
        <div className="segmented">
          {(['online', 'away'] as const).map((s) => (
            <label key={s} className={`segment${user.status === s ? ' segment-on' : ''}`}>
              <input
                type="radio"
                name="availability"
                value={s}
                checked={user.status === s}
                onChange={() => void save({ status: s }, (u) => ({ ...u, status: s }))}
              />
              <span className={`presence-dot presence-${s}`} aria-hidden="true" />
              {t(`profile.${s}`)}
            </label>
          ))}
        </div>
        <p className="field-hint">{t('profile.availabilityHint')}</p>
      </fieldset>
    </section>
  )
}

function AvatarCard({ user }: { user: User }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const apply = async (action: () => Promise<User>) => {
    setError(null)
    setBusy(true)
    try {
      const updated = await action()
      qc.setQueryData<Session | null>(sessionKey, (s) => (s ? { ...s, user: updated } : s))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
      if (input.current) input.current.value = ''
    }
  }
  return (
    <section className="card" aria-labelledby="avatar-title">
      <h2 id="avatar-title">{t('profile.picture')}</h2>
      <ErrorAlert error={error} />
      <div className="avatar-row">
        <Avatar name={user.name} src={user.avatarUrl} size="large" />
        <div className="avatar-actions">
          <label className="btn btn-secondary file-button">
            {t('profile.uploadPicture')}
            <input
              ref={input}
              type="file"
              accept="image/png,image/jpeg,image/webp,image/gif"
              className="sr-only"
              disabled={busy}
              onChange={(e) => {
                const file = e.target.files?.[0]
                if (file) void apply(() => putBytes<User>('/api/v1/me/avatar', file))
              }}
            />
          </label>
          {user.avatarUrl && (
            <Button
              variant="ghost"
              busy={busy}
              onClick={() => void apply(() => del<User>('/api/v1/me/avatar'))}
            >
              {t('profile.removePicture')}
            </Button>
          )}
          <p className="field-hint">{t('profile.pictureHint')}</p>
        </div>
      </div>
    </section>
  )
}

function NotificationPrefsCard(props: { user: User }) {
  const { t } = useTranslation()
  const { user, save, error } = useSaveProfile(props.user)
  const [permission, setPermission] = useState<BrowserPermission>(browserPermission)
  return (
    <section className="card" aria-labelledby="notif-prefs-title">
      <h2 id="notif-prefs-title">{t('profile.notifications')}</h2>
      <ErrorAlert error={error} />
      <table className="table prefs-table">
        <thead>
          <tr>
            <th scope="col">{t('profile.notificationKind')}</th>
            <th scope="col">{t('profile.inApp')}</th>
            <th scope="col">{t('profile.browser')}</th>
          </tr>
        </thead>
        <tbody>
          {NOTIFICATION_KINDS.map((kind) => (
            <tr key={kind}>
              <th scope="row">{t(`profile.kind.${kind}`)}</th>
              {(['inApp', 'browser'] as const).map((channel) => (
                <td key={channel}>
                  <input
                    type="checkbox"
                    aria-label={`${t(`profile.kind.${kind}`)}: ${t(`profile.${channel}`)}`}
                    checked={user.notificationPrefs[kind][channel]}
                    onChange={(e) => {
                      const on = e.target.checked
                      void save({ notificationPrefs: { [kind]: { [channel]: on } } }, (u) => ({
                        ...u,
                        notificationPrefs: {
                          ...u.notificationPrefs,
                          [kind]: { ...u.notificationPrefs[kind], [channel]: on },
                        },
                      }))
                    }}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="field-hint">{t('profile.noEmailYet')}</p>
      {permission === 'default' && (
        <Button onClick={() => void askBrowserPermission().then(setPermission)}>
          {t('notifications.enableBrowser')}
        </Button>
      )}
      {permission === 'denied' && <Alert kind="warning">{t('notifications.browserDenied')}</Alert>}
      {permission === 'granted' && <Alert kind="success">{t('notifications.browserOn')}</Alert>}
      {permission === 'unsupported' && <Alert kind="info">{t('notifications.browserUnsupported')}</Alert>}
    </section>
  )
}

function PasswordForm() {
  const { t } = useTranslation()
  const [currentPassword, setCurrent] = useState('')
  const [newPassword, setNew] = useState('')
  const save = useMutation({
    mutationFn: async () => {
      await post('/api/v1/me/password', { currentPassword, newPassword })
      setCurrent('')
      setNew('')
    },
  })
  const errors = formErrors(save.error)
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate()
      }}
    >
      <h2>{t('profile.changePassword')}</h2>
      {save.isSuccess && <Alert kind="success">{t('profile.passwordChanged')}</Alert>}
      <ErrorAlert error={errors.alert} />
      <TextField
        label={t('profile.currentPassword')}
        type="password"
        value={currentPassword}
        onChange={setCurrent}
        autoComplete="current-password"
        dir="ltr"
      />
      <TextField
        label={t('profile.newPassword')}
        type="password"
        value={newPassword}
        onChange={setNew}
        error={errors.field('newPassword')}
        hint={t('fields.passwordHint')}
        autoComplete="new-password"
        dir="ltr"
      />
      <Button type="submit">{t('profile.changePassword')}</Button>
    </form>
  )
}
