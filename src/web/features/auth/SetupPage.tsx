import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, useNavigate } from 'react-router'
import { post } from '../../api/client'
import { sessionKey, useSetupStatus } from '../../api/session'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { Loading } from '../../ui/Page'
import { AuthLayout } from './AuthLayout'

const guessTimezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'

export function SetupPage() {
  const { t, i18n } = useTranslation()
  const status = useSetupStatus()
  const qc = useQueryClient()
  const navigate = useNavigate()
  const [form, setForm] = useState({
    organizationName: '',
    workspaceName: '',
    name: '',
    email: '',
    password: '',
  })
  const [timezone, setTimezone] = useState(guessTimezone)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  if (status.isLoading) return <Loading />
  if (status.data && !status.data.needsSetup) return <Navigate to="/login" replace />

  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }))
  const errors = formErrors(error)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const res = await post<{ workspaceId: number }>('/api/v1/setup', {
        ...form,
        timezone,
        language: i18n.language,
      })
      await qc.invalidateQueries({ queryKey: sessionKey })
      await qc.invalidateQueries({ queryKey: ['setup'] })
      navigate(`/w/${res.workspaceId}`, { replace: true })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <AuthLayout title={t('setup.title')} subtitle={t('setup.subtitle')}>
      <form onSubmit={submit} noValidate>
        <ErrorAlert error={errors.alert} />
        <TextField
          label={t('setup.organizationName')}
          value={form.organizationName}
          onChange={set('organizationName')}
          error={errors.field('organizationName')}
          required
          autoFocus
        />
        <TextField
          label={t('setup.workspaceName')}
          value={form.workspaceName}
          onChange={set('workspaceName')}
          error={errors.field('workspaceName')}
          required
        />
        <TextField
          label={t('fields.name')}
          value={form.name}
          onChange={set('name')}
          error={errors.field('name')}
          required
          autoComplete="name"
        />
        <TextField
          label={t('fields.email')}
          type="email"
          value={form.email}
          onChange={set('email')}
          error={errors.field('email')}
          required
          autoComplete="email"
          dir="ltr"
        />
        <TextField
          label={t('fields.password')}
          type="password"
          value={form.password}
          onChange={set('password')}
          error={errors.field('password')}
          hint={t('fields.passwordHint')}
          required
          autoComplete="new-password"
          dir="ltr"
        />
        <SelectField
          label={t('settings.general.timezone')}
          value={timezone}
          onChange={setTimezone}
          options={timezoneOptions(timezone)}
        />
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t('setup.submit')}
        </Button>
      </form>
    </AuthLayout>
  )
}

export function timezoneOptions(current: string): { value: string; label: string }[] {
  const zones: string[] =
    (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? []
  const all = zones.includes(current) ? zones : [current, ...zones]
  return (all.includes('UTC') ? all : ['UTC', ...all]).map((z) => ({ value: z, label: z.replace(/_/g, ' ') }))
}
