import { and, asc, eq, inArray, type SQL, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import {
  channels,
  customFields,
  customInboxes,
  lifecycleStages,
  tags,
  teams,
  workspaceMembers,
} from '../db/schema'

export type CustomInboxRow = typeof customInboxes.$inferSelect

/** Rule 46: the creator, users it is shared with, and members of teams it is shared with. */
function visibleTo(userId: number, teamId: number | null): SQL {
  const shared = sql`${customInboxes.sharedUserIds} @> ${JSON.stringify([userId])}::jsonb`
  const team =
    teamId === null ? sql`false` : sql`${customInboxes.sharedTeamIds} @> ${JSON.stringify([teamId])}::jsonb`
  return sql`(${customInboxes.createdByUserId} = ${userId} OR ${shared} OR ${team})`
}

export async function listVisibleCustomInboxes(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  teamId: number | null,
): Promise<CustomInboxRow[]> {
  return db
    .select()
    .from(customInboxes)
    .where(and(eq(customInboxes.workspaceId, workspaceId), visibleTo(userId, teamId)))
    .orderBy(asc(customInboxes.name), asc(customInboxes.id))
}

export async function findCustomInbox(
  db: DbOrTx,
  workspaceId: number,
  id: number,
): Promise<CustomInboxRow | undefined> {
  const [row] = await db
    .select()
    .from(customInboxes)
    .where(and(eq(customInboxes.workspaceId, workspaceId), eq(customInboxes.id, id)))
  return row
}

export async function countCustomInboxesOf(db: DbOrTx, workspaceId: number, userId: number) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(customInboxes)
    .where(and(eq(customInboxes.workspaceId, workspaceId), eq(customInboxes.createdByUserId, userId)))
  return row?.n ?? 0
}

export async function insertCustomInbox(
  db: DbOrTx,
  values: typeof customInboxes.$inferInsert,
): Promise<CustomInboxRow> {
  const [row] = await db.insert(customInboxes).values(values).returning()
  return row!
}

export async function updateCustomInbox(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<Pick<CustomInboxRow, 'name' | 'filter' | 'sharedUserIds' | 'sharedTeamIds'>>,
): Promise<CustomInboxRow | undefined> {
  const [row] = await db
    .update(customInboxes)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(customInboxes.workspaceId, workspaceId), eq(customInboxes.id, id)))
    .returning()
  return row
}

export async function deleteCustomInbox(db: DbOrTx, workspaceId: number, id: number): Promise<void> {
  await db
    .delete(customInboxes)
    .where(and(eq(customInboxes.workspaceId, workspaceId), eq(customInboxes.id, id)))
}

/** The custom fields of a workspace by key, with their types (filters on them are typed). */
export async function customFieldTypes(db: DbOrTx, workspaceId: number) {
  const rows = await db
    .select({ key: customFields.key, type: customFields.type })
    .from(customFields)
    .where(eq(customFields.workspaceId, workspaceId))
  return new Map(rows.map((r) => [r.key, r.type]))
}

/** Which of these ids exist in the workspace, per kind of reference a filter or a share makes. */
export async function existingIds(
  db: DbOrTx,
  workspaceId: number,
  kind: 'channel' | 'tag' | 'lifecycle' | 'user' | 'team',
  ids: number[],
): Promise<Set<number>> {
  if (ids.length === 0) return new Set()
  const rows =
    kind === 'channel'
      ? await db
          .select({ id: channels.id })
          .from(channels)
          .where(and(eq(channels.workspaceId, workspaceId), inArray(channels.id, ids)))
      : kind === 'tag'
        ? await db
            .select({ id: tags.id })
            .from(tags)
            .where(and(eq(tags.workspaceId, workspaceId), inArray(tags.id, ids)))
        : kind === 'lifecycle'
          ? await db
              .select({ id: lifecycleStages.id })
              .from(lifecycleStages)
              .where(and(eq(lifecycleStages.workspaceId, workspaceId), inArray(lifecycleStages.id, ids)))
          : kind === 'team'
            ? await db
                .select({ id: teams.id })
                .from(teams)
                .where(and(eq(teams.workspaceId, workspaceId), inArray(teams.id, ids)))
            : await db
                .select({ id: workspaceMembers.userId })
                .from(workspaceMembers)
                .where(
                  and(eq(workspaceMembers.workspaceId, workspaceId), inArray(workspaceMembers.userId, ids)),
                )
  return new Set(rows.map((r) => r.id))
}
