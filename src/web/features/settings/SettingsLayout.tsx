import { useTranslation } from 'react-i18next'
import { NavLink, Outlet, useOutletContext } from 'react-router'
import type { Capability, WorkspaceView } from '../../api/types'
import { Alert } from '../../ui/Alert'
import { SETTINGS_NAV } from '../shell/nav'

export function SettingsLayout() {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  if (!view.capabilities['settings.access']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label={t('nav.settings')}>
        <h2>{t('nav.settings')}</h2>
        <ul>
          {SETTINGS_NAV.filter((s) => view.capabilities[s.capability]).map((s) => (
            <li key={s.key}>
              <NavLink to={s.path} className="settings-link">
                {t(`settings.nav.${s.key}`)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-body">
        <Outlet context={view} />
      </div>
    </div>
  )
}

/** Renders children only when the member has the capability; otherwise says why. */
export function RequireCapability({
  capability,
  children,
}: {
  capability: Capability
  children: React.ReactNode
}) {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  if (!view.capabilities[capability]) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <>{children}</>
}
