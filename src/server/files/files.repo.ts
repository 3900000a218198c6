import { and, eq } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { files } from '../db/schema'

export type FileRow = typeof files.$inferSelect

export async function insertFile(db: DbOrTx, values: typeof files.$inferInsert): Promise<FileRow> {
  const [row] = await db.insert(files).values(values).returning()
  return row!
}

export async function findFile(
  db: DbOrTx,
  workspaceId: number,
  fileId: number,
): Promise<FileRow | undefined> {
  const [row] = await db
    .select()
    .from(files)
    .where(and(eq(files.workspaceId, workspaceId), eq(files.id, fileId)))
  return row
}
