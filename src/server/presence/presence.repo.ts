import { and, eq, gt, lt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { userPresence, users, workspaceMembers } from '../db/schema'

/** Records that a user has `connections` live sockets on this process (0 removes the row). */
export async function setPresence(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  processId: string,
  connections: number,
): Promise<void> {
  if (connections <= 0) {
    await db
      .delete(userPresence)
      .where(
        and(
          eq(userPresence.workspaceId, workspaceId),
          eq(userPresence.userId, userId),
          eq(userPresence.processId, processId),
        ),
      )
    return
  }
  await db
    .insert(userPresence)
    .values({ workspaceId, userId, processId, connections })
    .onConflictDoUpdate({
      target: [userPresence.workspaceId, userPresence.userId, userPresence.processId],
      set: { connections, heartbeatAt: sql`now()` },
    })
}

/** One statement per heartbeat for every row this process holds. */
export async function touchPresenceOfProcess(db: DbOrTx, processId: string): Promise<void> {
  await db.update(userPresence).set({ heartbeatAt: sql`now()` }).where(eq(userPresence.processId, processId))
}

export async function deletePresenceOfProcess(db: DbOrTx, processId: string): Promise<void> {
  await db.delete(userPresence).where(eq(userPresence.processId, processId))
}

/**
 * Maintenance across workspaces: rows a crashed process left behind. Readers already ignore them
 * (they compare heartbeat_at with a cutoff); this only keeps the table small.
 */
export async function deleteStalePresence(db: DbOrTx, olderThanMs: number): Promise<number> {
  const rows = await db
    .delete(userPresence)
    .where(lt(userPresence.heartbeatAt, sql`now() - ${`${Math.ceil(olderThanMs)} milliseconds`}::interval`))
    .returning({ userId: userPresence.userId })
  return rows.length
}

export type PresenceState = 'online' | 'away' | 'offline'

/**
 * Members with a live socket on any process (a heartbeat within `freshMs`) and their chosen
 * status: connected and "online" is online, connected and "away" is away; the rest are offline.
 */
export async function connectedMembers(
  db: DbOrTx,
  workspaceId: number,
  freshMs: number,
): Promise<Map<number, Exclude<PresenceState, 'offline'>>> {
  const rows = await db
    .selectDistinct({ userId: userPresence.userId, status: users.status })
    .from(userPresence)
    .innerJoin(users, eq(users.id, userPresence.userId))
    .where(
      and(
        eq(userPresence.workspaceId, workspaceId),
        gt(userPresence.heartbeatAt, sql`now() - ${`${Math.ceil(freshMs)} milliseconds`}::interval`),
      ),
    )
  return new Map(rows.map((r) => [r.userId, r.status]))
}

/** Open contacts per member (rule 25 "least open contacts"; the assignment dropdown shows it). */
export async function openContactCounts(db: DbOrTx, workspaceId: number): Promise<Map<number, number>> {
  const rows = await openContactCountsQuery(db, workspaceId)
  return new Map(rows.map((r) => [r.userId, r.n]))
}

export function openContactCountsQuery(db: DbOrTx, workspaceId: number) {
  return db
    .select({
      userId: workspaceMembers.userId,
      // One contacts_inbox_assignee range per member.
      n: sql<number>`(SELECT count(*) FROM contacts c WHERE c.workspace_id = ${workspaceId} AND c.assignee_user_id = ${workspaceMembers.userId} AND c.inbox_status = 'open' AND c.blocked_at IS NULL)::int`,
    })
    .from(workspaceMembers)
    .where(eq(workspaceMembers.workspaceId, workspaceId))
}

/** Tells every server process (and this one) that a member's presence changed. */
export async function announcePresence(db: DbOrTx, channel: string, workspaceId: number, userId: number) {
  await db.execute(sql`SELECT pg_notify(${channel}, ${JSON.stringify({ workspaceId, userId })})`)
}
