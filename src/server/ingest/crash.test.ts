import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { openDatabase } from '../db/database'
import { TEST_DB } from '../test/harness'
import { freePort } from '../test/pg-server'
import { createTestDatabase } from '../test/prepare'
import { exited, setupOverHttp, startServeProcess, stopServeProcess } from '../test/serve'

/**
 * Issue 3: kill -9 the server in the middle of an ingest burst; after restart, every message the
 * provider got a 200 for is present exactly once, and the provider's retries create no duplicates.
 */
test('kill -9 during an ingest burst loses and duplicates nothing', { timeout: 540_000 }, async () => {
  const env: Record<string, string> = {
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tawasul-crash-')),
    TAWASUL_SECRET: 'crash-test-secret-crash-test-secret-000',
    RATE_LIMIT_AUTH_MAX: '1000',
  }
  if (TEST_DB === 'postgres') env.DATABASE_URL = await createTestDatabase(process.env.TAWASUL_TEST_PG!)
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  let child = await startServeProcess(env, port)

  const { cookie, csrfToken, workspaceId } = await setupOverHttp(base, {
    organizationName: 'Crash',
    workspaceName: 'WS',
    name: 'Owner',
    email: 'o@crash.test',
    password: 'Durable-Pass-2026',
  })
  const ch = await fetch(`${base}/api/v1/workspaces/${workspaceId}/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({
      type: 'custom',
      name: 'Gateway',
      config: { idType: 'phone', destinationUrl: 'http://127.0.0.1:9/x' },
    }),
  })
  assert.equal(ch.status, 201)
  const channel = (await ch.json()) as { id: number; webhookUrl: string; credentials: { apiToken: string } }
  const webhookPath = new URL(channel.webhookUrl).pathname

  const TOTAL = 600
  const ids = Array.from({ length: TOTAL }, (_, i) => `m-${i}`)
  const post = (mId: string, i: number) =>
    fetch(`${base}${webhookPath}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${channel.credentials.apiToken}`,
      },
      body: JSON.stringify({
        channelId: String(channel.id),
        contactId: `+96650${String(1_000_000 + (i % 40)).slice(-7)}`,
        events: [
          { type: 'message', mId, timestamp: Date.now(), message: { type: 'text', text: `burst ${mId}` } },
        ],
      }),
    }).then(
      (r) => r.status,
      () => 0,
    )

  const acked = new Set<string>()
  let next = 0
  let killed = false
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++
      const status = await post(ids[i]!, i)
      if (status === 200) acked.add(ids[i]!)
      if (!killed && acked.size >= 150) {
        killed = true
        child.kill('SIGKILL')
      }
    }
  }
  await Promise.all(Array.from({ length: 16 }, worker))
  assert.ok(killed, 'the server was killed mid-burst')
  assert.ok(acked.size >= 150 && acked.size < TOTAL, `acked ${acked.size} of ${TOTAL} before the kill`)
  await exited(child)

  child = await startServeProcess(env, port)
  try {
    // The provider retries everything it is unsure about (here: all of them, acked or not).
    let retryFailures = 0
    for (let i = 0; i < TOTAL; i += 20) {
      const statuses = await Promise.all(ids.slice(i, i + 20).map((mId, j) => post(mId, i + j)))
      retryFailures += statuses.filter((s) => s !== 200).length
    }
    assert.equal(retryFailures, 0)
  } finally {
    await stopServeProcess(child)
  }
  const counts = await countByProviderId(env, workspaceId)
  for (const mId of acked)
    assert.equal(counts.get(mId), 1, `${mId} was acknowledged and must be stored exactly once`)
  assert.equal(counts.size, TOTAL, 'after the retries every message is stored')
  assert.ok(
    [...counts.values()].every((n) => n === 1),
    'no duplicates',
  )
})

/** Counts stored inbound messages per provider id, reading the database after the server stopped. */
async function countByProviderId(env: Record<string, string>, workspaceId: number) {
  const database = await openDatabase({
    dataDir: env.DATA_DIR!,
    databaseUrl: env.DATABASE_URL,
    command: 'test',
  })
  try {
    const { rows } = await database.query<{ id: string; n: number }>(
      `SELECT provider_message_id AS id, count(*)::int AS n FROM messages WHERE workspace_id = $1 AND direction = 'in' GROUP BY 1`,
      [workspaceId],
    )
    return new Map(rows.map((r) => [r.id, r.n]))
  } finally {
    await database.close()
  }
}
