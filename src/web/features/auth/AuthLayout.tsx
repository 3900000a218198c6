import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { LanguageSwitch } from '../../ui/LanguageSwitch'

export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string
  subtitle?: ReactNode
  children: ReactNode
}) {
  const { t } = useTranslation()
  return (
    <main className="auth">
      <div className="auth-top">
        <span className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          {t('app.name')}
        </span>
        <LanguageSwitch signedIn={false} />
      </div>
      <div className="auth-card">
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
        {children}
      </div>
    </main>
  )
}
