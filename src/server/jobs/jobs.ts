import PgBoss from 'pg-boss'
import type { Database, DbOrTx } from '../db/database'
import { rawClientOf } from '../db/database'
import type { Log } from '../log'

export type JobOptions = Pick<
  PgBoss.SendOptions,
  'startAfter' | 'singletonKey' | 'singletonSeconds' | 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'id'
>

export type QueueDefinition<T> = {
  name: string
  options?: Omit<PgBoss.Queue, 'name'>
  /** Jobs are delivered one at a time; throw to retry per the queue's retry policy. */
  handler: (data: T, job: { id: string; retryCount: number }) => Promise<void>
  /** Concurrent handlers in this process. */
  concurrency?: number
  /**
   * Jobs fetched per poll (default 1); a batch's jobs run concurrently and are completed (or
   * failed and retried) together, so handlers must be idempotent. A worker whose fetch came back
   * full fetches again at once; otherwise it waits a poll interval (or a `wake`).
   */
  batchSize?: number
}

export function defineQueue<T>(q: QueueDefinition<T>): QueueDefinition<T> {
  return q
}

export type Jobs = {
  boss: PgBoss
  /** Enqueues a job; pass the current transaction so the job exists iff the transaction commits. */
  enqueue: <T extends object>(
    tx: DbOrTx | null,
    name: string,
    data: T,
    options?: JobOptions,
  ) => Promise<string | null>
  /**
   * Enqueues many jobs of one queue, a statement per thousand; jobs whose singleton key already
   * has a queued job are skipped, as with `enqueue`. With `tx`, they exist iff it commits.
   */
  enqueueMany: <T extends object>(
    name: string,
    jobs: { data: T; options?: Pick<JobOptions, 'startAfter' | 'singletonKey'> }[],
    tx?: DbOrTx | null,
  ) => Promise<void>
  /** Creates the queues and, unless `work` is false, starts this process's workers on them. */
  register: (queues: QueueDefinition<never>[], opts?: { work?: boolean }) => Promise<void>
  /** Makes this process's workers of a queue fetch now instead of at their next poll. */
  wake: (queue: string) => void
  start: () => Promise<void>
  stop: () => Promise<void>
}

const SCHEMA = 'pgboss'

export type JobsOptions = {
  pollSeconds: number
  stopTimeoutMs: number
  /** Maintenance and cron scheduling; off for one-off command-line runs. */
  maintenance?: boolean
}

/**
 * Creating a queue attaches a partition to pgboss.job; two processes booting at once on a fresh
 * database deadlock there (40P01). The loser is rolled back and the creation is idempotent, so
 * try again after a short, random pause.
 */
async function createQueueOnce(boss: PgBoss, q: QueueDefinition<never>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (await boss.getQueue(q.name)) return
      await boss.createQueue(q.name, { name: q.name, ...(q.options ?? {}) })
      return
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt))
    }
  }
}

export function createJobs(database: Database, log: Log, opts: JobsOptions): Jobs {
  const maintenance = opts.maintenance ?? true
  // Maintenance also fails expired active jobs (taken by a process that died) so they are retried.
  const common = {
    schema: SCHEMA,
    supervise: maintenance,
    schedule: maintenance,
    migrate: true,
    maintenanceIntervalSeconds: 30,
  }
  const boss =
    database.kind === 'pglite'
      ? new PgBoss({
          ...common,
          db: {
            // pg-boss sends its schema migration as one multi-statement text without parameters.
            executeSql: async (text: string, values: unknown[]) => {
              if (values?.length) return database.query(text, values)
              const results = await database.pglite!.exec(text)
              return results.at(-1) ?? { rows: [] }
            },
          },
        })
      : new PgBoss({ ...common, connectionString: database.url, max: 4, application_name: 'tawasul-jobs' })
  boss.on('error', (err) => log.error({ err }, 'job system error'))

  const workerIds: string[] = []
  const workersByQueue = new Map<string, string[]>()
  let started = false

  return {
    boss,
    async enqueue(tx, name, data, options = {}) {
      const db = tx
        ? { executeSql: (text: string, values: unknown[]) => rawClientOf(tx).query(text, values) }
        : undefined
      return boss.send(name, data, { ...options, ...(db ? { db } : {}) })
    },
    async enqueueMany(name, jobs, tx) {
      const db = tx
        ? { executeSql: (text: string, values: unknown[]) => rawClientOf(tx).query(text, values) }
        : undefined
      for (let i = 0; i < jobs.length; i += 1000) {
        await boss.insert(
          jobs.slice(i, i + 1000).map((j) => ({
            name,
            data: j.data,
            ...(j.options?.singletonKey ? { singletonKey: j.options.singletonKey } : {}),
            ...(j.options?.startAfter ? { startAfter: j.options.startAfter as Date } : {}),
          })),
          db ? { db } : {},
        )
      }
    },
    async register(queues, { work = true } = {}) {
      for (const q of queues) {
        await createQueueOnce(boss, q)
        if (!work) continue
        const concurrency = q.concurrency ?? 1
        const batchSize = q.batchSize ?? 1
        for (let i = 0; i < concurrency; i++) {
          let id = ''
          id = await boss.work<never>(
            q.name,
            { pollingIntervalSeconds: opts.pollSeconds, batchSize },
            async (jobs) => {
              // A full batch means more may be due (a burst, or many timers coming due together):
              // fetch again as soon as this one is done instead of after a poll interval.
              if (jobs.length === batchSize) boss.notifyWorker(id)
              const run = (job: (typeof jobs)[number]) =>
                q.handler(job.data, {
                  id: job.id,
                  retryCount: (job as { retryCount?: number }).retryCount ?? 0,
                })
              if (jobs.length === 1) return run(jobs[0]!)
              // Every handler finishes before the batch is completed or failed.
              const failed = (await Promise.allSettled(jobs.map(run))).find((r) => r.status === 'rejected')
              if (failed) throw failed.reason
            },
          )
          workerIds.push(id)
          workersByQueue.set(q.name, [...(workersByQueue.get(q.name) ?? []), id])
        }
      }
    },
    wake(queue) {
      if (!started) return
      for (const id of workersByQueue.get(queue) ?? []) boss.notifyWorker(id)
    },
    async start() {
      await boss.start()
      started = true
    },
    async stop() {
      if (!started) return
      started = false
      // graceful: waits for in-flight handlers to finish (up to the timeout) before closing.
      await boss.stop({ graceful: true, wait: true, timeout: opts.stopTimeoutMs })
    },
  }
}
