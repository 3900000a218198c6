import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { rawClientOf } from '../db/database'

export const RUN_QUEUE = 'workflows.run'
/** NOTIFY channel: a run has work now, so workers fetch instead of waiting for their next poll. */
export const WORKFLOWS_CHANNEL = 'tawasul_workflows'

/**
 * A wake-up for a run. Without `seq` it continues a running run ("kick"); with `seq` it is the
 * timer of one particular wait and does nothing once the run has moved on.
 */
export type RunJob = { workspaceId: number; runId: number; seq?: number }

/**
 * Enqueues a wake-up in the caller's transaction. Jobs are deduplicated per key (queue policy
 * "short": one queued job per key); duplicates that still run are harmless because the run row
 * is locked and its state checked before every step.
 */
const keyOf = (job: RunJob) => (job.seq === undefined ? `kick:${job.runId}` : `timer:${job.runId}:${job.seq}`)

/** Many wake-ups at once, outside any transaction (recovery after a restart); due now. */
export async function enqueueRuns(ctx: Ctx, jobs: RunJob[]): Promise<void> {
  if (jobs.length === 0) return
  await ctx.jobs.enqueueMany(
    RUN_QUEUE,
    jobs.map((data) => ({ data, options: { singletonKey: keyOf(data) } })),
  )
  ctx.jobs.wake(RUN_QUEUE)
}

export async function enqueueRun(ctx: Ctx, tx: DbOrTx | null, job: RunJob, startAfter?: Date): Promise<void> {
  await ctx.jobs.enqueue(tx, RUN_QUEUE, job, {
    singletonKey: keyOf(job),
    ...(startAfter ? { startAfter } : {}),
  })
  if (!startAfter) {
    if (tx) await rawClientOf(tx).query('SELECT pg_notify($1, $2)', [WORKFLOWS_CHANNEL, String(job.runId)])
    else ctx.jobs.wake(RUN_QUEUE)
  }
}
