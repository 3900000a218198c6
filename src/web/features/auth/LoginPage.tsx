import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useNavigate } from 'react-router'
import { post } from '../../api/client'
import { sessionKey, useSession, useSetupStatus } from '../../api/session'
import type { Session } from '../../api/types'
import { applyLanguage } from '../../i18n'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { TextField } from '../../ui/Field'
import { Loading } from '../../ui/Page'
import { AuthLayout } from './AuthLayout'

export function LoginPage() {
  const { t } = useTranslation()
  const session = useSession()
  const setup = useSetupStatus()
  const qc = useQueryClient()
  const navigate = useNavigate()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  if (session.isLoading || setup.isLoading) return <Loading />
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />
  if (session.data) return <Navigate to="/" replace />

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const s = await post<Session>('/api/v1/auth/login', { email, password })
      applyLanguage(s.user.locale)
      qc.setQueryData(sessionKey, s)
      navigate('/', { replace: true })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <AuthLayout title={t('login.title')} subtitle={t('login.subtitle')}>
      <form onSubmit={submit}>
        <ErrorAlert error={error} />
        <TextField
          label={t('fields.email')}
          type="email"
          value={email}
          onChange={setEmail}
          required
          autoFocus
          autoComplete="email"
          dir="ltr"
        />
        <TextField
          label={t('fields.password')}
          type="password"
          value={password}
          onChange={setPassword}
          required
          autoComplete="current-password"
          dir="ltr"
        />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t('login.submit')}
        </Button>
      </form>
    </AuthLayout>
  )
}
