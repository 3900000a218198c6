import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestServer } from './test/harness'

test('graceful shutdown finishes in-flight requests and jobs, then closes the database', async () => {
  let jobStarted = false
  let jobFinished = false
  let requestStarted = false
  const server = await startTestServer({
    listen: true,
    beforeListen: async (app, ctx) => {
      app.get('/test/slow', async () => {
        requestStarted = true
        await new Promise((r) => setTimeout(r, 400))
        const { rows } = await ctx.database.query<{ ok: number }>('SELECT 1 AS ok')
        return { ok: rows[0]!.ok }
      })
      await ctx.jobs.register([
        {
          name: 'test.slow-job',
          handler: async () => {
            jobStarted = true
            await new Promise((r) => setTimeout(r, 800))
            jobFinished = true
          },
        },
      ] as never[])
    },
  })
  await server.ctx.jobs.enqueue(null, 'test.slow-job', {})
  const until = Date.now() + 10_000
  while (!jobStarted && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
  assert.ok(jobStarted, 'the job started')

  const inFlight = fetch(`${server.url}/test/slow`).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }))
  // Shut down once the request is really in flight (under load, connecting can take a while).
  while (!requestStarted && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
  const stopping = server.shutdown('test')
  const ready = await fetch(`${server.url}/readyz`).catch(() => null)
  assert.ok(!ready || ready.status === 503, 'not ready while shutting down')
  assert.deepEqual(await inFlight, { status: 200, body: { ok: 1 } })
  await stopping
  assert.ok(jobFinished, 'the in-flight job finished before the process let go')
  await assert.rejects(server.ctx.database.query('SELECT 1'))
  await assert.rejects(fetch(`${server.url}/healthz`))
})
