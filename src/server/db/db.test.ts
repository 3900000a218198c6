import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { EVENTS_CHANNEL, emit, SYSTEM } from '../events'
import { buildWorkspace } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { acquireDataDirLock, DataDirLockedError } from './lock'
import { migrate } from './migrate'
import { teamMembers, teams } from './schema'

describe('PGlite data directory lock', () => {
  test('a second holder is refused with a clear message; release frees it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tawasul-lock-'))
    const release = acquireDataDirLock(dir, 'serve')
    assert.throws(
      () => acquireDataDirLock(dir, 'migrate'),
      (err: Error) =>
        err instanceof DataDirLockedError &&
        err.message.includes(`in use by process ${process.pid} (tawasul serve`) &&
        err.message.includes('DATABASE_URL'),
    )
    release()
    acquireDataDirLock(dir, 'migrate')()
  })

  test('a lock left by a dead process is taken over', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tawasul-lock-'))
    const child = spawn(process.execPath, ['-e', ''])
    const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)))
    writeFileSync(
      path.join(dir, 'tawasul.lock'),
      JSON.stringify({
        pid: deadPid,
        host: (await import('node:os')).hostname(),
        command: 'serve',
        since: 'earlier',
      }),
    )
    acquireDataDirLock(dir, 'serve')()
  })
})

describe('data layer', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  test('migrations are idempotent', async () => {
    await migrate(server.ctx.database)
    const { rows } = await server.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
    )
    assert.ok(rows[0]!.n >= 2)
  })

  test('a job enqueued in a transaction exists only if the transaction commits', async () => {
    const { jobs, db } = server.ctx
    await jobs.boss.createQueue('test.outbox')
    await assert.rejects(
      db.transaction(async (tx) => {
        await jobs.enqueue(tx, 'test.outbox', { n: 1 })
        throw new Error('roll back')
      }),
      /roll back/,
    )
    await db.transaction(async (tx) => {
      await jobs.enqueue(tx, 'test.outbox', { n: 2 })
    })
    const { rows } = await server.ctx.database.query<{ data: { n: number } }>(
      `SELECT data FROM pgboss.job WHERE name = 'test.outbox'`,
    )
    assert.deepEqual(
      rows.map((r) => r.data.n),
      [2],
    )
  })

  test('events are recorded with the change and announced only after commit', async () => {
    const { workspaceId } = await buildWorkspace(server)
    const heard: string[] = []
    const unlisten = await server.ctx.database.listen(EVENTS_CHANNEL, (p) => heard.push(p))
    await assert.rejects(
      server.ctx.db.transaction(async (tx) => {
        await emit(tx, workspaceId, SYSTEM, {
          type: 'team.created',
          payload: { teamId: 1, name: 'rolled back' },
        })
        throw new Error('roll back')
      }),
    )
    await server.ctx.db.transaction(async (tx) => {
      await emit(tx, workspaceId, SYSTEM, { type: 'team.created', payload: { teamId: 2, name: 'kept' } })
      await new Promise((r) => setTimeout(r, 100))
      assert.equal(heard.length, 0, 'nothing is announced before commit')
    })
    const until = Date.now() + 5000
    while (heard.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    await unlisten()
    assert.equal(heard.length, 1)
    assert.deepEqual(JSON.parse(heard[0]!), {
      workspaceId,
      id: JSON.parse(heard[0]!).id,
      type: 'team.created',
      actor: SYSTEM,
    })
    const { rows } = await server.ctx.database.query<{ payload: { name: string } }>(
      'SELECT payload FROM events WHERE workspace_id = $1',
      [workspaceId],
    )
    assert.deepEqual(
      rows.map((r) => r.payload.name),
      ['kept'],
    )
  })

  test("the database itself refuses a reference to another workspace's row", async () => {
    const a = await buildWorkspace(server)
    const b = await buildWorkspace(server)
    const [teamOfB] = await server.ctx.db
      .insert(teams)
      .values({ workspaceId: b.workspaceId, name: 'B team' })
      .returning()
    await assert.rejects(
      server.ctx.db
        .insert(teamMembers)
        .values({ workspaceId: a.workspaceId, teamId: teamOfB!.id, userId: a.owner.userId }),
      (err: { cause?: { code?: string }; code?: string }) => (err.cause?.code ?? err.code) === '23503',
    )
    const { rows } = await server.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM team_members',
    )
    assert.equal(rows[0]!.n, 0)
  })
})
