import type { Capability } from '../../shared/permissions'
import { allowed, type UserPrincipal } from '../auth/principal'
import { canSeeContact } from '../contacts/visibility'
import type { ConversationRow } from '../conversations/conversations.repo'
import type { DbOrTx } from '../db/database'
import { presentInboxRow } from '../inbox/inbox.presenter'
import { findInboxRows, type InboxRow } from '../inbox/inbox.repo'
import { presentMessage } from '../messages/messages.presenter'
import {
  type EventRow,
  findConversationsByIds,
  findMessagesByIds,
  findNotificationsByIds,
  teamsOfUsers,
} from './realtime.repo'

/**
 * Who may receive an event's frame. Contact events follow contact visibility (rule 102) as it is
 * now; a contact that moved away from someone who could see it reaches them as a bare
 * "gone" frame so their list drops it.
 */
export type Audience =
  | { kind: 'contact'; contact: InboxRow | null; former: { userId: number; teamId: number | null } | null }
  | { kind: 'user'; userId: number }
  | { kind: 'capability'; capability: Capability }
  | { kind: 'everyone' }

/** A frame, serialized once per event whatever the number of sockets. */
export type BuiltFrame = {
  id: number
  type: string
  audience: Audience
  json: string
  /** `{ id, type, at, contactId, contact: null }` for those who just lost sight of the contact. */
  goneJson: string | null
}

const MESSAGE_EVENTS = new Set(['message.received', 'message.created', 'message.status_updated'])
const CONVERSATION_EVENTS = new Set([
  'conversation.opened',
  'conversation.closed',
  'conversation.snoozed',
  'conversation.unsnoozed',
  'conversation.assignment_failed',
])

function presentConversationBrief(c: ConversationRow) {
  return {
    id: c.id,
    contactId: c.contactId,
    status: c.status,
    openedAt: c.openedAt.toISOString(),
    openedSource: c.openedSource,
    closedAt: c.closedAt?.toISOString() ?? null,
    closedSource: c.closedSource,
    snoozedUntil: c.snoozedUntil?.toISOString() ?? null,
    handler: c.handler,
  }
}

function audienceOf(e: EventRow, contacts: Map<number, InboxRow>, teams: Map<number, number>): Audience {
  const p = e.payload as Record<string, unknown>
  if (e.type === 'notification.created') return { kind: 'user', userId: Number(p.userId) }
  if (e.type.startsWith('invitation.')) return { kind: 'capability', capability: 'settings.users' }
  if (e.type.startsWith('api_token.')) return { kind: 'capability', capability: 'settings.integrations' }
  if (e.contactId !== null) {
    const from = e.type === 'contact.assignee_updated' && typeof p.from === 'number' ? p.from : null
    return {
      kind: 'contact',
      contact: contacts.get(e.contactId) ?? null,
      former: from === null ? null : { userId: from, teamId: teams.get(from) ?? null },
    }
  }
  return { kind: 'everyone' }
}

/**
 * Turns committed events into frames: one batch of queries for the whole set (contacts' inbox
 * rows, messages, conversations, notifications), never one per socket.
 */
export async function buildFrames(db: DbOrTx, workspaceId: number, rows: EventRow[]): Promise<BuiltFrame[]> {
  const ids = (pick: (e: EventRow) => unknown) => [
    ...new Set(rows.map(pick).filter((v): v is number => typeof v === 'number')),
  ]
  const payload = (e: EventRow) => e.payload as Record<string, unknown>
  const [contactRows, messageRows, conversationRows, notificationRows, teams] = await Promise.all([
    findInboxRows(
      db,
      workspaceId,
      ids((e) => e.contactId),
    ),
    findMessagesByIds(
      db,
      workspaceId,
      ids((e) => (MESSAGE_EVENTS.has(e.type) ? payload(e).messageId : null)),
    ),
    findConversationsByIds(
      db,
      workspaceId,
      ids((e) => (CONVERSATION_EVENTS.has(e.type) ? e.conversationId : null)),
    ),
    findNotificationsByIds(
      db,
      workspaceId,
      ids((e) => (e.type === 'notification.created' ? payload(e).notificationId : null)),
    ),
    teamsOfUsers(
      db,
      workspaceId,
      ids((e) => (e.type === 'contact.assignee_updated' ? payload(e).from : null)),
    ),
  ])
  const contacts = new Map(contactRows.map((r) => [r.id, r]))
  const messagesById = new Map(messageRows.map((m) => [m.id, m]))
  const conversationsById = new Map(conversationRows.map((c) => [c.id, c]))
  const notificationsById = new Map(notificationRows.map((n) => [n.id, n]))

  return rows.map((e) => {
    const p = payload(e)
    const head = {
      id: e.id,
      type: e.type,
      at: e.createdAt.toISOString(),
      actor: { kind: e.actorKind, id: e.actorId },
    }
    const extra: Record<string, unknown> = {}
    if (e.contactId !== null) {
      const c = contacts.get(e.contactId)
      extra.contact = c ? presentInboxRow(c) : null
    }
    if (MESSAGE_EVENTS.has(e.type)) {
      const m = messagesById.get(Number(p.messageId))
      extra.message = m ? presentMessage(m) : null
    }
    if (CONVERSATION_EVENTS.has(e.type) && e.conversationId !== null) {
      const c = conversationsById.get(e.conversationId)
      extra.conversation = c ? presentConversationBrief(c) : null
    }
    if (e.type === 'notification.created') {
      const n = notificationsById.get(Number(p.notificationId))
      extra.notification = n
        ? {
            id: n.id,
            kind: n.kind,
            contactId: n.contactId,
            conversationId: n.conversationId,
            commentId: n.commentId,
            actor: { kind: n.actorKind, id: n.actorId },
            createdAt: n.createdAt.toISOString(),
          }
        : null
    }
    const audience = audienceOf(e, contacts, teams)
    return {
      id: e.id,
      type: e.type,
      audience,
      json: JSON.stringify({ ...head, ...p, ...extra, id: e.id, type: e.type }),
      goneJson:
        audience.kind === 'contact' && audience.former
          ? JSON.stringify({ ...head, contactId: e.contactId, contact: null })
          : null,
    }
  })
}

/** What this member gets of a frame: all of it, the bare "gone" form, or nothing. */
export function frameFor(p: UserPrincipal, f: BuiltFrame): string | null {
  const a = f.audience
  switch (a.kind) {
    case 'everyone':
      return f.json
    case 'user':
      return a.userId === p.userId ? f.json : null
    case 'capability':
      return allowed(p, a.capability) ? f.json : null
    case 'contact': {
      const unrestricted = p.role !== 'agent' || p.restrictions.contactVisibility === 'all'
      // A deleted contact: only those who saw every contact can have seen it.
      if (!a.contact) return unrestricted ? f.json : null
      if (canSeeContact(p, a.contact)) return f.json
      const f0 = a.former
      const sawBefore =
        f0 !== null &&
        (f0.userId === p.userId ||
          (p.restrictions.contactVisibility === 'team' && p.teamId !== null && f0.teamId === p.teamId))
      return sawBefore ? f.goneJson : null
    }
  }
}
