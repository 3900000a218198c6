import type { Ctx } from '../context'
import type { Ref } from '../db/refs'
import { defineQueue } from '../jobs/jobs'
import { executeRun, executeRuns } from './engine'
import { anyDueTimer, claimDueTimers, runningRunsAfter, staleRunningRuns } from './runs.repo'
import { enqueueRun, enqueueRuns, RUN_QUEUE, type RunJob, TIMER_QUEUE, tickNow } from './wake'

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

/**
 * Runs claimed from workflow_runs at a time by a tick; they move in groups (one transaction per
 * group and step, engine.executeRuns), this many groups at once.
 */
const TIMER_CHUNK = 200
const TIMER_GROUP = 50
const TIMER_PARALLEL = 4
/** A tick hands over (a new tick, maybe taken by another process) after this long. */
const TICK_BUDGET_MS = 20_000

/**
 * Timers (rule 80 and every wait with a deadline): a tick job fires at the second timers fall
 * due (wake.tickFor); its handler claims the due runs from workflow_runs in chunks (index
 * workflow_runs_timers, oldest first, SKIP LOCKED) and executes them here, a few at once, until
 * none is due. While a chunk comes back full it leaves a tick due now, so every worker of every
 * process joins in on a large backlog. Per-run pg-boss timer jobs cost a fetch each, and fetching
 * sorts every due job: with 100,000 due the queue itself was the bottleneck (bench/README.md).
 */
export function timerQueue(ctx: Ctx) {
  // A run the batch could not move goes on alone; if even that fails, a job continues it.
  const alone = async (r: Ref) => {
    try {
      await executeRun(ctx, { workspaceId: r.workspaceId, runId: r.id })
    } catch (err) {
      ctx.log.warn({ err, runId: r.id }, 'timer run failed; retried as a job')
      await enqueueRun(ctx, null, { workspaceId: r.workspaceId, runId: r.id })
    }
  }
  return defineQueue<Record<string, never>>({
    name: TIMER_QUEUE,
    options: { policy: 'short', retryLimit: 10, retryDelay: 1, retryBackoff: true, expireInSeconds: 120 },
    concurrency: 2,
    handler: async () => {
      const started = Date.now()
      for (;;) {
        const runs = await claimDueTimers(ctx.db, TIMER_CHUNK)
        const more = runs.length === TIMER_CHUNK
        if (more) await tickNow(ctx)
        const groups: (typeof runs)[] = []
        for (let i = 0; i < runs.length; i += TIMER_GROUP) groups.push(runs.slice(i, i + TIMER_GROUP))
        await eachLimit(groups, TIMER_PARALLEL, (group) => executeRuns(ctx, group, alone))
        if (!more || Date.now() - started > TICK_BUDGET_MS) return
      }
    },
  })
}

async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** How late a timer must be before the sweep re-sends it (a backlog of due timers is not late). */
const OVERDUE_MS = 60_000

/**
 * Re-sends wake-ups for runs a dead process left mid-step (the row's state says where they are;
 * this includes runs a tick claimed but did not get to execute) and a tick for timers whose tick
 * died with its process. At boot (`all`) every running run is re-sent and any due timer ticked;
 * the minute sweep re-sends those stuck for a while. Duplicates are harmless: each step runs
 * under the run's row lock, and a tick claims only runs still waiting.
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
  // Due timers: one tick claims them all, whichever process's wait armed them.
  const timers = (await anyDueTimer(ctx.db, opts.all ? 0 : OVERDUE_MS)) ? 1 : 0
  if (timers) await tickNow(ctx)
  if (n || timers) ctx.log.info({ runs: n, dueTimers: timers > 0 }, 'workflow runs resumed')
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
