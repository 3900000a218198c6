import { listActiveChannelsOfTypes } from '../channels/channels.repo'
import { CHANNELS } from '../channels/registry'
import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import { syncTemplates, TEMPLATE_SYNC_ALL_QUEUE, TEMPLATE_SYNC_QUEUE } from './templates.service'

/** Template sync: one channel on request, and every channel with templates on a schedule. */
export function templateQueues(ctx: Ctx) {
  return [
    defineQueue<{ workspaceId: number; channelId: number }>({
      name: TEMPLATE_SYNC_QUEUE,
      options: { retryLimit: 3, retryDelay: 30, retryBackoff: true },
      handler: async ({ workspaceId, channelId }) => {
        await syncTemplates(ctx, workspaceId, channelId)
      },
    }),
    defineQueue<Record<string, never>>({
      name: TEMPLATE_SYNC_ALL_QUEUE,
      handler: async () => {
        const types = CHANNELS.filter((c) => c.listTemplates).map((c) => c.type)
        for (const c of await listActiveChannelsOfTypes(ctx.db, types)) {
          await ctx.jobs.enqueue(
            null,
            TEMPLATE_SYNC_QUEUE,
            { workspaceId: c.workspaceId, channelId: c.id },
            { singletonKey: `templates:${c.workspaceId}:${c.id}`, singletonSeconds: 300 },
          )
        }
      },
    }),
  ]
}
