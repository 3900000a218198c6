import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { ApiError, post } from '../../api/client'
import { sessionKey } from '../../api/session'
import type { Role, User } from '../../api/types'
import { applyLanguage, formatDateTime, type Language } from '../../i18n'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { TextField } from '../../ui/Field'
import { Loading } from '../../ui/Page'
import { AuthLayout } from './AuthLayout'

type Lookup = {
  email: string
  role: Role
  workspaceName: string
  invitedByName: string | null
  expiresAt: string
  existingUser: boolean
}

/** The invitation token arrives in the URL fragment (#token=…), which never reaches a server log. */
export function AcceptInvitePage() {
  const { t, i18n } = useTranslation()
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? ''
  const qc = useQueryClient()
  const navigate = useNavigate()
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const lookup = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => post<Lookup>('/api/v1/invitations/lookup', { token }),
    enabled: token.length > 0,
    retry: false,
  })

  if (!token) {
    return (
      <AuthLayout title={t('invite.title')}>
        <Alert kind="error">{t('errors.not_found_invitation')}</Alert>
      </AuthLayout>
    )
  }
  if (lookup.isLoading) return <Loading />
  if (lookup.error) {
    const code = lookup.error instanceof ApiError ? lookup.error.code : ''
    return (
      <AuthLayout title={t('invite.title')}>
        <Alert kind="error">
          {t(`errors.${code === 'not_found' ? 'not_found_invitation' : code}`, {
            defaultValue: t('errors.unexpected'),
          })}
        </Alert>
        <p>
          <Link to="/login">{t('login.title')}</Link>
        </p>
      </AuthLayout>
    )
  }
  const info = lookup.data!
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const res = await post<{ user: User; workspaceId: number }>('/api/v1/invitations/accept', {
        token,
        password,
        locale: i18n.language as Language,
        ...(info.existingUser ? {} : { name }),
      })
      applyLanguage(res.user.locale)
      await qc.invalidateQueries({ queryKey: sessionKey })
      navigate(`/w/${res.workspaceId}`, { replace: true })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const errors = formErrors(error)
  return (
    <AuthLayout
      title={t('invite.title')}
      subtitle={t('invite.subtitle', {
        inviter: info.invitedByName ?? t('invite.aTeammate'),
        workspace: info.workspaceName,
        role: t(`roles.${info.role}`),
      })}
    >
      <form onSubmit={submit} noValidate>
        <p className="muted">
          {t('invite.expires', { date: formatDateTime(info.expiresAt, i18n.language) })}
        </p>
        <ErrorAlert error={errors.alert} />
        <TextField label={t('fields.email')} value={info.email} onChange={() => {}} readOnly dir="ltr" />
        {!info.existingUser && (
          <TextField
            label={t('fields.name')}
            value={name}
            onChange={setName}
            error={errors.field('name')}
            required
            autoFocus
            autoComplete="name"
          />
        )}
        <TextField
          label={info.existingUser ? t('invite.currentPassword') : t('invite.choosePassword')}
          type="password"
          value={password}
          onChange={setPassword}
          error={errors.field('password')}
          hint={info.existingUser ? undefined : t('fields.passwordHint')}
          required
          autoComplete={info.existingUser ? 'current-password' : 'new-password'}
          dir="ltr"
        />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t('invite.accept')}
        </Button>
      </form>
    </AuthLayout>
  )
}
