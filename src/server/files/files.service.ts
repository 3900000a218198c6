import { createHmac } from 'node:crypto'
import { safeEqual } from '../auth/crypto'
import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { NotFoundError, UnprocessableError } from '../errors'
import { findFile, insertFile } from './files.repo'

export const MAX_FILE_BYTES = 25 * 1024 * 1024

export async function uploadFile(
  ctx: Ctx,
  p: Principal,
  input: { fileName: string; mimeType: string; data: Buffer },
) {
  authorize(p, 'inbox.view')
  return storeFile(ctx, p.workspaceId, input, p.kind === 'user' ? p.userId : null)
}

export async function storeFile(
  ctx: Ctx,
  workspaceId: number,
  input: { fileName: string; mimeType: string; data: Buffer },
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
