import { type InfiniteData, type QueryClient, useQueryClient } from '@tanstack/react-query'
import { useContext, useEffect } from 'react'
import { RealtimeContext, type RealtimeStatus, useRealtimeStatus } from '../shell/realtime'
import {
  type AssignableUser,
  type ContactDetail,
  type ConversationView,
  type InboxPage,
  type InboxRow,
  keys,
  type Message,
} from './api'
import { applyMessage, applyRow, type MessagePage, markRead, rowFitsView } from './inboxCache'

type Frame = {
  id?: number
  type: string
  contactId?: number
  contact?: InboxRow | null
  message?: Message
  userId?: number
  state?: 'online' | 'away' | 'offline'
}

/**
 * Applies the tab's realtime frames (the shell's one socket, which reconnects and catches up) to
 * the inbox's TanStack Query caches. No page refresh, ever. Returns the socket's status.
 */
export function useRealtime(ws: number, me: number): RealtimeStatus {
  const qc = useQueryClient()
  const connection = useContext(RealtimeContext)
  useEffect(() => {
    if (!connection) return
    const refresh = debounce(() => {
      void qc.invalidateQueries({ queryKey: keys.views(ws) })
    }, 400)
    const off = connection.onFrame((frame) => {
      const f = frame as Frame
      // Reconnected after missing too much: refetch what is on screen.
      if (f.type === 'resync') return void qc.invalidateQueries()
      if (f.type === 'presence') return applyPresence(qc, ws, f)
      if (f.id === undefined) return
      applyFrame(qc, ws, me, f)
      refresh()
    })
    return () => {
      off()
      refresh.cancel()
    }
  }, [connection, qc, ws, me])
  return useRealtimeStatus()
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
  // Opening a conversation reads it: three refetches per switch, for one boolean the frame implies.
  if (f.type === 'contact.read') {
    qc.setQueryData<ConversationView>(
      keys.conversation(ws, c),
      (old) => old && { ...old, contact: markRead(old.contact) },
    )
    qc.setQueryData<ContactDetail>(keys.contact(ws, c), (old) => old && markRead(old))
    return
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
