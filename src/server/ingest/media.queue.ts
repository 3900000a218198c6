import { ChannelAuthError, PermanentSendError } from '../channels/channel'
import { markChannelError } from '../channels/channel-health'
import { loadChannelRef, sendContextFor } from '../channels/channels.service'
import { adapterFor } from '../channels/registry'
import type { Ctx } from '../context'
import { emit, SYSTEM } from '../events'
import { storeFile } from '../files/files.service'
import { defineQueue } from '../jobs/jobs'
import { findMessage, updateMessage } from '../messages/messages.repo'
import { MEDIA_DOWNLOAD_QUEUE } from './ingest'

const RETRY_LIMIT = 5

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/aac': 'aac',
  'application/pdf': 'pdf',
}

type Media = { providerRef?: string; mimeType?: string; fileName?: string; download?: string }

/**
 * Downloads an inbound message's media from its provider (adapter.fetchMedia) and stores it as a
 * workspace file; the message then points at the file. Permanent failures are recorded on the
 * message so the inbox can say the media is unavailable.
 */
export function mediaDownloadQueue(ctx: Ctx) {
  const setMedia = async (
    workspaceId: number,
    messageId: number,
    media: Record<string, unknown>,
    fileId?: number,
  ) => {
    await ctx.db.transaction(async (tx) => {
      const current = await findMessage(tx, workspaceId, messageId)
      if (!current) return
      await updateMessage(tx, workspaceId, messageId, { content: { ...current.content, media } })
      if (fileId)
        await emit(tx, workspaceId, SYSTEM, {
          type: 'message.media_stored',
          payload: {
            contactId: current.contactId,
            conversationId: current.conversationId,
            messageId,
            fileId,
          },
        })
    })
  }
  return defineQueue<{ workspaceId: number; messageId: number }>({
    name: MEDIA_DOWNLOAD_QUEUE,
    concurrency: 2,
    options: { retryLimit: RETRY_LIMIT, retryDelay: 5, retryBackoff: true },
    handler: async ({ workspaceId, messageId }, job) => {
      const message = await findMessage(ctx.db, workspaceId, messageId)
      const media = message?.content.media as Media | undefined
      if (!message || !media?.providerRef || media.download !== 'pending') return
      const loaded = await loadChannelRef(ctx, ctx.db, workspaceId, message.channelId)
      const adapter = loaded && adapterFor(loaded.row.type)
      if (!loaded || !adapter?.fetchMedia) return
      try {
        const got = await adapter.fetchMedia(sendContextFor(ctx, loaded.row), loaded.ref, {
          providerRef: media.providerRef,
          ...(media.mimeType ? { mimeType: media.mimeType } : {}),
          ...(media.fileName ? { fileName: media.fileName } : {}),
        })
        const mimeType = got.mimeType.split(';')[0]!.trim()
        const fileName =
          got.fileName ?? media.fileName ?? `${message.type}-${message.id}.${EXTENSIONS[mimeType] ?? 'bin'}`
        const file = await storeFile(ctx, workspaceId, { fileName, mimeType, data: got.data }, null)
        await setMedia(
          workspaceId,
          messageId,
          { ...media, fileId: file.id, fileName, mimeType, size: file.size, download: 'done' },
          file.id,
        )
      } catch (err) {
        const last = job.retryCount + 1 >= RETRY_LIMIT
        if (err instanceof ChannelAuthError) await markChannelError(ctx, loaded.row, err.title)
        if (err instanceof PermanentSendError || last) {
          await setMedia(workspaceId, messageId, {
            ...media,
            download: 'failed',
            error: err instanceof PermanentSendError ? err.title : (err as Error).message,
          })
          return
        }
        ctx.log.warn({ err, messageId, attempt: job.retryCount + 1 }, 'media download failed; will retry')
        throw err
      }
    },
  })
}
