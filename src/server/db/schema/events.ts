import { sql } from 'drizzle-orm'
import { bigint, boolean, customType, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { createdAt, ref, tenantId, updatedAt, workspaceId } from './columns'

/** PostgreSQL's 64-bit transaction id (PG 13+), read as a decimal string. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' })

import { workspaces } from './tenancy'

/**
 * Domain events, written in the same transaction as the change they describe (an outbox and an
 * audit trail in one). Realtime fan-out and durable listeners are driven from it.
 */
export const events = pgTable(
  'events',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    type: text('type').notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: ref('actor_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    contactId: ref('contact_id'),
    conversationId: ref('conversation_id'),
    /** Shown inline in the conversation and in Activities (rule 14), never to the contact. */
    onTimeline: boolean('on_timeline').notNull().default(false),
    /**
     * The writing transaction's id. Consumers read events only below the oldest running
     * transaction (pg_snapshot_xmin), so an event that commits late is never skipped.
     */
    txId: xid8('tx_id').notNull().default(sql`pg_current_xact_id()`),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.type, t.createdAt),
    index('events_timeline').on(t.workspaceId, t.contactId, t.id).where(sql`on_timeline`),
    index('events_log').on(t.txId, t.id),
  ],
)

/** Where each durable consumer of the event log has got to (see events/consumers.ts). */
export const eventCursors = pgTable('event_cursors', {
  name: text('name').primaryKey(),
  txId: xid8('tx_id').notNull(),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
  updatedAt: updatedAt(),
})
