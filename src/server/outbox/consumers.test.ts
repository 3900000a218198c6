import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { emit, SYSTEM } from '../events'
import { buildWorkspace } from '../test/factories'
import { startTestServer, TEST_DB, type TestServer } from '../test/harness'
import { type Consumer, defineConsumer, pump } from './consumers'

function recorder(name: string) {
  const seen: { id: number; name: string }[] = []
  const consumer = defineConsumer({
    name,
    types: new Set(['team.created']),
    batchSize: 50,
    handle: async (_ctx, _tx, events) => {
      for (const e of events) seen.push({ id: e.id, name: String(e.payload.name) })
    },
  })
  return { seen, consumer }
}

async function emitTeam(server: TestServer, workspaceId: number, name: string) {
  await server.ctx.db.transaction((tx) =>
    emit(tx, workspaceId, SYSTEM, { type: 'team.created', payload: { teamId: 0, name } }),
  )
}

/**
 * Pumps until a batch comes back empty — and, given `until`, until it holds: another transaction
 * running (say, a background consumer's) holds the horizon back for a moment, by design.
 */
async function drain(server: TestServer, c: Consumer, until?: () => boolean) {
  const deadline = Date.now() + 10_000
  for (;;) {
    if (((await pump(server.ctx, c)) ?? 0) > 0) continue
    if (!until || until() || Date.now() > deadline) return
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('event-log consumers', () => {
  let server: TestServer
  let workspaceId: number
  before(async () => {
    server = await startTestServer()
    workspaceId = (await buildWorkspace(server)).workspaceId
  })
  after(() => server.close())

  test('a new consumer starts at the present, then sees each committed event once, in order', async () => {
    await emitTeam(server, workspaceId, 'before')
    const r = recorder('test.order')
    await drain(server, r.consumer) // registers the cursor at the present
    for (let i = 0; i < 120; i++) await emitTeam(server, workspaceId, `t${i}`)
    await assert.rejects(
      server.ctx.db.transaction(async (tx) => {
        await emit(tx, workspaceId, SYSTEM, {
          type: 'team.created',
          payload: { teamId: 0, name: 'rolled back' },
        })
        throw new Error('no')
      }),
    )
    await drain(server, r.consumer, () => r.seen.length >= 120)
    await drain(server, r.consumer)
    // "The present" is the horizon of the oldest open transaction: if a background job held it
    // back when the cursor was registered, 'before' is (rightly) still ahead of it and is seen.
    assert.deepEqual(
      r.seen.map((s) => s.name).filter((n) => n !== 'before'),
      Array.from({ length: 120 }, (_, i) => `t${i}`),
    )
    assert.ok(r.seen.findIndex((s) => s.name === 'before') <= 0, "'before', if seen, comes first")
    assert.deepEqual(
      [...r.seen.map((s) => s.id)].sort((a, b) => a - b),
      r.seen.map((s) => s.id),
    )
  })

  test('a failing handler leaves the cursor where it was, so the batch is retried', async () => {
    let fail = true
    const seen: string[] = []
    const c = defineConsumer({
      name: 'test.retry',
      types: new Set(['team.created']),
      handle: async (_ctx, _tx, events) => {
        if (fail) throw new Error('receiver down')
        for (const e of events) seen.push(String(e.payload.name))
      },
    })
    await drain(server, c)
    await emitTeam(server, workspaceId, 'retry-me')
    // On PostgreSQL the event becomes readable once no older transaction is still open (the
    // consumer never reads past the oldest running one), which a background job may delay: pump
    // until the handler has been reached and has failed.
    const deadline = Date.now() + 10_000
    for (;;) {
      const failed = await pump(server.ctx, c).then(
        () => false,
        (err: unknown) => {
          assert.match(String(err), /receiver down/)
          return true
        },
      )
      if (failed) break
      assert.ok(Date.now() < deadline, 'the failing handler was never reached')
      await new Promise((r) => setTimeout(r, 50))
    }
    fail = false
    await drain(server, c, () => seen.length >= 1)
    assert.deepEqual(seen, ['retry-me'])
  })

  test('transaction ids order as numbers, not text, across a full batch (9 < 10)', async () => {
    // Events written by (long finished) transactions 9 and 10, read from a cursor before them in
    // batches of 2. Sorted as text, '10' < '9' and a full batch would jump the cursor past events.
    const name = 'test.digits'
    const db = server.ctx.database
    await db.query(`INSERT INTO event_cursors (name, tx_id, event_id) VALUES ($1, '1'::xid8, -1)`, [name])
    for (const [tx, label] of [
      ['9', 'a'],
      ['9', 'b'],
      ['10', 'c'],
      ['10', 'd'],
      ['11', 'e'],
    ] as const) {
      await db.query(
        `INSERT INTO events (workspace_id, type, actor_kind, payload, tx_id) VALUES ($1, $2, 'system', $3, $4::xid8)`,
        [workspaceId, name, JSON.stringify({ label }), tx],
      )
    }
    const seen: string[] = []
    const c = defineConsumer({
      name,
      types: new Set([name as 'team.created']),
      batchSize: 2,
      handle: async (_ctx, _tx, events) => {
        for (const e of events) seen.push(String(e.payload.label))
      },
    })
    await drain(server, c)
    assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e'])
  })

  test('an event whose transaction commits late is not skipped (PostgreSQL)', {
    skip: TEST_DB !== 'postgres' && 'PGlite runs one transaction at a time',
  }, async () => {
    const r = recorder('test.late')
    await drain(server, r.consumer)
    const url = server.ctx.database.url!
    const slow = new pg.Client({ connectionString: url })
    const fast = new pg.Client({ connectionString: url })
    await slow.connect()
    await fast.connect()
    const insert = `INSERT INTO events (workspace_id, type, actor_kind, payload) VALUES ($1, 'team.created', 'system', $2)`
    try {
      await slow.query('BEGIN')
      await slow.query(insert, [workspaceId, JSON.stringify({ name: 'slow' })]) // lower id, commits later
      await fast.query(insert, [workspaceId, JSON.stringify({ name: 'fast' })]) // autocommit
      await drain(server, r.consumer)
      assert.equal(r.seen.length, 0, 'nothing is read past a transaction still running')
      await slow.query('COMMIT')
      await drain(server, r.consumer, () => r.seen.length >= 2)
      assert.deepEqual(
        r.seen.map((s) => s.name),
        ['slow', 'fast'],
      )
    } finally {
      await slow.end()
      await fast.end()
    }
  })

  test('two server processes on one database handle each event exactly once (PostgreSQL)', {
    skip: TEST_DB !== 'postgres' && 'needs a shared PostgreSQL',
  }, async () => {
    const a = recorder('test.shared')
    const b = recorder('test.shared')
    const other = await startTestServer({ databaseUrl: server.ctx.database.url! })
    try {
      await drain(server, a.consumer)
      const emitting = (async () => {
        for (let i = 0; i < 200; i++) await emitTeam(i % 2 ? server : other, workspaceId, `s${i}`)
      })()
      let done = false
      const loop = async (s: TestServer, c: Consumer) => {
        while (!done) {
          await pump(s.ctx, c)
          await new Promise((r) => setTimeout(r, 5))
        }
        await drain(s, c, () => a.seen.length + b.seen.length >= 200)
      }
      const loops = [loop(server, a.consumer), loop(other, b.consumer)]
      await emitting
      await new Promise((r) => setTimeout(r, 300))
      done = true
      await Promise.all(loops)
      const names = [...a.seen, ...b.seen].map((s) => s.name)
      assert.equal(names.length, 200)
      assert.equal(new Set(names).size, 200)
      assert.ok(
        a.seen.length > 0 && b.seen.length > 0,
        `both processes took part (${a.seen.length}/${b.seen.length})`,
      )
    } finally {
      await other.close()
    }
  })
})
