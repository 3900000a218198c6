import { setPageTitle } from '../../ui/documentTitle'
import './inbox.css'
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate, useOutletContext, useParams, useSearchParams } from 'react-router'
import { defaultInboxView } from '../../../shared/permissions'
import { get } from '../../api/client'
import { useSession } from '../../api/session'
import type { WorkspaceView } from '../../api/types'
import { Alert } from '../../ui/Alert'
import type { RealtimeStatus } from '../shell/realtime'
import { fetchInboxPage, type InboxSort, type InboxStatus, type InboxViews, keys, paneLists } from './api'
import { ContactPanel } from './ContactPanel'
import { ConversationList } from './ConversationList'
import { Thread } from './Thread'
import { useInboxShortcuts } from './useInboxShortcuts'
import { useRealtime } from './useRealtime'
import { useConversationLoaded, usePrefetchConversation } from './useThread'

export type InboxDialog = 'assign' | 'assignMe' | 'close' | 'snooze' | null

/** Issue 6: the agent inbox — list, conversation and contact as three panes (stacked on phones). */
export function InboxPage() {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  const session = useSession()
  const me = session.data?.user.id ?? 0
  if (!view.capabilities['inbox.view']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <Inbox ws={view.workspace.id} me={me} landing={defaultInboxView(view.membership)} />
}

function Inbox({ ws, me, landing }: { ws: number; me: number; landing: string }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const params = useParams()
  const contactId = params.contactId ? Number(params.contactId) : null
  const [search, setSearch] = useSearchParams()
  const [showContact, setShowContact] = useState(false)
  const [dialog, setDialog] = useState<InboxDialog>(null)
  const connection = useRealtime(ws, me)

  const views = useQuery({
    queryKey: keys.views(ws),
    queryFn: () => get<InboxViews>(`/api/v1/workspaces/${ws}/inbox/views`),
  })
  // Rule 44: restricted agents get only Mine, so the first view the server offers is the default.
  // Until the views answer, the membership already says which one that is, so the first page
  // loads alongside the views instead of after them.
  const defaultView = views.data?.standard[0]?.view ?? landing
  const current = search.get('view') ?? defaultView
  const status = (search.get('status') ?? 'open') as InboxStatus
  const sort = (search.get('sort') ?? 'newest') as InboxSort
  const setFilter = (name: 'view' | 'status' | 'sort', value: string) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev)
        next.set(name, value)
        return next
      },
      { replace: true },
    )

  const list = useInfiniteQuery({
    queryKey: keys.inbox(ws, current, status, sort),
    queryFn: ({ pageParam }) => fetchInboxPage(ws, { view: current, status, sort, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // While the socket is down, poll the open list (docs/realtime.md).
    refetchInterval: connection === 'down' ? 10_000 : false,
  })
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.rows) ?? [], [list.data])

  const open = useCallback(
    (id: number) => {
      setShowContact(false)
      navigate({ pathname: `/w/${ws}/inbox/${id}`, search: search.toString() })
    },
    [navigate, ws, search],
  )
  const back = () => navigate({ pathname: `/w/${ws}/inbox`, search: search.toString() })
  useInboxShortcuts({ rows, contactId, open, setDialog })
  // j / k land on a neighbour: have it loading already — once the open conversation is on screen,
  // so its own requests do not queue behind the neighbours' (~6 connections per host).
  const prefetch = usePrefetchConversation(ws)
  const openLoaded = useConversationLoaded(ws, contactId)
  useEffect(() => {
    if (!openLoaded) return
    const i = rows.findIndex((r) => r.contactId === contactId)
    if (i === -1) return
    for (const n of [rows[i + 1], rows[i - 1]]) if (n) prefetch(n.contactId)
  }, [rows, contactId, prefetch, openLoaded])

  // What every conversation pane reads from the workspace, fetched while the agent looks at the
  // list: the first conversation opened does not share the connections and the server with it.
  const qc = useQueryClient()
  const listShown = list.isSuccess
  useEffect(() => {
    if (!listShown) return
    const timer = setTimeout(() => {
      void qc.prefetchQuery(paneLists.tags(ws))
      void qc.prefetchQuery(paneLists.stages(ws))
      void qc.prefetchQuery(paneLists.channels(ws))
      void qc.prefetchQuery(paneLists.snippets(ws))
    }, 100)
    return () => clearTimeout(timer)
  }, [listShown, qc, ws])

  useEffect(() => {
    setPageTitle(t('nav.inbox'), t('app.name'))
    return () => setPageTitle(null, t('app.name'))
  }, [t])

  const pane = contactId === null ? 'list' : showContact ? 'contact' : 'thread'
  return (
    <div className="inbox" data-pane={pane}>
      <ConnectionBanner state={connection} />
      <ConversationList
        ws={ws}
        views={views.data}
        viewsError={views.error}
        current={current}
        status={status}
        sort={sort}
        setFilter={setFilter}
        list={list}
        rows={rows}
        selected={contactId}
        onOpen={open}
      />
      {contactId === null ? (
        <section className="inbox-thread inbox-empty" aria-label={t('inbox.conversation')}>
          <p className="muted">{t('inbox.pickConversation')}</p>
        </section>
      ) : (
        <>
          <Thread
            key={contactId}
            ws={ws}
            me={me}
            contactId={contactId}
            dialog={dialog}
            setDialog={setDialog}
            onBack={back}
            onShowContact={() => setShowContact(true)}
          />
          <ContactPanel
            key={`c${contactId}`}
            ws={ws}
            contactId={contactId}
            onBack={() => setShowContact(false)}
          />
        </>
      )}
    </div>
  )
}

function ConnectionBanner({ state }: { state: RealtimeStatus }) {
  const { t } = useTranslation()
  if (state !== 'down') return null
  return (
    <div className="inbox-banner" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {t('inbox.connectionLost')}
    </div>
  )
}
