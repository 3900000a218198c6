import { and, desc, eq, inArray, lt } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { comments } from '../db/schema'

export type CommentRow = typeof comments.$inferSelect

export async function insertComment(db: DbOrTx, values: typeof comments.$inferInsert): Promise<CommentRow> {
  const [row] = await db.insert(comments).values(values).returning()
  return row!
}

/** A contact's comments, newest first, keyset by id. */
export async function listCommentsOfContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  opts: { before?: number | undefined; limit: number },
): Promise<CommentRow[]> {
  return db
    .select()
    .from(comments)
    .where(
      and(
        eq(comments.workspaceId, workspaceId),
        eq(comments.contactId, contactId),
        ...(opts.before ? [lt(comments.id, opts.before)] : []),
      ),
    )
    .orderBy(desc(comments.id))
    .limit(opts.limit)
}

export async function findCommentsByIds(
  db: DbOrTx,
  workspaceId: number,
  ids: number[],
): Promise<CommentRow[]> {
  if (ids.length === 0) return []
  return db
    .select()
    .from(comments)
    .where(and(eq(comments.workspaceId, workspaceId), inArray(comments.id, ids)))
}
