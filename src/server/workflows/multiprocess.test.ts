import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { type Database, openDatabase } from '../db/database'
import { TEST_DB } from '../test/harness'
import { freePort } from '../test/pg-server'
import { createTestDatabase } from '../test/prepare'
import {
  customChannelOverHttp,
  ownerOfPort,
  seedContactsOnChannel,
  setupOverHttp,
  startServeProcess,
  stopServeProcess,
} from '../test/serve'

const SKIP =
  TEST_DB === 'postgres' ? false : 'needs PostgreSQL: two processes cannot share one PGlite data directory'
const RUNS = 200

type Proc = { child: ChildProcess; base: string; dataDir: string }

async function serve(env: Record<string, string>): Promise<Proc> {
  const port = await freePort()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tawasul-wf-mp-'))
  const child = await startServeProcess({ ...env, DATA_DIR: dataDir }, port)
  return { child, base: `http://127.0.0.1:${port}`, dataDir }
}

async function stop(p: Proc | undefined) {
  if (!p) return
  await stopServeProcess(p.child)
  rmSync(p.dataDir, { recursive: true, force: true })
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

let a: Proc | undefined
let b: Proc | undefined
let database: Database | undefined
/** CRM calls by Idempotency-Key, with the process that made each. */
const calls = new Map<string, (number | undefined)[]>()
const crm = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    const key = String(req.headers['idempotency-key'])
    calls.set(key, [
      ...(calls.get(key) ?? []),
      ownerOfPort(req.socket.remotePort!, [a!.child.pid!, b!.child.pid!]),
    ])
    // A little latency keeps every worker busy, so both processes take steps.
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 20)
  })
})
/** Replies handed to the provider, per contact (each gets one). */
const sent = new Map<string, number>()
const provider = createServer((req, res) => {
  let data = ''
  req.on('data', (c) => (data += c))
  req.on('end', () => {
    const to = String(JSON.parse(data).contactId)
    sent.set(to, (sent.get(to) ?? 0) + 1)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ mId: `out-${to}` }))
  })
})

before(async () => {
  if (SKIP) return
  const url = await createTestDatabase(process.env.TAWASUL_TEST_PG!)
  database = await openDatabase({ dataDir: '', databaseUrl: url, command: 'test', poolSize: 2 })
  const env = {
    DATABASE_URL: url,
    TAWASUL_SECRET: 'multi-process-secret-multi-process-secret',
    JOB_POLL_SECONDS: '0.5',
    SHUTDOWN_TIMEOUT_MS: '5000',
  }
  ;[a, b] = await Promise.all([serve(env), serve(env)])
})
after(async () => {
  await Promise.all([stop(a), stop(b)])
  if (crm.listening) crm.close()
  if (provider.listening) provider.close()
  await database?.close()
})

/**
 * Issue 5: several processes share the runs without running a step twice. Two `tawasul serve`
 * processes on one PostgreSQL database work on 200 runs (Wait → HTTP → Send a Message): each
 * step is logged once per run, each call is made once and each message handed over once, and
 * both processes took steps.
 */
test('two server processes on one PostgreSQL share 200 runs; no step runs twice', {
  skip: SKIP,
  timeout: 300_000,
}, async () => {
  const crmUrl = await listen(crm)
  const providerUrl = `${await listen(provider)}/message`
  const { workspaceId, api } = await setupOverHttp(a!.base, {
    organizationName: 'Acme',
    workspaceName: 'Support',
    name: 'Owner',
    email: 'owner@acme.test',
    password: 'Correct-Horse-42-Battery',
  })
  const channel = await customChannelOverHttp(api, providerUrl)
  const contactIds = await seedContactsOnChannel(database!, workspaceId, channel.id, RUNS)
  const tag = (await api('POST', '/tags', { name: 'go' })) as { id: number }
  const created = await api('POST', '/workflows', {
    name: 'Shared',
    definition: {
      version: 1,
      trigger: {
        type: 'contact_tag_updated',
        conditions: { tagIds: [tag.id], action: 'added' },
        oncePerContact: false,
      },
      steps: [
        { id: 'pause', kind: 'wait', name: 'Pause', config: { duration: { amount: 1, unit: 'seconds' } } },
        { id: 'crm', kind: 'http_request', name: 'CRM', config: { method: 'POST', url: `${crmUrl}/events` } },
        {
          id: 'reply',
          kind: 'send_message',
          name: 'Reply',
          config: { channelId: null, message: { type: 'text', text: 'On it.' } },
        },
      ],
    },
  })
  await api('POST', `/workflows/${created.id}/publish`)
  await api('POST', '/contacts/tags', { contactIds, add: [tag.id] })

  const end = Date.now() + 240_000
  while (sent.size < RUNS) {
    if (Date.now() > end) throw new Error(`${sent.size}/${RUNS} replies, ${calls.size} CRM calls`)
    await new Promise((r) => setTimeout(r, 100))
  }
  await new Promise((r) => setTimeout(r, 1000)) // a duplicate would arrive here

  assert.equal(calls.size, RUNS)
  assert.deepEqual(
    [...calls].filter(([, by]) => by.length > 1),
    [],
    'each call made once',
  )
  const byProcess = new Map<number | undefined, number>()
  for (const [, [pid]] of calls) byProcess.set(pid, (byProcess.get(pid) ?? 0) + 1)
  assert.ok((byProcess.get(a!.child.pid) ?? 0) > 0, `A made calls: ${JSON.stringify([...byProcess])}`)
  assert.ok((byProcess.get(b!.child.pid) ?? 0) > 0, `B made calls: ${JSON.stringify([...byProcess])}`)
  assert.deepEqual(
    [...sent].filter(([, n]) => n > 1),
    [],
    'each message handed over once',
  )

  const q = async <T>(text: string) => (await database!.query<T>(text, [workspaceId])).rows
  assert.deepEqual(
    await q('SELECT status, count(*)::int AS n FROM workflow_runs WHERE workspace_id = $1 GROUP BY 1'),
    [{ status: 'completed', n: RUNS }],
  )
  assert.deepEqual(
    await q(
      `SELECT step_id, count(*)::int AS n, count(DISTINCT run_id)::int AS runs, max(attempt)::int AS attempts
       FROM workflow_run_steps WHERE workspace_id = $1 AND status = 'done' GROUP BY 1 ORDER BY 1`,
    ),
    ['crm', 'pause', 'reply'].map((step_id) => ({ step_id, n: RUNS, runs: RUNS, attempts: 1 })),
    'each step once per run',
  )
  assert.deepEqual(
    await q(
      `SELECT count(*)::int AS n, count(DISTINCT contact_id)::int AS contacts FROM messages
       WHERE workspace_id = $1 AND direction = 'out'`,
    ),
    [{ n: RUNS, contacts: RUNS }],
  )
  console.error(`CRM calls by process: A ${byProcess.get(a!.child.pid)}, B ${byProcess.get(b!.child.pid)}`)
})
