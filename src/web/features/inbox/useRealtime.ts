import { type InfiniteData, type QueryClient, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { sessionKey } from '../../api/session'
import { type AssignableUser, type InboxPage, type InboxRow, keys, type Message } from './api'
import { applyMessage, applyRow, type MessagePage, RecentIds, rowFitsView } from './inboxCache'

export type Connection = 'connecting' | 'open' | 'lost'

type Frame = {
  id?: number
  type: string
  contactId?: number
  contact?: InboxRow | null
  message?: Message
  userId?: number
  state?: 'online' | 'away' | 'offline'
  lastEventId?: number
}

const BASE_DELAY = 500
const MAX_DELAY = 30_000

/**
 * One WebSocket per tab (docs/realtime.md): subscribe with the last event id, apply frames to the
 * TanStack Query caches, reconnect with backoff and catch up. No page refresh, ever.
 */
export function useRealtime(ws: number, me: number): Connection {
  const qc = useQueryClient()
  const [state, setState] = useState<Connection>('connecting')
  useEffect(() => {
    let socket: WebSocket | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let attempt = 0
    let stopped = false
    let lastEventId: number | undefined
    const seen = new RecentIds()
    const refresh = debounce(() => {
      void qc.invalidateQueries({ queryKey: keys.views(ws) })
    }, 400)

    const connect = () => {
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/realtime`
      socket = new WebSocket(url)
      socket.onopen = () => {
        socket?.send(JSON.stringify({ type: 'subscribe', workspaceId: ws, lastEventId }))
      }
      socket.onmessage = (e) => {
        const frame = JSON.parse(String(e.data)) as Frame
        if (frame.type === 'subscribed' || frame.type === 'resync') {
          attempt = 0
          setState('open')
          lastEventId ??= frame.lastEventId
          // Reconnected: what happened while down was replayed; a resync means refetch what is on screen.
          if (frame.type === 'resync') void qc.invalidateQueries()
          return
        }
        if (frame.type === 'presence') return applyPresence(qc, ws, frame)
        if (frame.id === undefined || !seen.add(frame.id)) return
        lastEventId = Math.max(lastEventId ?? 0, frame.id)
        applyFrame(qc, ws, me, frame)
        refresh()
      }
      socket.onclose = (e) => {
        socket = undefined
        if (stopped) return
        if (e.code === 4401) {
          void qc.invalidateQueries({ queryKey: sessionKey })
          return
        }
        setState('lost')
        if (e.code === 4403) return
        const delay = Math.min(MAX_DELAY, BASE_DELAY * 2 ** attempt++) * (0.75 + Math.random() / 2)
        timer = setTimeout(connect, delay)
      }
    }
    connect()
    return () => {
      stopped = true
      clearTimeout(timer)
      refresh.cancel()
      socket?.close()
    }
  }, [qc, ws, me])
  return state
}

function applyFrame(qc: QueryClient, ws: number, me: number, f: Frame) {
  const c = f.contactId
  if (c === undefined) return
  if (f.contact !== undefined) applyInboxRow(qc, ws, me, c, f.contact)
  if (f.message) {
    qc.setQueryData<InfiniteData<MessagePage>>(keys.messages(ws, c), (old) =>
      old ? { ...old, pages: applyMessage(old.pages, f.message!) } : old,
    )
  }
  if (f.type.startsWith('conversation.') || f.type.startsWith('contact.') || f.type === 'message.created') {
    void qc.invalidateQueries({ queryKey: keys.conversation(ws, c) })
    void qc.invalidateQueries({ queryKey: keys.timeline(ws, c) })
  }
  if (f.type === 'message.received') void qc.invalidateQueries({ queryKey: keys.conversation(ws, c) })
  if (f.type.startsWith('contact.')) {
    void qc.invalidateQueries({ queryKey: keys.contact(ws, c) })
    if (f.type === 'contact.assignee_updated') void qc.invalidateQueries({ queryKey: keys.assignable(ws) })
  }
  if (f.type.startsWith('conversation.')) void qc.invalidateQueries({ queryKey: keys.past(ws, c) })
  if (f.type === 'comment.created') void qc.invalidateQueries({ queryKey: keys.comments(ws, c) })
}

/** Moves the contact's row between every loaded list it does or no longer belongs to. */
function applyInboxRow(qc: QueryClient, ws: number, me: number, contactId: number, row: InboxRow | null) {
  for (const [key, data] of qc.getQueriesData<InfiniteData<InboxPage>>({ queryKey: keys.inboxAll(ws) })) {
    if (!data) continue
    const [, , view, status, sort] = key as readonly [string, number, string, 'open', 'newest']
    const fits = row ? rowFitsView(row, view, status, me) : false
    if (fits === undefined) {
      void qc.invalidateQueries({ queryKey: key, exact: true })
      continue
    }
    qc.setQueryData<InfiniteData<InboxPage>>(key, {
      ...data,
      pages: applyRow(data.pages, contactId, row, fits, sort),
    })
  }
}

function applyPresence(qc: QueryClient, ws: number, f: Frame) {
  qc.setQueryData<AssignableUser[]>(keys.assignable(ws), (old) =>
    old?.map((u) => (u.userId === f.userId && f.state ? { ...u, presence: f.state } : u)),
  )
}

function debounce(fn: () => void, ms: number) {
  let t: ReturnType<typeof setTimeout> | undefined
  const run = () => {
    clearTimeout(t)
    t = setTimeout(fn, ms)
  }
  run.cancel = () => clearTimeout(t)
  return run
}
