import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import { executeRun } from './engine'
import { runningRunsAfter, staleRunningRuns } from './runs.repo'
import { enqueueRun, RUN_QUEUE, type RunJob } from './wake'

export const SWEEP_QUEUE = 'workflows.sweep'

/** Steps of runs: every server process works on them (each step runs once, under the run's row lock). */
export function runQueue(ctx: Ctx) {
  return defineQueue<RunJob>({
    name: RUN_QUEUE,
    options: { policy: 'short', retryLimit: 10, retryDelay: 1, retryBackoff: true, expireInSeconds: 120 },
    concurrency: 2,
    batchSize: 16,
    handler: (job) => executeRun(ctx, job),
  })
}

/** Re-sends wake-ups for runs a dead process left mid-step (the row's state says where they are). */
export async function recoverRuns(ctx: Ctx, opts: { all: boolean }): Promise<number> {
  let n = 0
  if (opts.all) {
    for (let after = 0; ; ) {
      const rows = await runningRunsAfter(ctx.db, after, 500)
      for (const r of rows) await enqueueRun(ctx, null, { workspaceId: r.workspaceId, runId: r.id })
      n += rows.length
      if (rows.length < 500) break
      after = rows.at(-1)!.id
    }
  } else {
    const rows = await staleRunningRuns(ctx.db, 60_000, 1000)
    for (const r of rows) await enqueueRun(ctx, null, { workspaceId: r.workspaceId, runId: r.id })
    n = rows.length
  }
  if (n) ctx.log.info({ runs: n }, 'workflow runs resumed')
  return n
}

export function sweepQueue(ctx: Ctx) {
  return defineQueue<Record<string, never>>({
    name: SWEEP_QUEUE,
    handler: async () => {
      await recoverRuns(ctx, { all: false })
    },
  })
}
