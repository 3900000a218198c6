import { foreignKey, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { createdAt, ref, ts, workspaceId } from './columns'
import { workspaceMembers } from './tenancy'

/**
 * Who has the app open: one row per (workspace, user, server process) holding live WebSockets.
 * Each process refreshes heartbeat_at for its rows; rows of a process that died stop being
 * refreshed and count as offline once stale (assignment "only to online users" reads this).
 */
export const userPresence = pgTable(
  'user_presence',
  {
    workspaceId: workspaceId(),
    userId: ref('user_id').notNull(),
    processId: text('process_id').notNull(),
    connections: integer('connections').notNull().default(1),
    createdAt: createdAt(),
    heartbeatAt: ts('heartbeat_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId, t.processId] }),
    index('user_presence_heartbeat').on(t.heartbeatAt),
    foreignKey({
      columns: [t.workspaceId, t.userId],
      foreignColumns: [workspaceMembers.workspaceId, workspaceMembers.userId],
    }).onDelete('cascade'),
  ],
)
