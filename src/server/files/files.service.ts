import { createHmac } from 'node:crypto'
import { safeEqual } from '../auth/crypto'
import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { NotFoundError, UnprocessableError, ValidationError } from '../errors'
import {
  countMessagesUsingFile,
  deleteFile,
  type FileKind,
  findFile,
  findLibraryFile,
  insertFile,
  type LibraryFilter,
  listLibraryFiles,
  updateFile,
} from './files.repo'

export const MAX_FILE_BYTES = 25 * 1024 * 1024

export async function uploadFile(
  ctx: Ctx,
  p: Principal,
  input: { fileName: string; mimeType: string; data: Buffer; library?: boolean },
) {
  // Everyone who writes messages attaches files; adding to the library is Settings → Files (rule 104 row 15).
  authorize(p, input.library ? 'settings.files' : 'inbox.view')
  return storeFile(ctx, p.workspaceId, input, p.kind === 'user' ? p.userId : null)
}

export async function storeFile(
  ctx: Ctx,
  workspaceId: number,
  input: { fileName: string; mimeType: string; data: Buffer; library?: boolean },
  userId: number | null,
) {
  if (input.data.length === 0) throw new UnprocessableError('The file is empty.', 'empty_file')
  if (input.data.length > MAX_FILE_BYTES)
    throw new UnprocessableError('Files may be at most 25 MB.', 'file_too_large')
  const stored = await ctx.storage.put(workspaceId, input.fileName, input.data)
  return insertFile(ctx.db, {
    workspaceId,
    storageKey: stored.key,
    fileName: input.fileName,
    mimeType: input.mimeType,
    size: stored.size,
    sha256: stored.sha256,
    createdByUserId: userId,
    library: input.library ?? false,
  })
}

export async function getFile(ctx: Ctx, p: Principal, fileId: number) {
  authorize(p, 'inbox.view')
  const file = await findFile(ctx.db, p.workspaceId, fileId)
  if (!file) throw new NotFoundError('File')
  return file
}

function signature(ctx: Ctx, workspaceId: number, fileId: number, exp: number): string {
  return createHmac('sha256', ctx.config.secret)
    .update(`file:${workspaceId}:${fileId}:${exp}`)
    .digest('base64url')
}

/** A link a provider can fetch without credentials, valid for a while (outbound media by URL). */
export function signedFileUrl(ctx: Ctx, workspaceId: number, fileId: number, ttlSeconds = 24 * 3600): string {
  const exp = Math.floor(ctx.clock.now().getTime() / 1000) + ttlSeconds
  return `${ctx.config.publicUrl}/files/${workspaceId}/${fileId}?exp=${exp}&sig=${signature(ctx, workspaceId, fileId, exp)}`
}

export async function fileForSignedUrl(
  ctx: Ctx,
  workspaceId: number,
  fileId: number,
  exp: number,
  sig: string,
) {
  if (
    exp < Math.floor(ctx.clock.now().getTime() / 1000) ||
    !safeEqual(sig, signature(ctx, workspaceId, fileId, exp))
  ) {
    throw new NotFoundError('File')
  }
  const file = await findFile(ctx.db, workspaceId, fileId)
  if (!file) throw new NotFoundError('File')
  return file
}

/** How long a link copied from the library stays valid. */
export const LIBRARY_LINK_TTL_SECONDS = 7 * 24 * 3600

const encodeCursor = (id: number) => Buffer.from(`f${id}`).toString('base64url')
function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined
  const m = /^f(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!m) {
    throw new ValidationError('Invalid cursor.', [
      { path: 'querystring.cursor', message: 'Pass nextCursor back unchanged.' },
    ])
  }
  return Number(m[1])
}

export type { FileKind }

/** Settings → Files: the library, newest first, in keyset pages (rule 104 row 15). */
export async function listLibrary(
  ctx: Ctx,
  p: Principal,
  f: LibraryFilter & { cursor?: string | undefined; limit: number },
) {
  authorize(p, 'settings.files')
  const rows = await listLibraryFiles(ctx.db, p.workspaceId, f, decodeCursor(f.cursor), f.limit + 1)
  const items = rows.slice(0, f.limit)
  return { items, nextCursor: rows.length > f.limit ? encodeCursor(items.at(-1)!.file.id) : null }
}

/**
 * The composer's "From library" list: everyone who writes messages may send a library file (the
 * library is "for messages and workflows"); managing it stays with Settings → Files (row 15).
 */
export async function libraryChoices(ctx: Ctx, p: Principal, q: string | undefined, limit: number) {
  authorize(p, 'inbox.view')
  const rows = await listLibraryFiles(ctx.db, p.workspaceId, { q }, undefined, limit)
  return rows.map((r) => r.file)
}

export async function renameLibraryFile(ctx: Ctx, p: Principal, fileId: number, fileName: string) {
  authorize(p, 'settings.files')
  return ctx.db.transaction(async (tx) => {
    if (!(await findLibraryFile(tx, p.workspaceId, fileId))) throw new NotFoundError('File')
    await updateFile(tx, p.workspaceId, fileId, { fileName })
    return (await findLibraryFile(tx, p.workspaceId, fileId))!
  })
}

/**
 * Deletes a library file. Messages do not copy what they send: a media message stores the file's id
 * (`content.media.fileId`) and an email its `content.email.fileIds`, and both are read again when
 * the message is shown, re-sent or fetched by a provider through a signed link. So:
 * - a file no message uses is deleted from the database and from storage;
 * - a file that messages already sent is only taken out of the library (it stops being listed,
 *   renamed or offered), and stays stored so those messages keep showing it. It is then like
 *   any other attachment and goes away with the workspace.
 */
export async function removeLibraryFile(
  ctx: Ctx,
  p: Principal,
  fileId: number,
): Promise<{ outcome: 'deleted' | 'unlisted'; messages: number }> {
  authorize(p, 'settings.files')
  const result = await ctx.db.transaction(async (tx) => {
    // Waits for messages being written with this file (they hold it FOR SHARE), then counts them.
    const found = await findLibraryFile(tx, p.workspaceId, fileId, { lockForDelete: true })
    if (!found) throw new NotFoundError('File')
    const used = await countMessagesUsingFile(tx, p.workspaceId, fileId)
    if (used > 0) {
      await updateFile(tx, p.workspaceId, fileId, { library: false })
      return { outcome: 'unlisted' as const, messages: used, storageKey: null }
    }
    await deleteFile(tx, p.workspaceId, fileId)
    return { outcome: 'deleted' as const, messages: 0, storageKey: found.file.storageKey }
  })
  // After the commit: a failed transaction never loses bytes a row still points at.
  if (result.storageKey) await ctx.storage.remove(result.storageKey)
  return { outcome: result.outcome, messages: result.messages }
}
