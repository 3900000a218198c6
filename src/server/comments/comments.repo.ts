import { and, eq } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { comments } from '../db/schema'

export type CommentRow = typeof comments.$inferSelect

export async function findComment(
  db: DbOrTx,
  workspaceId: number,
  commentId: number,
): Promise<CommentRow | undefined> {
  const [row] = await db
    .select()
    .from(comments)
    .where(and(eq(comments.workspaceId, workspaceId), eq(comments.id, commentId)))
  return row
}
