import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { Navigate, NavLink, Outlet, useNavigate, useParams } from 'react-router'
import { post } from '../../api/client'
import { sessionKey, useSession, useWorkspace } from '../../api/session'
import type { WorkspaceView } from '../../api/types'
import { ErrorAlert } from '../../ui/Alert'
import { LanguageSwitch } from '../../ui/LanguageSwitch'
import { Avatar, Badge, Loading } from '../../ui/Page'
import { NAV, SETTINGS_NAV } from './nav'

function Icon({ d }: { d: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="20"
      height="20"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={d} />
    </svg>
  )
}

/** Where a member lands in a workspace: the first module they may open. */
export function homePath(view: WorkspaceView): string {
  const first = NAV.find((n) => n.available && n.landing !== false && view.capabilities[n.capability])
  if (first?.key === 'settings') {
    const page = SETTINGS_NAV.find((s) => view.capabilities[s.capability])
    return page ? `settings/${page.path}` : 'profile'
  }
  return first ? first.key : 'profile'
}

export function Shell() {
  const { t } = useTranslation()
  const params = useParams()
  const workspaceId = Number(params.workspaceId)
  const session = useSession()
  const workspace = useWorkspace(workspaceId)
  const qc = useQueryClient()
  const navigate = useNavigate()

  if (session.isLoading || workspace.isLoading) return <Loading />
  if (!session.data) return <Navigate to="/login" replace />
  if (workspace.error)
    return (
      <div className="page">
        <ErrorAlert error={workspace.error} />
      </div>
    )
  const view = workspace.data!
  const signOut = async () => {
    await post('/api/v1/auth/logout')
    qc.clear()
    qc.setQueryData(sessionKey, null)
    navigate('/login', { replace: true })
  }
  const items = NAV.filter((n) => view.capabilities[n.capability])
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        {t('shell.skipToContent')}
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span>{t('app.name')}</span>
        </div>
        <nav aria-label={t('shell.mainNavigation')}>
          <ul>
            {items.map((item) =>
              item.available ? (
                <li key={item.key}>
                  <NavLink to={`/w/${workspaceId}/${item.key}`} className="nav-item" data-nav={item.key}>
                    <Icon d={item.icon} />
                    <span>{t(`nav.${item.key}`)}</span>
                  </NavLink>
                </li>
              ) : (
                <li key={item.key}>
                  <span
                    className="nav-item nav-item-disabled"
                    aria-disabled="true"
                    data-nav={item.key}
                    title={t('shell.notYetAvailable')}
                  >
                    <Icon d={item.icon} />
                    <span>{t(`nav.${item.key}`)}</span>
                    <Badge>{t('shell.soon')}</Badge>
                  </span>
                </li>
              ),
            )}
          </ul>
        </nav>
      </aside>
      <div className="main-col">
        <header className="topbar">
          <div className="workspace-name">
            {session.data.workspaces.length > 1 ? (
              <select
                aria-label={t('shell.switchWorkspace')}
                value={workspaceId}
                onChange={(e) => navigate(`/w/${e.target.value}`)}
              >
                {session.data.workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            ) : (
              <strong dir="auto">{view.workspace.name}</strong>
            )}
            <Badge tone="blue">{t(`roles.${view.membership.role}`)}</Badge>
          </div>
          <div className="topbar-actions">
            <LanguageSwitch signedIn />
            <NavLink to={`/w/${workspaceId}/profile`} className="user-chip" aria-label={t('nav.profile')}>
              <Avatar name={session.data.user.name} />
              <span dir="auto">{session.data.user.name}</span>
            </NavLink>
            <button type="button" className="btn btn-ghost" onClick={signOut}>
              {t('shell.signOut')}
            </button>
          </div>
        </header>
        <main id="main" className="content">
          <Outlet context={view} />
        </main>
      </div>
    </div>
  )
}
