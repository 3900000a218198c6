import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { notifications } from '../db/schema'

export type NotificationRow = typeof notifications.$inferSelect

export async function insertNotification(
  db: DbOrTx,
  values: typeof notifications.$inferInsert,
): Promise<NotificationRow> {
  const [row] = await db.insert(notifications).values(values).returning()
  return row!
}

export async function listNotifications(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  opts: { before?: number | undefined; limit: number; unread?: boolean | undefined },
) {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.workspaceId, workspaceId),
        eq(notifications.userId, userId),
        ...(opts.before ? [lt(notifications.id, opts.before)] : []),
        ...(opts.unread ? [isNull(notifications.readAt)] : []),
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(opts.limit)
}

export async function countUnread(db: DbOrTx, workspaceId: number, userId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(
      and(
        eq(notifications.workspaceId, workspaceId),
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
      ),
    )
  return row?.n ?? 0
}

export async function markRead(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  ids: number[] | 'all',
  at: Date,
) {
  const rows = await db
    .update(notifications)
    .set({ readAt: at })
    .where(
      and(
        eq(notifications.workspaceId, workspaceId),
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        ...(ids === 'all' ? [] : [inArray(notifications.id, ids)]),
      ),
    )
    .returning({ id: notifications.id })
  return rows.length
}

/** A deleted contact's notifications go with it (they would point nowhere). */
export async function deleteNotificationsOfContact(db: DbOrTx, workspaceId: number, contactId: number) {
  await db
    .delete(notifications)
    .where(and(eq(notifications.workspaceId, workspaceId), eq(notifications.contactId, contactId)))
}
