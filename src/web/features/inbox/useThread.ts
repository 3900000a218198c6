import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { get } from '../../api/client'
import {
  type AssignableUser,
  type Comment,
  type ConversationView,
  fetchMessages,
  keys,
  type Message,
  paths,
  type TimelineEvent,
} from './api'

export type ThreadItem =
  | { kind: 'message'; key: string; at: string; message: Message }
  | { kind: 'comment'; key: string; at: string; comment: Comment }
  | { kind: 'event'; key: string; at: string; event: TimelineEvent }

/** Rule 14: conversation events shown inline (never to the contact). */
export const INLINE_EVENTS = new Set([
  'conversation.opened',
  'conversation.closed',
  'conversation.snoozed',
  'conversation.unsnoozed',
  'conversation.assignment_failed',
  'contact.assignee_updated',
  'contact.blocked',
  'contact.unblocked',
])

// Realtime frames keep these caches current, so a few seconds of freshness avoids refetching
// what a hover just prefetched.
const FRESH_MS = 5000

const conversationQuery = (ws: number, contactId: number) => ({
  queryKey: keys.conversation(ws, contactId),
  queryFn: () => get<ConversationView>(`${paths.contact(ws, contactId)}/conversation`),
  staleTime: FRESH_MS,
})
const messagesQuery = (ws: number, contactId: number) => ({
  queryKey: keys.messages(ws, contactId),
  queryFn: ({ pageParam }: { pageParam: number | null }) => fetchMessages(ws, contactId, pageParam),
  initialPageParam: null as number | null,
  getNextPageParam: (last: { nextBefore: number | null }) => last.nextBefore,
  staleTime: FRESH_MS,
})

export function useConversationView(ws: number, contactId: number) {
  return useQuery(conversationQuery(ws, contactId))
}

/** Starts loading a conversation before it is opened (hover, keyboard neighbours). */
export function usePrefetchConversation(ws: number) {
  const qc = useQueryClient()
  return useCallback(
    (contactId: number) => {
      void qc.prefetchQuery(conversationQuery(ws, contactId))
      void qc.prefetchInfiniteQuery(messagesQuery(ws, contactId))
    },
    [qc, ws],
  )
}

/** Whether the conversation's view and newest messages are in the cache (so it is on screen). */
export function useConversationLoaded(ws: number, contactId: number | null): boolean {
  const qc = useQueryClient()
  return useSyncExternalStore(
    useCallback((onChange) => qc.getQueryCache().subscribe(onChange), [qc]),
    () =>
      contactId !== null &&
      qc.getQueryState(keys.conversation(ws, contactId))?.status === 'success' &&
      qc.getQueryState(keys.messages(ws, contactId))?.status === 'success',
  )
}

export function useAssignableUsers(ws: number) {
  return useQuery({
    queryKey: keys.assignable(ws),
    queryFn: () => get<AssignableUser[]>(`/api/v1/workspaces/${ws}/assignable-users`),
    staleTime: 60_000,
  })
}

/** Messages (keyset pages, older on demand), comments and events, merged oldest first. */
export function useThread(ws: number, contactId: number) {
  const messages = useInfiniteQuery(messagesQuery(ws, contactId))
  const comments = useQuery({
    queryKey: keys.comments(ws, contactId),
    queryFn: () => get<{ comments: Comment[] }>(`${paths.contact(ws, contactId)}/comments?limit=100`),
  })
  const timeline = useQuery({
    queryKey: keys.timeline(ws, contactId),
    queryFn: () => get<{ events: TimelineEvent[] }>(`${paths.contact(ws, contactId)}/timeline?limit=100`),
  })
  const items = useMemo(() => {
    const loaded = messages.data?.pages.flatMap((p) => p.messages) ?? []
    const oldest = loaded.at(-1)?.createdAt
    const more = messages.hasNextPage
    // Comments and events older than the oldest loaded message wait until that page is loaded,
    // so the thread never shows a gap followed by older notes.
    const inRange = (at: string) => !more || !oldest || at >= oldest
    const out: ThreadItem[] = loaded.map((m) => ({
      kind: 'message',
      key: `m${m.id}`,
      at: m.createdAt,
      message: m,
    }))
    for (const c of comments.data?.comments ?? [])
      if (inRange(c.createdAt)) out.push({ kind: 'comment', key: `c${c.id}`, at: c.createdAt, comment: c })
    for (const e of timeline.data?.events ?? [])
      if (INLINE_EVENTS.has(e.type) && inRange(e.createdAt))
        out.push({ kind: 'event', key: `e${e.id}`, at: e.createdAt, event: e })
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : 1))
  }, [messages.data, messages.hasNextPage, comments.data, timeline.data])
  return { items, messages, error: messages.error ?? comments.error ?? timeline.error }
}
