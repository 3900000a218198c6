// Inbox data: types from the server's zod schemas (type-only), query keys and fetchers.

import { queryOptions } from '@tanstack/react-query'
import type { z } from 'zod'
import type { commentOut } from '../../../server/comments/comments.presenter'
import type { contactDetailOut, contactOut, identityOut } from '../../../server/contacts/contacts.presenter'
import type { timelineEventOut } from '../../../server/contacts/timeline.routes'
import type { conversationOut, windowOut } from '../../../server/conversations/conversations.presenter'
import type { InboxRowOut } from '../../../server/inbox/inbox.presenter'
import type { MessageOut } from '../../../server/messages/messages.presenter'
import type { assignableUserOut } from '../../../server/presence/presence.routes'
import type { FormField } from '../../../server/workflows/triggers/shortcut'
import { get } from '../../api/client'

export type InboxRow = InboxRowOut
export type Message = MessageOut
export type Comment = z.infer<typeof commentOut>
export type Contact = z.infer<typeof contactOut>
export type ContactDetail = z.infer<typeof contactDetailOut>
export type Identity = z.infer<typeof identityOut>
export type Conversation = z.infer<typeof conversationOut>
export type Window = z.infer<typeof windowOut>
export type TimelineEvent = z.infer<typeof timelineEventOut>
export type AssignableUser = z.infer<typeof assignableUserOut>

export type InboxStatus = 'open' | 'closed' | 'snoozed'
export type InboxSort = 'newest' | 'oldest'
export type InboxPage = { rows: InboxRow[]; nextCursor: string | null }
export type ViewSummary = { view: string; unread: number | null; dot: boolean }
export type InboxViews = {
  standard: ViewSummary[]
  teams: (ViewSummary & { teamId: number; name: string })[]
  custom: { all: { view: string; id: number; name: string }[] }
  blocked: { view: 'blocked' } | null
}
export type ConversationView = {
  contact: Contact
  conversation: Conversation | null
  window: Window
  /** Every channel's window (rule 22), for the reply-channel picker. */
  windows: Window[]
  channels: Identity[]
}
export type Channel = { id: number; type: string; name: string; status: string }
export type Snippet = { id: number; shortcut: string; body: string }
export type Template = {
  id: number
  name: string
  language: string
  category: string
  status: string
  components: unknown[]
}
export type ClosingCategory = { id: number; name: string; description: string }
export type Tag = { id: number; name: string; color: string | null }
export type Stage = { id: number; name: string; isLost: boolean }
/** A shortcut workflow the member may start on the open contact (rules 51, 68). */
export type ShortcutField = FormField
export type Shortcut = { workflowId: number; name: string; description: string; form: ShortcutField[] }
export type MergeSuggestion = { contact: Contact; matchedOn: ('phone' | 'email')[] }

const w = (ws: number) => `/api/v1/workspaces/${ws}`
export const paths = {
  inbox: w,
  contact: (ws: number, contactId: number) => `${w(ws)}/contacts/${contactId}`,
}

/** Query keys: one place, so realtime updates and mutations hit the same caches. */
export const keys = {
  inboxAll: (ws: number) => ['inbox', ws] as const,
  inbox: (ws: number, view: string, status: InboxStatus, sort: InboxSort) =>
    ['inbox', ws, view, status, sort] as const,
  views: (ws: number) => ['inbox-views', ws] as const,
  conversation: (ws: number, c: number) => ['conversation', ws, c] as const,
  messages: (ws: number, c: number) => ['messages', ws, c] as const,
  comments: (ws: number, c: number) => ['comments', ws, c] as const,
  timeline: (ws: number, c: number) => ['timeline', ws, c] as const,
  contact: (ws: number, c: number) => ['contact', ws, c] as const,
  past: (ws: number, c: number) => ['past-conversations', ws, c] as const,
  merge: (ws: number, c: number) => ['merge-suggestions', ws, c] as const,
  assignable: (ws: number) => ['assignable-users', ws] as const,
  channels: (ws: number) => ['channels', ws] as const,
  snippets: (ws: number) => ['snippets', ws] as const,
  categories: (ws: number) => ['closing-categories', ws] as const,
  templates: (ws: number, channelId: number) => ['templates', ws, channelId] as const,
  tags: (ws: number) => ['tags', ws] as const,
  shortcuts: (ws: number) => ['shortcuts', ws] as const,
  stages: (ws: number) => ['lifecycle-stages', ws] as const,
}

export const fetchInboxPage = (
  ws: number,
  q: { view: string; status: InboxStatus; sort: InboxSort; cursor?: string | null },
) => {
  const qs = new URLSearchParams({ view: q.view, status: q.status, sort: q.sort, limit: '50' })
  if (q.cursor) qs.set('cursor', q.cursor)
  return get<InboxPage>(`${w(ws)}/inbox?${qs}`)
}

export const MESSAGE_PAGE = 100
export const fetchMessages = (ws: number, c: number, before?: number | null) =>
  get<{ messages: Message[]; nextBefore: number | null }>(
    `${paths.contact(ws, c)}/messages?limit=${MESSAGE_PAGE}${before ? `&before=${before}` : ''}`,
  )

/**
 * The workspace's small lists the conversation panes read (contact pane, composer): one
 * definition for the panes and for the inbox's prefetch once the list is on screen.
 */
export const paneLists = {
  tags: (ws: number) =>
    queryOptions({ queryKey: keys.tags(ws), queryFn: () => get<Tag[]>(`${w(ws)}/tags`), staleTime: 60_000 }),
  stages: (ws: number) =>
    queryOptions({
      queryKey: keys.stages(ws),
      queryFn: () => get<Stage[]>(`${w(ws)}/lifecycle-stages`),
      staleTime: 60_000,
    }),
  channels: (ws: number) =>
    queryOptions({
      queryKey: keys.channels(ws),
      queryFn: () => get<Channel[]>(`${w(ws)}/channels`),
      staleTime: 60_000,
    }),
  snippets: (ws: number) =>
    queryOptions({
      queryKey: keys.snippets(ws),
      queryFn: () => get<Snippet[]>(`${w(ws)}/snippets`),
      staleTime: 60_000,
    }),
}
