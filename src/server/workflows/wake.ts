import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { rawClientOf } from '../db/database'

export const RUN_QUEUE = 'workflows.run'
/** Timer ticks: one job per second in which timers fall due, however many runs wait for it. */
export const TIMER_QUEUE = 'workflows.timers'
/**
 * NOTIFY channel: a run has work now (payload: its id), or a tick is due now (payload `tick`), so
 * workers fetch instead of waiting for their next poll.
 */
export const WORKFLOWS_CHANNEL = 'tawasul_workflows'

/**
 * A wake-up for a run. Without `seq` it continues a running run ("kick"); with `seq` it is the
 * timer of one particular wait and does nothing once the run has moved on (timers are ticks now,
 * armTimer; such jobs may still be queued from before, and are honoured).
 */
export type RunJob = { workspaceId: number; runId: number; seq?: number }

/**
 * Enqueues a wake-up in the caller's transaction. Jobs are deduplicated per key (queue policy
 * "short": one queued job per key); duplicates that still run are harmless because the run row
 * is locked and its state checked before every step.
 */
const keyOf = (job: RunJob) => (job.seq === undefined ? `kick:${job.runId}` : `timer:${job.runId}:${job.seq}`)

/**
 * Many wake-ups at once, due now: outside any transaction (recovery after a restart), or in the
 * caller's, with one NOTIFY so every process's workers fetch once it commits.
 */
export async function enqueueRuns(ctx: Ctx, jobs: RunJob[], tx?: DbOrTx): Promise<void> {
  if (jobs.length === 0) return
  await ctx.jobs.enqueueMany(
    RUN_QUEUE,
    jobs.map((data) => ({ data, options: { singletonKey: keyOf(data) } })),
    tx,
  )
  if (tx) await rawClientOf(tx).query('SELECT pg_notify($1, $2)', [WORKFLOWS_CHANNEL, String(jobs[0]!.runId)])
  else ctx.jobs.wake(RUN_QUEUE)
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

/**
 * The tick that fires the timers due by the end of `until`'s second: a job with that second's
 * key, so every wait falling due in one second shares one job (100,000 contacts released at the
 * same instant are one job, not 100,000; they are then claimed from workflow_runs in chunks,
 * run.queue timerQueue). A timer fires at most a second late.
 */
export function tickFor(until: Date): { singletonKey: string; startAfter: Date } {
  const second = Math.ceil(until.getTime() / 1000)
  return { singletonKey: `tick:${second}`, startAfter: new Date(second * 1000) }
}

/** Arms the timer of a wait, in the transaction that records the wait (wait_until on the run). */
export async function armTimer(ctx: Ctx, tx: DbOrTx, until: Date): Promise<void> {
  await ctx.jobs.enqueue(tx, TIMER_QUEUE, {}, tickFor(until))
}

/**
 * A tick due now (more timers are due than one worker took; recovery after a restart), with a
 * NOTIFY so that the workers of every process, not only this one's, fetch it.
 */
export async function tickNow(ctx: Ctx): Promise<void> {
  await ctx.jobs.enqueue(null, TIMER_QUEUE, {}, { singletonKey: 'tick:now' })
  await ctx.db.transaction((tx) =>
    rawClientOf(tx).query('SELECT pg_notify($1, $2)', [WORKFLOWS_CHANNEL, 'tick']),
  )
}
