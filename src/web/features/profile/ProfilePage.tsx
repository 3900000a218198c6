import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, patch, post } from '../../api/client'
import { sessionKey, useSession } from '../../api/session'
import type { User } from '../../api/types'
import { applyLanguage, type Language } from '../../i18n'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { Page } from '../../ui/Page'

export function ProfilePage() {
  const { t } = useTranslation()
  const session = useSession()
  const user = session.data!.user
  return (
    <Page title={t('profile.title')} description={user.email}>
      <div className="profile-grid">
        <ProfileForm user={user} />
        <PasswordForm />
      </div>
    </Page>
  )
}

function ProfileForm({ user }: { user: User }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [name, setName] = useState(user.name)
  const [locale, setLocale] = useState<Language>(user.locale)
  const [status, setStatus] = useState(user.status)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      await patch('/api/v1/me', { name, locale, status })
      applyLanguage(locale)
      await qc.invalidateQueries({ queryKey: sessionKey })
      setSaved(true)
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form className="card" onSubmit={submit}>
      <h2>{t('profile.details')}</h2>
      {saved && <Alert kind="success">{t('common.saved')}</Alert>}
      <ErrorAlert error={error instanceof ApiError && error.fields.length ? null : error} />
      <TextField
        label={t('fields.name')}
        value={name}
        onChange={setName}
        error={error instanceof ApiError ? error.field('name') : undefined}
        dir="auto"
      />
      <SelectField
        label={t('profile.language')}
        value={locale}
        onChange={(v) => setLocale(v as Language)}
        options={[
          { value: 'en', label: 'English' },
          { value: 'ar', label: 'العربية' },
        ]}
      />
      <SelectField
        label={t('profile.availability')}
        value={status}
        onChange={(v) => setStatus(v as User['status'])}
        options={[
          { value: 'online', label: t('profile.online') },
          { value: 'away', label: t('profile.away') },
        ]}
      />
      <Button type="submit" variant="primary">
        {t('common.save')}
      </Button>
    </form>
  )
}

function PasswordForm() {
  const { t } = useTranslation()
  const [currentPassword, setCurrent] = useState('')
  const [newPassword, setNew] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      await post('/api/v1/me/password', { currentPassword, newPassword })
      setSaved(true)
      setCurrent('')
      setNew('')
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form className="card" onSubmit={submit}>
      <h2>{t('profile.changePassword')}</h2>
      {saved && <Alert kind="success">{t('profile.passwordChanged')}</Alert>}
      <ErrorAlert error={error instanceof ApiError && error.fields.length ? null : error} />
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
        error={error instanceof ApiError ? error.field('newPassword') : undefined}
        hint={t('fields.passwordHint')}
        autoComplete="new-password"
        dir="ltr"
      />
      <Button type="submit">{t('profile.changePassword')}</Button>
    </form>
  )
}
