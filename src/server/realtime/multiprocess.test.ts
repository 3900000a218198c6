import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { hashPassword } from '../auth/passwords'
import { type Database, openDatabase } from '../db/database'
import { waitFor } from '../test/custom-channel'
import { TEST_DB } from '../test/harness'
import { freePort } from '../test/pg-server'
import { createTestDatabase } from '../test/prepare'
import { RealtimeTestClient } from '../test/realtime-client'
import { ownerOfPort, startServeProcess, stopServeProcess } from '../test/serve'
import { insertMember, insertUser } from '../users/users.repo'

/**
 * Two real server processes (`tawasul serve`) on one PostgreSQL database: an event committed in
 * one reaches a socket held by the other, and a job is claimed by exactly one of them.
 */
const SKIP =
  TEST_DB === 'postgres' ? false : 'needs PostgreSQL: two processes cannot share one PGlite data directory'
const PASSWORD = 'Correct-Horse-42-Battery'

type Proc = { child: ChildProcess; url: string; pid: number }

async function serve(env: Record<string, string>): Promise<Proc> {
  const port = await freePort()
  const child = await startServeProcess(env, port)
  return { child, url: `http://127.0.0.1:${port}`, pid: child.pid! }
}

const stop = (p: Proc | undefined) => stopServeProcess(p?.child)

/** A fetch client with a cookie jar and the CSRF header, like the web app. */
class HttpClient {
  cookie = ''
  csrf = ''
  constructor(public base: string) {}
  async call(method: string, url: string, body?: unknown) {
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const set = res.headers.getSetCookie().find((c) => c.startsWith('tawasul_session='))
    if (set) this.cookie = set.split(';')[0]!
    const json = (await res.json().catch(() => null)) as any
    if (json?.csrfToken) this.csrf = json.csrfToken
    return { status: res.status, body: json }
  }
  on(base: string) {
    const c = new HttpClient(base)
    c.cookie = this.cookie
    c.csrf = this.csrf
    return c
  }
}

describe('two server processes on one PostgreSQL database', () => {
  let a: Proc | undefined
  let b: Proc | undefined
  let database: Database
  const received: { text: string; pid: number | undefined }[] = []
  const destination = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      const body = JSON.parse(data)
      const n = received.push({
        text: body.message.text,
        pid: ownerOfPort(req.socket.remotePort!, [a!.pid, b!.pid]),
      })
      // A little latency keeps every worker busy, so both processes claim jobs.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ mId: `dest-${n}` }))
      }, 20)
    })
  })
  let destinationUrl: string

  before(async () => {
    if (SKIP) return
    const url = await createTestDatabase(
      process.env.TAWASUL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    )
    database = await openDatabase({ dataDir: '', databaseUrl: url, command: 'test', poolSize: 2 })
    await new Promise<void>((r) => destination.listen(0, '127.0.0.1', r))
    destinationUrl = `http://127.0.0.1:${(destination.address() as { port: number }).port}/message`
    const env = {
      DATABASE_URL: url,
      TAWASUL_SECRET: 'multi-process-secret-multi-process-secret',
      HOST: '127.0.0.1',
      JOB_POLL_SECONDS: '0.5',
      SHUTDOWN_TIMEOUT_MS: '5000',
    }
    // Each process its own DATA_DIR: they share only the database.
    ;[a, b] = await Promise.all([
      serve({ ...env, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tawasul-a-')) }),
      serve({ ...env, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tawasul-b-')) }),
    ])
  })
  after(async () => {
    await Promise.all([stop(a), stop(b)])
    if (destination.listening) destination.close()
    await database?.close()
  })

  test('an inbound message posted to A reaches an agent socket on B; 50 sends go out exactly once', {
    skip: SKIP,
  }, async () => {
    const owner = new HttpClient(a!.url)
    const setup = await owner.call('POST', '/api/v1/setup', {
      organizationName: 'Acme',
      workspaceName: 'Support',
      name: 'Olivia Owner',
      email: 'owner@acme.test',
      password: PASSWORD,
    })
    assert.equal(setup.status, 201)
    const ws: number = setup.body.workspaceId
    const user = await insertUser(database.db, {
      email: 'agent@acme.test',
      name: 'Adam Agent',
      passwordHash: await hashPassword(PASSWORD),
      locale: 'en',
    })
    await insertMember(database.db, ws, user.id, 'agent', {
      restrictSettings: false,
      restrictContactDelete: false,
      restrictExport: false,
      restrictIntegrations: false,
      contactVisibility: 'all',
      hideShortcuts: false,
    })
    const agent = new HttpClient(b!.url)
    assert.equal(
      (await agent.call('POST', '/api/v1/auth/login', { email: 'agent@acme.test', password: PASSWORD }))
        .status,
      200,
    )

    const channel = await owner.call('POST', `/api/v1/workspaces/${ws}/channels`, {
      type: 'custom',
      name: 'Gateway',
      config: { idType: 'phone', destinationUrl },
    })
    assert.equal(channel.status, 201)

    const socket = await RealtimeTestClient.connect(b!.url, null, { cookie: agent.cookie })
    assert.equal((await socket.subscribe(ws)).type, 'subscribed')

    const webhook = await fetch(`${a!.url}${new URL(channel.body.webhookUrl).pathname}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${channel.body.credentials.apiToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        channelId: String(channel.body.id),
        contactId: '+966500000123',
        events: [
          { type: 'message', mId: 'mp-1', timestamp: Date.now(), message: { type: 'text', text: 'from A' } },
        ],
      }),
    })
    assert.equal(webhook.status, 200)
    const frame = await socket.next((f) => f.type === 'message.received')
    assert.equal(frame.message.text, 'from A')
    const contactId: number = frame.contactId
    assert.equal(frame.contact.unread, true)

    // 50 sends through both processes' APIs while both run send workers.
    const texts = Array.from({ length: 50 }, (_, i) => `out-${i}`)
    const results = await Promise.all(
      texts.map((text, i) =>
        owner
          .on(i % 2 ? b!.url : a!.url)
          .call('POST', `/api/v1/workspaces/${ws}/contacts/${contactId}/messages`, {
            message: { type: 'text', text },
          }),
      ),
    )
    assert.deepEqual(
      results.map((r) => r.status),
      texts.map(() => 201),
    )
    await waitFor(async () => received.length >= 50, 60_000, '50 deliveries')
    await new Promise((r) => setTimeout(r, 1500)) // a duplicate would arrive by now
    assert.deepEqual(
      received.map((r) => r.text).sort(),
      [...texts].sort(),
      'each message reached the destination exactly once',
    )
    const { rows } = await database.query<{ status: string; n: number }>(
      "SELECT status, count(*)::int AS n FROM messages WHERE workspace_id = $1 AND direction = 'out' GROUP BY status",
      [ws],
    )
    assert.deepEqual(rows, [{ status: 'sent', n: 50 }])
    const byProcess = new Set(received.map((r) => r.pid).filter((p) => p !== undefined))
    if (received.some((r) => r.pid !== undefined)) {
      assert.equal(
        byProcess.size,
        2,
        `both processes claimed send jobs: ${JSON.stringify(received.map((r) => r.pid))}`,
      )
    }
    // B's socket saw the sends made through A, too.
    await socket.next((f) => f.type === 'message.created' && f.message.text === 'out-0')
    socket.close()
  })
})
