import { and, asc, desc, eq, gt, gte, inArray, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { conversations, events, messages, notifications, sessions, teamMembers } from '../db/schema'

export type EventRow = typeof events.$inferSelect

export async function findEventsByIds(db: DbOrTx, workspaceId: number, ids: number[]): Promise<EventRow[]> {
  if (ids.length === 0) return []
  return db
    .select()
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), inArray(events.id, ids)))
    .orderBy(asc(events.id))
}

export async function latestEventId(db: DbOrTx, workspaceId: number): Promise<number> {
  const [row] = await db
    .select({ id: events.id })
    .from(events)
    .where(eq(events.workspaceId, workspaceId))
    .orderBy(desc(events.id))
    .limit(1)
  return row?.id ?? 0
}

/**
 * Events a reconnecting client missed: those after `afterId`, plus a few numbered before it.
 * Ids come from a sequence when a transaction inserts its event, but transactions commit in their
 * own order, so an event with a smaller id can become visible after the client saw a larger one.
 * Those stragglers were created at most `overlap.ms` before the anchor event and are among the
 * last `overlap.ids` ids; the client drops repeats by id. One range scan of the primary key
 * (workspace_id, id), at most `limit` rows.
 */
export async function eventsToReplay(
  db: DbOrTx,
  workspaceId: number,
  afterId: number,
  overlap: { ms: number; ids: number },
  limit: number,
): Promise<EventRow[]> {
  const [anchor] = await db
    .select({ createdAt: events.createdAt })
    .from(events)
    .where(and(eq(events.workspaceId, workspaceId), eq(events.id, afterId)))
  const straggler = anchor
    ? gte(events.createdAt, new Date(anchor.createdAt.getTime() - overlap.ms))
    : sql`false`
  return db
    .select()
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        gt(events.id, Math.max(0, afterId - overlap.ids)),
        or(gt(events.id, afterId), straggler),
      ),
    )
    .orderBy(asc(events.id))
    .limit(limit)
}

export async function findMessagesByIds(db: DbOrTx, workspaceId: number, ids: number[]) {
  if (ids.length === 0) return []
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), inArray(messages.id, ids)))
}

export async function findConversationsByIds(db: DbOrTx, workspaceId: number, ids: number[]) {
  if (ids.length === 0) return []
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), inArray(conversations.id, ids)))
}

export async function findNotificationsByIds(db: DbOrTx, workspaceId: number, ids: number[]) {
  if (ids.length === 0) return []
  return db
    .select()
    .from(notifications)
    .where(and(eq(notifications.workspaceId, workspaceId), inArray(notifications.id, ids)))
}

export async function teamsOfUsers(db: DbOrTx, workspaceId: number, userIds: number[]) {
  if (userIds.length === 0) return new Map<number, number>()
  const rows = await db
    .select({ userId: teamMembers.userId, teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(eq(teamMembers.workspaceId, workspaceId), inArray(teamMembers.userId, userIds)))
  return new Map(rows.map((r) => [r.userId, r.teamId]))
}

/** Which of these sessions still exist and have not expired (sign-out ends live sockets too). */
export async function liveSessionIds(db: DbOrTx, ids: string[], now: Date): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(inArray(sessions.id, ids), sql`${sessions.expiresAt} > ${now.toISOString()}::timestamptz`))
  return new Set(rows.map((r) => r.id))
}
