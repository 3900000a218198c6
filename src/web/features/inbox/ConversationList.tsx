import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorAlert } from '../../ui/Alert'
import { Avatar } from '../../ui/Page'
import type { InboxPage, InboxRow, InboxSort, InboxStatus, InboxViews } from './api'
import { relativeTime } from './format'
import { usePrefetchConversation } from './useThread'

type Props = {
  ws: number
  views: InboxViews | undefined
  viewsError: unknown
  current: string
  status: InboxStatus
  sort: InboxSort
  setFilter: (name: 'view' | 'status' | 'sort', value: string) => void
  list: UseInfiniteQueryResult<InfiniteData<InboxPage>>
  rows: InboxRow[]
  selected: number | null
  onOpen: (contactId: number) => void
}

export function ConversationList(p: Props) {
  const { t, i18n } = useTranslation()
  const sentinel = useRef<HTMLLIElement>(null)
  const prefetch = usePrefetchConversation(p.ws)
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = p.list
  // Infinite scroll over the keyset pages: load the next page when the last row comes into view.
  useEffect(() => {
    const el = sentinel.current
    if (!el || !hasNextPage) return
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage()
    })
    io.observe(el)
    return () => io.disconnect()
  }, [hasNextPage, isFetchingNextPage, fetchNextPage])

  const viewOptions = [
    ...(p.views?.standard ?? []).map((v) => ({ ...v, label: t(`inbox.views.${v.view}`) })),
    ...(p.views?.teams ?? []).map((v) => ({ ...v, label: v.name })),
    ...(p.views?.custom.all ?? []).map((v) => ({ view: v.view, unread: null, dot: false, label: v.name })),
    ...(p.views?.blocked
      ? [{ view: 'blocked', unread: null, dot: false, label: t('inbox.views.blocked') }]
      : []),
  ]
  const dot = viewOptions.some((v) => v.dot && v.view !== p.current)
  return (
    <section className="inbox-list" aria-label={t('inbox.conversations')}>
      <div className="inbox-filters">
        <nav className="inbox-views" aria-label={t('inbox.viewsLabel')}>
          {viewOptions.map((v) => (
            <button
              key={v.view}
              type="button"
              className={`inbox-view${v.view === p.current ? ' active' : ''}`}
              aria-pressed={v.view === p.current}
              onClick={() => p.setFilter('view', v.view)}
              data-view={v.view}
            >
              <span dir="auto">{v.label}</span>
              {v.unread ? <span className="count">{v.unread.toLocaleString(i18n.language)}</span> : null}
              {v.dot && <span className="dot" role="img" aria-label={t('inbox.newMessages')} />}
            </button>
          ))}
        </nav>
        {dot && <span className="sr-only">{t('inbox.newMessagesElsewhere')}</span>}
        <div className="inbox-selects">
          <select
            aria-label={t('inbox.statusFilter')}
            value={p.status}
            onChange={(e) => p.setFilter('status', e.target.value)}
            disabled={p.current === 'blocked'}
          >
            {(['open', 'snoozed', 'closed'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`inbox.status.${s}`)}
              </option>
            ))}
          </select>
          <select
            aria-label={t('inbox.sort')}
            value={p.sort}
            onChange={(e) => p.setFilter('sort', e.target.value)}
          >
            <option value="newest">{t('inbox.sortNewest')}</option>
            <option value="oldest">{t('inbox.sortOldest')}</option>
          </select>
        </div>
      </div>
      <ErrorAlert error={p.viewsError ?? p.list.error} />
      <ul className="inbox-rows">
        {p.rows.map((r) => (
          <li key={r.contactId}>
            <button
              type="button"
              className={`inbox-row${r.contactId === p.selected ? ' selected' : ''}${r.unread ? ' unread' : ''}`}
              aria-current={r.contactId === p.selected ? 'true' : undefined}
              onClick={() => p.onOpen(r.contactId)}
              onPointerEnter={() => prefetch(r.contactId)}
              onFocus={() => prefetch(r.contactId)}
              data-contact={r.contactId}
            >
              <Avatar name={r.displayName} />
              <span className="inbox-row-main">
                <span className="inbox-row-top">
                  <strong dir="auto" className="inbox-row-name">
                    {r.displayName}
                  </strong>
                  <time dateTime={r.lastMessageAt ?? undefined} className="muted">
                    {relativeTime(r.lastMessageAt, i18n.language)}
                  </time>
                </span>
                <span className="inbox-row-preview muted" dir="auto">
                  {r.direction === 'out' ? `${t('inbox.you')}: ` : ''}
                  {r.preview ?? ''}
                </span>
              </span>
              {r.unread && <span className="dot" role="img" aria-label={t('inbox.unread')} />}
            </button>
          </li>
        ))}
        {p.list.isSuccess && p.rows.length === 0 && (
          <li className="muted inbox-none">{t('inbox.noConversations')}</li>
        )}
        <li ref={sentinel} aria-hidden="true" className="inbox-sentinel">
          {(p.list.isFetchingNextPage || p.list.isLoading) && <span className="spinner" />}
        </li>
      </ul>
    </section>
  )
}
