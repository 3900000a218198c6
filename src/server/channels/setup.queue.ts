import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import { markChannelError } from './channel-health'
import { updateChannel } from './channels.repo'
import { CHANNEL_SETUP_QUEUE, loadChannelRef, sendContextFor } from './channels.service'
import { adapterFor } from './registry'

/**
 * Checks a channel's credentials at the provider and registers its webhook there. Success makes
 * the channel active; a failure marks it `error` with the provider's reason in lastError, so the
 * settings page can say what to fix (sending refuses channels that are not active).
 */
export function channelSetupQueue(ctx: Ctx) {
  return defineQueue<{ workspaceId: number; channelId: number }>({
    name: CHANNEL_SETUP_QUEUE,
    options: { retryLimit: 2, retryDelay: 5 },
    handler: async ({ workspaceId, channelId }) => {
      const loaded = await loadChannelRef(ctx, ctx.db, workspaceId, channelId)
      if (!loaded || loaded.row.status === 'disconnected') return
      const adapter = adapterFor(loaded.row.type)
      if (!adapter) return
      const sc = sendContextFor(ctx, loaded.row)
      try {
        await adapter.verifyCredentials?.(sc, loaded.ref)
        await adapter.configureWebhook?.(sc, loaded.ref)
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        ctx.log.warn({ channelId, err: message }, 'channel setup failed')
        await markChannelError(ctx, loaded.row, message.slice(0, 1000))
        return
      }
      await updateChannel(ctx.db, workspaceId, channelId, { status: 'active', lastError: null })
    },
  })
}
