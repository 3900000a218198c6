import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import { executeRun } from './engine'
import { overdueTimers, runningRunsAfter, staleRunningRuns } from './runs.repo'
import { enqueueRuns, RUN_QUEUE, type RunJob } from './wake'

export const SWEEP_QUEUE = 'workflows.sweep'

/** Steps of runs: every server process works on them (each step runs once, under the run's row lock). */
export function runQueue(ctx: Ctx) {
  return defineQueue<RunJob>({
    name: RUN_QUEUE,
    options: { policy: 'short', retryLimit: 10, retryDelay: 1, retryBackoff: true, expireInSeconds: 120 },
    // A batch completes when its slowest run yields (an HTTP step may take seconds), so more
    // workers keep the queue moving; a handler holds a connection only inside a step's transaction.
    concurrency: 4,
    batchSize: 16,
    handler: (job) => executeRun(ctx, job),
  })
}

/** How late a timer must be before the sweep re-sends it (a backlog of due timers is not late). */
const OVERDUE_MS = 60_000

/**
 * Re-sends wake-ups for runs a dead process left mid-step (the row's state says where they are)
 * and for waits whose timer job died with its process. At boot (`all`) every running run and
 * every due timer is re-sent; the minute sweep re-sends those stuck for a while. Duplicates are
 * harmless: each step runs under the run's row lock and a timer names the wait's `seq`.
 */
export async function recoverRuns(ctx: Ctx, opts: { all: boolean }): Promise<number> {
  let n = 0
  if (opts.all) {
    for (let after = 0; ; ) {
      const rows = await runningRunsAfter(ctx.db, after, 500)
      await enqueueRuns(
        ctx,
        rows.map((r) => ({ workspaceId: r.workspaceId, runId: r.id })),
      )
      n += rows.length
      if (rows.length < 500) break
      after = rows.at(-1)!.id
    }
  } else {
    const rows = await staleRunningRuns(ctx.db, 60_000, 1000)
    await enqueueRuns(
      ctx,
      rows.map((r) => ({ workspaceId: r.workspaceId, runId: r.id })),
    )
    n = rows.length
  }
  let timers = 0
  for (let after = 0; ; ) {
    const rows = await overdueTimers(ctx.db, opts.all ? 0 : OVERDUE_MS, after, 500)
    await enqueueRuns(
      ctx,
      rows.map((r) => ({ workspaceId: r.workspaceId, runId: r.id, seq: r.seq })),
    )
    timers += rows.length
    if (rows.length < 500 || (!opts.all && timers >= 1000)) break
    after = rows.at(-1)!.id
  }
  if (n || timers) ctx.log.info({ runs: n, timers }, 'workflow runs resumed')
  return n + timers
}

export function sweepQueue(ctx: Ctx) {
  return defineQueue<Record<string, never>>({
    name: SWEEP_QUEUE,
    handler: async () => {
      await recoverRuns(ctx, { all: false })
    },
  })
}
