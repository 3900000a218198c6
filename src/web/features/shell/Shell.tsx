import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router'
import { post } from '../../api/client'
import { sessionKey, useSession, useWorkspace } from '../../api/session'
import type { Session, WorkspaceView } from '../../api/types'
import { applyLanguage } from '../../i18n'
import { ErrorAlert } from '../../ui/Alert'
import { LanguageSwitch } from '../../ui/LanguageSwitch'
import { Avatar, Badge, Loading } from '../../ui/Page'
import { NotificationBell } from '../notifications/NotificationBell'
import { useActorNames } from '../notifications/useActorNames'
import { useNotificationsLive } from '../notifications/useNotificationsLive'
import { Icon, MENU_ICON } from './Icon'
import { NAV, SETTINGS_NAV } from './nav'
import { RealtimeConnection, RealtimeContext, useRealtimeStatus } from './realtime'

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
  const params = useParams()
  const workspaceId = Number(params.workspaceId)
  const session = useSession()
  const workspace = useWorkspace(workspaceId)
  const qc = useQueryClient()
  const [connection, setConnection] = useState<RealtimeConnection | null>(null)
  const signedIn = Boolean(session.data)

  // One realtime socket per tab and workspace (docs/realtime.md), shared by the bell and the inbox.
  useEffect(() => {
    if (!signedIn || !Number.isFinite(workspaceId)) return
    const c = new RealtimeConnection(workspaceId, () => void qc.invalidateQueries({ queryKey: sessionKey }))
    c.start()
    setConnection(c)
    return () => c.stop()
  }, [signedIn, workspaceId, qc])

  // The language is stored in the profile: another device's choice wins over this browser's.
  const locale = session.data?.user.locale
  useEffect(() => {
    if (locale) applyLanguage(locale)
  }, [locale])

  if (session.isLoading || workspace.isLoading) return <Loading />
  if (!session.data) return <Navigate to="/login" replace />
  if (workspace.error)
    return (
      <div className="page">
        <ErrorAlert error={workspace.error} />
      </div>
    )
  return (
    <RealtimeContext.Provider value={connection}>
      <ShellLayout session={session.data} view={workspace.data!} workspaceId={workspaceId} />
    </RealtimeContext.Provider>
  )
}

function ShellLayout({
  session,
  view,
  workspaceId,
}: {
  session: Session
  view: WorkspaceView
  workspaceId: number
}) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const navigate = useNavigate()
  const location = useLocation()
  const [menuOpen, setMenuOpen] = useState(false)
  const names = useActorNames(workspaceId, view.capabilities['inbox.view'])
  useNotificationsLive(workspaceId, session.user, names)

  // A followed link closes the phone menu.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only
  useEffect(() => setMenuOpen(false), [location.pathname])

  const signOut = async () => {
    await post('/api/v1/auth/logout')
    qc.clear()
    qc.setQueryData(sessionKey, null)
    navigate('/login', { replace: true })
  }
  const items = NAV.filter((n) => view.capabilities[n.capability])
  const user = session.user
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
        <nav aria-label={t('shell.mainNavigation')} className="main-nav">
          <ul>
            {items.map((item) =>
              item.available ? (
                <li key={item.key}>
                  <NavLink to={`/w/${workspaceId}/${item.key}`} className="nav-item" data-nav={item.key}>
                    <Icon d={item.icon} />
                    <span className="nav-label">{t(`nav.${item.key}`)}</span>
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
                    <span className="nav-label">{t(`nav.${item.key}`)}</span>
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
            <img className="topbar-logo" src="/favicon.svg" alt="" width={26} height={26} />
            {session.workspaces.length > 1 ? (
              <select
                aria-label={t('shell.switchWorkspace')}
                value={workspaceId}
                onChange={(e) => navigate(`/w/${e.target.value}`)}
              >
                {session.workspaces.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            ) : (
              <strong dir="auto">{view.workspace.name}</strong>
            )}
            <span className="role-badge">
              <Badge tone="blue">{t(`roles.${view.membership.role}`)}</Badge>
            </span>
          </div>
          <div className="topbar-actions">
            <NotificationBell workspaceId={workspaceId} names={names} />
            <span className="desktop-only">
              <LanguageSwitch signedIn />
            </span>
            <NavLink to={`/w/${workspaceId}/profile`} className="user-chip" aria-label={t('nav.profile')}>
              <Avatar name={user.name} src={user.avatarUrl} />
              <span className="user-name desktop-only" dir="auto">
                {user.name}
              </span>
              <span className={`presence-dot presence-${user.status}`} aria-hidden="true" />
            </NavLink>
            <button type="button" className="btn btn-ghost desktop-only" onClick={signOut}>
              {t('shell.signOut')}
            </button>
            <button
              type="button"
              className="icon-btn menu-button"
              aria-expanded={menuOpen}
              aria-controls="shell-menu"
              aria-label={t('shell.menu')}
              onClick={() => setMenuOpen((o) => !o)}
            >
              <Icon d={MENU_ICON} />
            </button>
          </div>
        </header>
        {menuOpen && (
          <nav id="shell-menu" className="mobile-menu mobile-only" aria-label={t('shell.menu')}>
            <ul>
              <li>
                <NavLink to={`/w/${workspaceId}/profile`} className="mobile-menu-item">
                  {t('nav.profile')}
                </NavLink>
              </li>
              {items
                .filter((i) => i.available)
                .map((item) => (
                  <li key={item.key}>
                    <NavLink to={`/w/${workspaceId}/${item.key}`} className="mobile-menu-item">
                      {t(`nav.${item.key}`)}
                    </NavLink>
                  </li>
                ))}
              <li>
                <LanguageSwitch signedIn onSwitch={() => setMenuOpen(false)} />
              </li>
              <li>
                <button type="button" className="btn btn-ghost mobile-menu-item" onClick={signOut}>
                  {t('shell.signOut')}
                </button>
              </li>
            </ul>
          </nav>
        )}
        <ConnectionBanner />
        <main id="main" className="content" tabIndex={-1}>
          <Outlet context={view} />
        </main>
      </div>
    </div>
  )
}

/** Realtime that silently breaks is worse than saying so: a quiet line while the socket reconnects. */
function ConnectionBanner() {
  const { t } = useTranslation()
  const status = useRealtimeStatus()
  return (
    <div className="connection-banner" role="status" aria-live="polite">
      {status === 'down' ? t('shell.reconnecting') : null}
    </div>
  )
}
