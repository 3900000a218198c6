import type { InboundStatus } from '../channels/channel'
import { findChannel } from '../channels/channels.repo'
import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import { ingest, STATUS_RETRY_QUEUE } from './ingest'

/** Re-applies a delivery receipt that arrived before its message's provider id was stored. */
export function statusRetryQueue(ctx: Ctx) {
  return defineQueue<{
    workspaceId: number
    channelId: number
    status: InboundStatus & { timestamp: string | Date }
  }>({
    name: STATUS_RETRY_QUEUE,
    handler: async ({ workspaceId, channelId, status }) => {
      const channel = await findChannel(ctx.db, workspaceId, channelId)
      if (!channel) return
      await ingest(ctx, channel, [{ ...status, timestamp: new Date(status.timestamp) }])
    },
  })
}
