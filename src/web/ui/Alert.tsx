import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../api/client'

export function Alert({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'error' | 'success' | 'warning'
  children: ReactNode
}) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  )
}

/** Shows an API error in the user's language where we know the code, else the server's message. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation()
  if (!error) return null
  if (error instanceof ApiError) {
    if (error.code === 'network') return <Alert kind="error">{t('errors.network')}</Alert>
    const key = `errors.${error.code}`
    const known = t(key, { defaultValue: '' })
    return <Alert kind="error">{known || error.message}</Alert>
  }
  return <Alert kind="error">{t('errors.unexpected')}</Alert>
}

/** Splits an error between the form fields the server named and the alert above the form. */
export function formErrors(error: unknown) {
  const api = error instanceof ApiError ? error : undefined
  return {
    alert: api?.fields.length ? null : error,
    field: (name: string) => api?.field(name),
  }
}
