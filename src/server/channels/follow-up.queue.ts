import type { Ctx } from '../context'
import { FOLLOW_UP_QUEUE } from '../ingest/ingest'
import { defineQueue } from '../jobs/jobs'
import { loadChannelRef, sendContextFor } from './channels.service'
import { adapterFor } from './registry'

/** The provider call an inbound message asked for once stored (e.g. Telegram answerCallbackQuery). */
export function followUpQueue(ctx: Ctx) {
  return defineQueue<{ workspaceId: number; channelId: number; data: Record<string, unknown> }>({
    name: FOLLOW_UP_QUEUE,
    concurrency: 2,
    options: { retryLimit: 3, retryDelay: 2, retryBackoff: true },
    handler: async ({ workspaceId, channelId, data }) => {
      const loaded = await loadChannelRef(ctx, ctx.db, workspaceId, channelId)
      const adapter = loaded && adapterFor(loaded.row.type)
      if (!loaded || !adapter?.followUp) return
      await adapter.followUp(sendContextFor(ctx, loaded.row), loaded.ref, data)
    },
  })
}
