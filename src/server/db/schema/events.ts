import { sql } from 'drizzle-orm'
import { boolean, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { createdAt, ref, tenantId, workspaceId } from './columns'
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
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.type, t.createdAt),
    index('events_timeline').on(t.workspaceId, t.contactId, t.id).where(sql`on_timeline`),
  ],
)
