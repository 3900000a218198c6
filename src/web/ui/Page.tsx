import type { ReactNode } from 'react'

export function Page({
  title,
  actions,
  children,
  description,
}: {
  title: string
  actions?: ReactNode
  description?: ReactNode
  children: ReactNode
}) {
  return (
    <section className="page">
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {description && <p className="page-description">{description}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  )
}

export function Loading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" />
    </div>
  )
}

export function Badge({
  children,
  tone = 'neutral',
}: {
  children: ReactNode
  tone?: 'neutral' | 'green' | 'amber' | 'red' | 'blue'
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>
}

export function Avatar({ name, src, size }: { name: string; src?: string | null; size?: 'large' }) {
  if (src) return <img className={`avatar${size ? ` avatar-${size}` : ''}`} src={src} alt="" />
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0])
    .join('')
  return (
    <span className={`avatar${size ? ` avatar-${size}` : ''}`} aria-hidden="true">
      {initials || '?'}
    </span>
  )
}
