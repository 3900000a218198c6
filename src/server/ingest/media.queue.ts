import { loadChannelRef, sendContextFor } from '../channels/channels.service'
import { adapterFor } from '../channels/registry'
import type { Ctx } from '../context'
import { emit, SYSTEM } from '../events'
import { MAX_FILE_BYTES, storeFile } from '../files/files.service'
import { defineQueue } from '../jobs/jobs'
import { findMessage, updateMessage } from '../messages/messages.repo'
import { MEDIA_DOWNLOAD_QUEUE } from './ingest'

const RETRY_LIMIT = 4

/**
 * Downloads the media of an inbound message from the provider (the webhook only carries a
 * reference), stores it with ctx.storage and links the file to the message. Providers' media
 * links expire, so this runs right after ingest; after the last retry the message keeps a
 * `downloadError` the inbox can show.
 */
export function mediaDownloadQueue(ctx: Ctx) {
  return defineQueue<{
    workspaceId: number
    channelId: number
    messageId: number
    ref: Record<string, unknown>
  }>({
    name: MEDIA_DOWNLOAD_QUEUE,
    concurrency: 2,
    options: { retryLimit: RETRY_LIMIT, retryDelay: 5, retryBackoff: true },
    handler: async ({ workspaceId, channelId, messageId, ref }, job) => {
      const message = await findMessage(ctx.db, workspaceId, messageId)
      const loaded = await loadChannelRef(ctx, ctx.db, workspaceId, channelId)
      const adapter = loaded && adapterFor(loaded.row.type)
      if (!message || !loaded || !adapter?.downloadMedia) return
      const media = (message.content.media ?? {}) as Record<string, unknown>
      if (media.fileId) return
      let update: Record<string, unknown>
      try {
        const got = await adapter.downloadMedia(sendContextFor(ctx, loaded.row), loaded.ref, ref)
        if (got.data.length > MAX_FILE_BYTES)
          throw new Error(`The file is larger than ${MAX_FILE_BYTES} bytes.`)
        const fileName =
          got.fileName ?? (media.fileName as string | undefined) ?? `${message.type}-${messageId}`
        const file = await storeFile(
          ctx,
          workspaceId,
          { fileName, mimeType: got.mimeType, data: got.data },
          null,
        )
        update = { ...media, fileId: file.id, fileName, mimeType: file.mimeType, size: file.size }
      } catch (err) {
        if (job.retryCount + 1 < RETRY_LIMIT) throw err
        update = { ...media, downloadError: err instanceof Error ? err.message : String(err) }
      }
      await ctx.db.transaction(async (tx) => {
        await updateMessage(tx, workspaceId, messageId, { content: { ...message.content, media: update } })
        await emit(tx, workspaceId, SYSTEM, {
          type: 'message.updated',
          payload: {
            contactId: message.contactId,
            conversationId: message.conversationId,
            messageId,
            changes: ['media'],
          },
        })
      })
    },
  })
}
