import { useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { notificationHref, useMarkRead, useNotifications } from './api'
import { askBrowserPermission, type BrowserPermission, browserPermission } from './browser'
import { describeNotification, readableMentions } from './describe'
import { relativeTime } from './relativeTime'

const BELL = 'M6 8a6 6 0 1 1 12 0c0 7 3 8 3 8H3s3-1 3-8m4.3 12a2 2 0 0 0 3.4 0'

/** The bell in the top bar: unread count, the latest mentions and assignments, mark read. */
export function NotificationBell({
  workspaceId,
  names,
}: {
  workspaceId: number
  names: Map<number, string>
}) {
  const { t, i18n } = useTranslation()
  const [open, setOpen] = useState(false)
  const [permission, setPermission] = useState<BrowserPermission>(browserPermission)
  const list = useNotifications(workspaceId)
  const markRead = useMarkRead(workspaceId)
  const panelId = useId()
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const unread = list.data?.unreadCount ?? 0
  const count = new Intl.NumberFormat(i18n.language).format(unread)

  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false)
        button.current?.focus()
      }
    }
    const onClick = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('keydown', onKey)
    document.addEventListener('mousedown', onClick)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('mousedown', onClick)
    }
  }, [open])

  return (
    <div className="bell" ref={root}>
      <button
        ref={button}
        type="button"
        className="icon-btn bell-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread ? t('notifications.bellUnread', { count: unread }) : t('notifications.title')}
        onClick={() => setOpen((o) => !o)}
        data-testid="notification-bell"
      >
        <svg
          viewBox="0 0 24 24"
          width="20"
          height="20"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          aria-hidden="true"
        >
          <path d={BELL} strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true" data-testid="notification-count">
            {count}
          </span>
        )}
      </button>
      {open && (
        <section id={panelId} className="bell-panel" aria-label={t('notifications.title')}>
          <header className="bell-header">
            <h2>{t('notifications.title')}</h2>
            <button
              type="button"
              className="btn btn-ghost"
              disabled={unread === 0}
              onClick={() => void markRead({ all: true })}
            >
              {t('notifications.markAllRead')}
            </button>
          </header>
          {permission === 'default' && (
            <div className="bell-browser">
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => void askBrowserPermission().then(setPermission)}
              >
                {t('notifications.enableBrowser')}
              </button>
            </div>
          )}
          {list.data?.notifications.length === 0 && (
            <p className="bell-empty muted">{t('notifications.empty')}</p>
          )}
          <ul className="bell-list">
            {list.data?.notifications.map((n) => {
              const href = notificationHref(workspaceId, n)
              const text = (
                <>
                  <span className="bell-title">{describeNotification(t, n, names)}</span>
                  <span className="bell-contact" dir="auto">
                    {n.contact?.displayName ?? t('notifications.deletedContact')}
                  </span>
                  {n.comment && (
                    <span className="bell-excerpt" dir="auto">
                      {readableMentions(n.comment.excerpt, names)}
                    </span>
                  )}
                  <time
                    className="bell-time muted"
                    dateTime={n.createdAt}
                    title={new Date(n.createdAt).toLocaleString(i18n.language)}
                  >
                    {relativeTime(n.createdAt, i18n.language)}
                  </time>
                </>
              )
              return (
                <li
                  key={n.id}
                  className={n.read ? 'bell-item' : 'bell-item bell-unread'}
                  data-notification-id={n.id}
                >
                  {!n.read && <span className="sr-only">{t('notifications.unread')}</span>}
                  {href ? (
                    <Link
                      to={href}
                      className="bell-link"
                      onClick={() => {
                        setOpen(false)
                        if (!n.read) void markRead({ ids: [n.id] })
                      }}
                    >
                      {text}
                    </Link>
                  ) : (
                    <div className="bell-link">{text}</div>
                  )}
                  {!n.read && (
                    <button
                      type="button"
                      className="btn btn-ghost bell-mark"
                      onClick={() => void markRead({ ids: [n.id] })}
                    >
                      {t('notifications.markRead')}
                    </button>
                  )}
                </li>
              )
            })}
          </ul>
        </section>
      )}
    </div>
  )
}
