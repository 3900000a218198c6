import type { DbOrTx } from './db/database'
import { rawClientOf } from './db/database'

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
  /** Rule 48: someone opened the contact's new messages; the blue dot goes away for everyone. */
  | { type: 'contact.read'; payload: C & { conversationId: number | null } }
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
  | { type: 'custom_inbox.created'; payload: { customInboxId: number } }
  | { type: 'custom_inbox.updated'; payload: { customInboxId: number; changes: string[] } }
  | { type: 'custom_inbox.deleted'; payload: { customInboxId: number } }
  | { type: 'contact_field.created'; payload: { fieldId: number; key: string } }
  | { type: 'contact_field.updated'; payload: { fieldId: number; key: string; changes: string[] } }
  | { type: 'contact_field.deleted'; payload: { fieldId: number; key: string; contactsCleared: number } }
  | { type: 'contact_field.reordered'; payload: { fieldIds: number[] } }
  | { type: 'tag.created'; payload: { tagId: number; name: string } }
  | { type: 'tag.updated'; payload: { tagId: number; name: string; changes: string[] } }
  | { type: 'tag.deleted'; payload: { tagId: number; name: string; contactsUntagged: number } }
  | { type: 'lifecycle_stage.created'; payload: { stageId: number; name: string } }
  | { type: 'lifecycle_stage.updated'; payload: { stageId: number; changes: string[] } }
  | { type: 'lifecycle_stage.deleted'; payload: { stageId: number; name: string; contactsCleared: number } }
  | { type: 'lifecycle_stage.reordered'; payload: { stageIds: number[] } }
  | { type: 'closing_category.created'; payload: { categoryId: number; name: string } }
  | { type: 'closing_category.updated'; payload: { categoryId: number; changes: string[] } }
  | { type: 'closing_category.deleted'; payload: { categoryId: number; name: string } }
  | { type: 'snippet.created'; payload: { snippetId: number; shortcut: string } }
  | { type: 'snippet.updated'; payload: { snippetId: number; changes: string[] } }
  | { type: 'snippet.deleted'; payload: { snippetId: number; shortcut: string } }
  | { type: 'contact_import.started'; payload: { importId: number; rowCount: number; mode: string } }
  | {
      type: 'contact_import.completed'
      payload: { importId: number; created: number; updated: number; skipped: number; failed: number }
    }
  | { type: 'contact_import.failed'; payload: { importId: number; error: string } }
  | { type: 'webhook.created'; payload: { webhookId: number; events: string[] } }
  | { type: 'webhook.updated'; payload: { webhookId: number; changes: string[] } }
  | { type: 'webhook.deleted'; payload: { webhookId: number } }
  | { type: 'webhook.secret_rotated'; payload: { webhookId: number; overlapHours: number } }
  | { type: 'webhook.disabled'; payload: { webhookId: number; reason: string } }

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
  const [id] = await emitMany(tx, workspaceId, actor, [event])
  return id!
}

/**
 * Records events and announces them in one statement, whatever their number (bulk work such as
 * a contact import writes thousands per batch; a round trip per event would dominate its time).
 * Ids come back in the order of `list`.
 */
export async function emitMany(
  tx: DbOrTx,
  workspaceId: number,
  actor: Actor,
  list: DomainEvent[],
): Promise<number[]> {
  if (list.length === 0) return []
  const rows = list.map((event, n) => {
    const p = event.payload as { contactId?: number; conversationId?: number | null }
    return {
      n,
      type: event.type,
      payload: event.payload,
      contact_id: p.contactId ?? null,
      conversation_id: p.conversationId ?? null,
      on_timeline: TIMELINE.has(event.type),
    }
  })
  // The NOTIFY payload is an EventNotice, built next to the row it announces.
  const { rows: ids } = await rawClientOf(tx).query<{ id: number | string }>(
    `WITH ins AS (
       INSERT INTO events (workspace_id, type, actor_kind, actor_id, payload, contact_id, conversation_id, on_timeline)
       SELECT $1, v.type, $2, $3, v.payload, v.contact_id, v.conversation_id, v.on_timeline
       FROM jsonb_to_recordset($4::jsonb)
         AS v(n int, type text, payload jsonb, contact_id bigint, conversation_id bigint, on_timeline boolean)
       ORDER BY v.n
       RETURNING id, type, contact_id, conversation_id
     )
     SELECT id, pg_notify($5, (
       jsonb_build_object('workspaceId', $1::bigint, 'id', id, 'type', type, 'actor', $6::jsonb)
       || CASE WHEN contact_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('contactId', contact_id) END
       || CASE WHEN conversation_id IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('conversationId', conversation_id) END
     )::text)
     FROM ins`,
    [workspaceId, actor.kind, actor.id, JSON.stringify(rows), EVENTS_CHANNEL, JSON.stringify(actor)],
  )
  return ids.map((r) => Number(r.id))
}
