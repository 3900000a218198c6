import { and, desc, eq, ilike, lt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { files, messages, users } from '../db/schema'

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

/**
 * The file a message being written will reference, locked (FOR SHARE) until that transaction ends:
 * deleting it from the library locks it FOR UPDATE first, so it waits for the message and then
 * sees it (no message ever points at a deleted file).
 */
export async function findFileForMessage(
  tx: DbOrTx,
  workspaceId: number,
  fileId: number,
): Promise<FileRow | undefined> {
  const [row] = await tx
    .select()
    .from(files)
    .where(and(eq(files.workspaceId, workspaceId), eq(files.id, fileId)))
    .for('share')
  return row
}

async function lockFileForDelete(tx: DbOrTx, workspaceId: number, fileId: number) {
  await tx
    .select({ id: files.id })
    .from(files)
    .where(and(eq(files.workspaceId, workspaceId), eq(files.id, fileId)))
    .for('update')
}

/** What the library page filters on: a broad kind from the MIME type. */
export type FileKind = 'image' | 'video' | 'audio' | 'document'

export type LibraryFilter = { q?: string | undefined; kind?: FileKind | undefined }

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

function kindCondition(kind: FileKind) {
  if (kind === 'document') {
    return sql`${files.mimeType} NOT LIKE 'image/%' AND ${files.mimeType} NOT LIKE 'video/%' AND ${files.mimeType} NOT LIKE 'audio/%'`
  }
  return sql`${files.mimeType} LIKE ${`${kind}/%`}`
}

/** Library files newest first (ids grow with time), after the keyset position `beforeId`. */
export async function listLibraryFiles(
  db: DbOrTx,
  workspaceId: number,
  f: LibraryFilter,
  beforeId: number | undefined,
  limit: number,
) {
  return db
    .select({ file: files, uploadedBy: { id: users.id, name: users.name } })
    .from(files)
    .leftJoin(users, eq(users.id, files.createdByUserId))
    .where(
      and(
        eq(files.workspaceId, workspaceId),
        eq(files.library, true),
        beforeId !== undefined ? lt(files.id, beforeId) : undefined,
        f.q ? ilike(files.fileName, like(f.q)) : undefined,
        f.kind ? kindCondition(f.kind) : undefined,
      ),
    )
    .orderBy(desc(files.id))
    .limit(limit)
}

export async function findLibraryFile(
  db: DbOrTx,
  workspaceId: number,
  fileId: number,
  opts: { lockForDelete?: boolean } = {},
) {
  if (opts.lockForDelete) await lockFileForDelete(db, workspaceId, fileId)
  const [row] = await db
    .select({ file: files, uploadedBy: { id: users.id, name: users.name } })
    .from(files)
    .leftJoin(users, eq(users.id, files.createdByUserId))
    .where(and(eq(files.workspaceId, workspaceId), eq(files.id, fileId), eq(files.library, true)))
  return row
}

export async function updateFile(
  db: DbOrTx,
  workspaceId: number,
  fileId: number,
  values: { fileName?: string; library?: boolean },
) {
  const [row] = await db
    .update(files)
    .set(values)
    .where(and(eq(files.workspaceId, workspaceId), eq(files.id, fileId)))
    .returning()
  return row
}

export async function deleteFile(db: DbOrTx, workspaceId: number, fileId: number) {
  const [row] = await db
    .delete(files)
    .where(and(eq(files.workspaceId, workspaceId), eq(files.id, fileId)))
    .returning()
  return row
}

/**
 * How many of the workspace's messages point at the file: `content.media.fileId` (media
 * messages), `content.email.fileIds` (email attachments) or any other nested `fileId`/`fileIds`.
 * Messages have no content index, so this reads the workspace's messages; it runs only on delete.
 */
export async function countMessagesUsingFile(db: DbOrTx, workspaceId: number, fileId: number) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        sql`jsonb_path_exists(${messages.content}, '$.** ? (@.fileId == $id || @.fileIds == $id)', jsonb_build_object('id', ${fileId}::int))`,
      ),
    )
  return row?.n ?? 0
}
