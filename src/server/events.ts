import type { DbOrTx } from './db/database'
import { rawClientOf } from './db/database'
import { events } from './db/schema'

/** Who caused a change. Automation ignores events caused by itself so it cannot loop. */
export type Actor =
  | { kind: 'user'; id: number }
  | { kind: 'contact'; id: number }
  | { kind: 'workflow'; id: number }
  | { kind: 'api'; id: number }
  | { kind: 'system'; id: null }

export const SYSTEM: Actor = { kind: 'system', id: null }

type C = { contactId: number }
type CC = { contactId: number; conversationId: number }

/** Every domain event, with its payload. Names are dotted, past tense, written out literally. */
export type DomainEvent =
  | { type: 'workspace.updated'; payload: { changes: string[] } }
  | { type: 'invitation.created'; payload: { invitationId: number; email: string; role: string } }
  | { type: 'invitation.revoked'; payload: { invitationId: number; email: string } }
  | { type: 'member.joined'; payload: { userId: number; role: string; invitationId: number | null } }
  | { type: 'member.updated'; payload: { userId: number; changes: string[] } }
  | {
      type: 'member.revoked'
      payload: { userId: number; reassignedTo: number | null; contactsMoved: number }
    }
  | { type: 'team.created'; payload: { teamId: number; name: string } }
  | { type: 'team.updated'; payload: { teamId: number; changes: string[] } }
  | { type: 'team.deleted'; payload: { teamId: number; name: string } }
  | { type: 'team.member_added'; payload: { teamId: number; userId: number } }
  | { type: 'team.member_removed'; payload: { teamId: number; userId: number } }
  | { type: 'api_token.created'; payload: { tokenId: number; name: string } }
  | { type: 'api_token.revoked'; payload: { tokenId: number; name: string } }
  | { type: 'channel.connected'; payload: { channelId: number; type: string } }
  | { type: 'channel.disconnected'; payload: { channelId: number; type: string } }
  | { type: 'channel.errored'; payload: { channelId: number; type: string; reason: string } }
  | { type: 'contact.created'; payload: C & { source: 'channel' | 'user' | 'api' | 'import' | 'workflow' } }
  | { type: 'contact.updated'; payload: C & { changes: string[] } }
  | { type: 'contact.deleted'; payload: C }
  | { type: 'contact.tag_updated'; payload: C & { tagId: number; tag: string; action: 'added' | 'removed' } }
  | { type: 'contact.lifecycle_updated'; payload: C & { from: number | null; to: number | null } }
  | {
      type: 'contact.assignee_updated'
      payload: C & { from: number | null; to: number | null; reason: string; conversationId?: number | null }
    }
  | { type: 'contact.blocked'; payload: C }
  | { type: 'contact.unblocked'; payload: C }
  | { type: 'contact.merged'; payload: C & { mergedContactId: number } }
  | { type: 'conversation.opened'; payload: CC & { source: string; channelId: number | null } }
  | {
      type: 'conversation.closed'
      payload: CC & { source: string; categoryId: number | null; summary: string | null }
    }
  | { type: 'conversation.snoozed'; payload: CC & { until: string } }
  | { type: 'conversation.unsnoozed'; payload: CC & { reason: 'expired' | 'contact_replied' | 'user' } }
  | { type: 'conversation.assignment_failed'; payload: CC & { reason: string } }
  | {
      type: 'message.received'
      payload: { contactId: number; conversationId: number | null; messageId: number; channelId: number }
    }
  | {
      type: 'message.created'
      payload: { contactId: number; conversationId: number | null; messageId: number; channelId: number }
    }
  | {
      type: 'message.media_stored'
      payload: { contactId: number; conversationId: number | null; messageId: number; fileId: number }
    }
  | {
      type: 'message.status_updated'
      payload: { contactId: number; conversationId: number | null; messageId: number; status: string }
    }
  | {
      type: 'comment.created'
      payload: { contactId: number; conversationId: number | null; commentId: number; mentions: number[] }
    }
  | { type: 'notification.created'; payload: { userId: number; notificationId: number; kind: string } }

/** Events shown inline in the conversation and in Activities (rule 14); never to the contact. */
export const TIMELINE: ReadonlySet<string> = new Set([
  'conversation.opened',
  'conversation.closed',
  'conversation.snoozed',
  'conversation.unsnoozed',
  'conversation.assignment_failed',
  'contact.assignee_updated',
  'contact.blocked',
  'contact.unblocked',
  'contact.merged',
  'contact.lifecycle_updated',
  'contact.tag_updated',
])

export type EventType = DomainEvent['type']

/** The NOTIFY channel that carries committed events to every server process. */
export const EVENTS_CHANNEL = 'tawasul_events'

/** What NOTIFY carries (kept small: the 8 kB payload limit). Listeners load the rest by id. */
export type EventNotice = {
  workspaceId: number
  id: number
  type: EventType
  actor: Actor
  contactId?: number
  conversationId?: number
}

/**
 * Records an event in the caller's transaction. The NOTIFY is transactional too: other processes
 * (and this one) hear about it only if the transaction commits.
 */
export async function emit(
  tx: DbOrTx,
  workspaceId: number,
  actor: Actor,
  event: DomainEvent,
): Promise<number> {
  const p = event.payload as { contactId?: number; conversationId?: number | null }
  const [row] = await tx
    .insert(events)
    .values({
      workspaceId,
      type: event.type,
      actorKind: actor.kind,
      actorId: actor.id,
      payload: event.payload,
      contactId: p.contactId ?? null,
      conversationId: p.conversationId ?? null,
      onTimeline: TIMELINE.has(event.type),
    })
    .returning({ id: events.id })
  const notice: EventNotice = {
    workspaceId,
    id: row!.id,
    type: event.type,
    actor,
    ...(p.contactId ? { contactId: p.contactId } : {}),
    ...(p.conversationId ? { conversationId: p.conversationId } : {}),
  }
  await rawClientOf(tx).query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(notice)])
  return row!.id
}
