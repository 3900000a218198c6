import type { Ctx } from '../context'
import { findFile } from '../files/files.repo'
import { PermanentSendError, type SendContext } from './channel'

/** What an adapter may use to reach the outside world: HTTP, workspace files, cross-process NOTIFY. */
export function sendContext(ctx: Ctx, workspaceId: number): SendContext {
  return {
    fetch,
    log: ctx.log,
    readFile: async (fileId) => {
      const file = await findFile(ctx.db, workspaceId, fileId)
      if (!file) throw new PermanentSendError('file_missing', `Attachment file ${fileId} no longer exists.`)
      return {
        fileName: file.fileName,
        mimeType: file.mimeType,
        data: await ctx.storage.read(file.storageKey),
      }
    },
    publish: async (topic, payload) => {
      await ctx.database.query('SELECT pg_notify($1, $2)', [topic, JSON.stringify(payload)])
    },
  }
}
