import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createLogger } from '../log'
import { startTestServer, type TestServer } from '../test/harness'
import { createJobs, defineQueue } from './jobs'

let server: TestServer
before(async () => {
  server = await startTestServer({ listen: false })
})
after(() => server.close())

/**
 * Issue 5 (100k timers coming due together): a backlog bigger than one batch drains batch after
 * batch, without waiting a poll interval between them. The poll interval here is a minute; without
 * the immediate re-fetch, 60 jobs in batches of 5 would take eleven minutes.
 */
test('a backlog larger than a batch drains without waiting a poll interval per batch', async () => {
  const jobs = createJobs(server.ctx.database, createLogger('silent'), {
    pollSeconds: 60,
    stopTimeoutMs: 2000,
    maintenance: false,
  })
  const done = new Map<number, number>()
  // A batch's handlers run together: one that starts while none runs opens a new batch.
  let running = 0
  let largest = 0
  let batches = 0
  const queue = defineQueue<{ n: number }>({
    name: 'test.backlog',
    batchSize: 5,
    handler: async ({ n }) => {
      if (running++ === 0) batches++
      largest = Math.max(largest, running)
      await new Promise((r) => setImmediate(r))
      running--
      done.set(n, (done.get(n) ?? 0) + 1)
    },
  })
  await jobs.start()
  try {
    await jobs.register([queue as never])
    // The worker's first fetch found nothing; it now sleeps for its poll interval.
    await jobs.enqueueMany(
      'test.backlog',
      Array.from({ length: 60 }, (_, n) => ({ data: { n } })),
    )
    const started = Date.now()
    jobs.wake('test.backlog')
    while (done.size < 60 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20))
    assert.equal(done.size, 60, `${done.size} of 60 jobs ran within 30 s`)
    assert.ok(
      [...done.values()].every((n) => n === 1),
      'each job ran once',
    )
    assert.ok(
      largest <= 5 && batches >= 12,
      `ran in batches of at most 5 (${batches} batches, largest ${largest})`,
    )
  } finally {
    await jobs.stop()
  }
})
