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
  | {
      type: 'contact.assignee_updated'
      payload: { contactId: number; from: number | null; to: number | null; reason: string }
    }

export type EventType = DomainEvent['type']

/** The NOTIFY channel that carries committed events to every server process. */
export const EVENTS_CHANNEL = 'tawasul_events'

export type EventNotice = { workspaceId: number; id: number; type: EventType; actor: Actor }

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
  const [row] = await tx
    .insert(events)
    .values({
      workspaceId,
      type: event.type,
      actorKind: actor.kind,
      actorId: actor.id,
      payload: event.payload,
    })
    .returning({ id: events.id })
  const notice: EventNotice = { workspaceId, id: row!.id, type: event.type, actor }
  await rawClientOf(tx).query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(notice)])
  return row!.id
}
