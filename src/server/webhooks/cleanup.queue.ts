import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import { deleteOldPayloads } from './deliveries.repo'

export const WEBHOOK_CLEANUP_QUEUE = 'webhooks.cleanup'

/** Retention of the delivery log: finished deliveries older than WEBHOOK_RETENTION_DAYS are removed. */
export function webhookCleanupQueue(ctx: Ctx) {
  return defineQueue<Record<string, never>>({
    name: WEBHOOK_CLEANUP_QUEUE,
    handler: async () => {
      const cutoff = new Date(ctx.clock.now().getTime() - ctx.config.webhooks.retentionDays * 86_400_000)
      let removed = 0
      for (;;) {
        const n = await deleteOldPayloads(ctx.db, cutoff, 5000)
        removed += n
        if (n < 5000) break
      }
      if (removed) ctx.log.info({ removed }, 'old webhook deliveries removed')
    },
  })
}
