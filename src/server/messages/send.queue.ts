import {
  type ChannelAdapter,
  ChannelAuthError,
  type OutboundMessage,
  PermanentSendError,
} from '../channels/channel'
import { markChannelError } from '../channels/channel-health'
import { loadChannelRef, sendContextFor } from '../channels/channels.service'
import { adapterFor } from '../channels/registry'
import { findIdentityOfContact } from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import { emit, SYSTEM } from '../events'
import { signedFileUrl } from '../files/files.service'
import { defineQueue } from '../jobs/jobs'
import { findMessage, type MessageRow, updateMessage } from './messages.repo'

export const SEND_QUEUE = 'messages.send'
const RETRY_LIMIT = 6

type Failure = { code: string; title: string; detail?: string }

/**
 * Hands one pending message to its channel's provider. Transient failures retry with backoff;
 * the provider's permanent errors (and exhausted retries) mark the message failed with the reason.
 */
export function sendQueue(ctx: Ctx) {
  const fail = async (m: MessageRow, error: Failure) => {
    await ctx.db.transaction(async (tx) => {
      const row = await updateMessage(tx, m.workspaceId, m.id, {
        status: 'failed',
        error,
        failedAt: ctx.clock.now(),
      })
      await emit(tx, m.workspaceId, SYSTEM, {
        type: 'message.status_updated',
        payload: {
          contactId: m.contactId,
          conversationId: m.conversationId,
          messageId: m.id,
          status: row!.status,
        },
      })
    })
  }
  return defineQueue<{ workspaceId: number; messageId: number }>({
    name: SEND_QUEUE,
    concurrency: 4,
    // A send taken by a process that then died (kill -9) stays active until it expires (pg-boss's
    // default: 15 min). Adapters give up on a provider call (media uploads included) after 60 s.
    options: { retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true, expireInSeconds: 120 },
    handler: async ({ workspaceId, messageId }, job) => {
      const message = await findMessage(ctx.db, workspaceId, messageId)
      // Already handed over (or failed) in an earlier attempt: never send twice.
      if (message?.status !== 'pending') return
      const loaded = await loadChannelRef(ctx, ctx.db, workspaceId, message.channelId)
      const adapter: ChannelAdapter<Record<string, unknown>, Record<string, unknown>> | undefined =
        loaded && adapterFor(loaded.row.type)
      if (!loaded || !adapter)
        return fail(message, { code: 'channel_unavailable', title: 'The channel no longer exists.' })
      const identity = await findIdentityOfContact(ctx.db, workspaceId, message.contactId, message.channelId)
      if (!identity)
        return fail(message, { code: 'no_identity', title: 'The contact is not reachable on this channel.' })
      const media = message.content.media as { fileId?: number; url?: string } | undefined
      const content = media?.fileId
        ? { ...message.content, media: { ...media, url: signedFileUrl(ctx, workspaceId, media.fileId) } }
        : message.content
      try {
        const outbound: OutboundMessage = {
          id: message.id,
          contactId: message.contactId,
          authorKind: message.authorKind,
          authorId: message.authorId,
          type: message.type,
          text: message.text,
          content,
          sendMode: String(message.content.sendMode ?? 'free'),
          messageTag: message.content.messageTag as string | undefined,
        }
        if (adapter.prepare) {
          outbound.content = { ...content, ...(await adapter.prepare(ctx, loaded.ref, outbound)) }
        }
        const { providerMessageId } = await adapter.send(
          sendContextFor(ctx, loaded.row),
          loaded.ref,
          { identifier: identity.identifier },
          outbound,
        )
        await ctx.db.transaction(async (tx) => {
          // A status webhook may have raced ahead; never move a status backwards.
          const current = await findMessage(tx, workspaceId, messageId)
          const sentAt = ctx.clock.now()
          const status = current && current.status !== 'pending' ? current.status : 'sent'
          await updateMessage(tx, workspaceId, messageId, { providerMessageId, status, sentAt })
          await emit(tx, workspaceId, SYSTEM, {
            type: 'message.status_updated',
            payload: {
              contactId: message.contactId,
              conversationId: message.conversationId,
              messageId,
              status,
            },
          })
        })
      } catch (err) {
        if (err instanceof ChannelAuthError) await markChannelError(ctx, loaded.row, err.title)
        if (err instanceof PermanentSendError)
          return fail(message, {
            code: err.code,
            title: err.title,
            ...(err.detail ? { detail: err.detail } : {}),
          })
        if (job.retryCount + 1 >= RETRY_LIMIT) {
          return fail(message, {
            code: 'provider_unreachable',
            title: 'The provider could not be reached.',
            detail: (err as Error).message,
          })
        }
        ctx.log.warn({ err, messageId, attempt: job.retryCount + 1 }, 'send failed; will retry')
        throw err
      }
    },
  })
}
