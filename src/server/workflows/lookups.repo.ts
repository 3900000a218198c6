import { and, asc, desc, eq } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { messages, teamMembers, users, workspaceMembers } from '../db/schema'

/** Members of a workspace (optionally of one team), by user id: the Assign To candidates. */
export async function assignableMembers(db: DbOrTx, workspaceId: number, teamId?: number): Promise<number[]> {
  const rows = teamId
    ? await db
        .select({ userId: teamMembers.userId })
        .from(teamMembers)
        .where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.teamId, teamId)))
        .orderBy(asc(teamMembers.userId))
    : await db
        .select({ userId: workspaceMembers.userId })
        .from(workspaceMembers)
        .where(eq(workspaceMembers.workspaceId, workspaceId))
        .orderBy(asc(workspaceMembers.userId))
  return rows.map((r) => r.userId)
}

/** The status each member chose (online / away). */
export async function memberStatuses(
  db: DbOrTx,
  workspaceId: number,
): Promise<Map<number, 'online' | 'away'>> {
  const rows = await db
    .select({ userId: users.id, status: users.status })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(eq(workspaceMembers.workspaceId, workspaceId))
  return new Map(rows.map((r) => [r.userId, r.status]))
}

/** The contact's last incoming message (rule 73 "Last Incoming Message"). */
export async function lastIncomingMessage(db: DbOrTx, workspaceId: number, contactId: number) {
  const [row] = await db
    .select({ id: messages.id, text: messages.text, type: messages.type, createdAt: messages.createdAt })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.contactId, contactId),
        eq(messages.direction, 'in'),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(1)
  return row
}
