/**
 * Contact import throughput (rule 57: fewer than 200,000 rows; target: the largest file in under
 * 60 s on PostgreSQL). Starts its own durable PostgreSQL 15 (fsync on) and a server against it,
 * uploads a generated CSV through the API, maps it, starts the job, polls until it completes,
 * then prints the search plan on the imported contacts (rule 49: trigram index).
 *
 *   node --import tsx bench/contacts-import.ts [rows]       (default 199,999)
 *
 * Prints: RESULT import rows=N seconds=S rows_per_s=R
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/server/config'
import { contactPageQuery } from '../src/server/contacts/search.repo'
import { searchOf } from '../src/server/contacts/search.service'
import { createLogger } from '../src/server/log'
import { startServer } from '../src/server/main'
import { TestClient } from '../src/server/test/client'
import { startPgServer } from '../src/server/test/pg-server'

const rows = Number(process.argv[2] ?? 199_999)
const pg = await startPgServer({ durable: true })
const dataDir = mkdtempSync(path.join(tmpdir(), 'tawasul-bench-'))
const config = {
  ...loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: pg.url(),
    TAWASUL_SECRET: 'bench-secret-bench-secret-bench-0000',
  }),
  port: 0,
  jobPollSeconds: 0.5,
}
const server = await startServer(config, { log: createLogger('warn'), listen: false })
try {
  const client = new TestClient(server.app)
  const setup = await client.post('/api/v1/setup', {
    organizationName: 'Bench',
    workspaceName: 'Bench',
    name: 'Bench Owner',
    email: 'bench@example.com',
    password: 'Correct-Horse-42-Battery',
  })
  if (setup.status !== 201) throw new Error(setup.text)
  const ws = `/api/v1/workspaces/${setup.body.workspaceId}`
  await client.post(`${ws}/contact-fields`, { key: 'city', name: 'City', type: 'text' })
  await client.post(`${ws}/contact-fields`, { key: 'birthday', name: 'Birthday', type: 'date' })

  const cities = ['Riyadh', 'Jeddah', 'Dubai', 'Cairo', 'Amman', 'Doha']
  const lines = ['First Name,Last Name,Phone,Email,City,Birthday,Tags']
  for (let i = 0; i < rows; i++) {
    const day = String((i % 28) + 1).padStart(2, '0')
    lines.push(
      `Name${i},Family ${i % 997},+9665${String(10_000_000 + i).slice(-8)},user${i}@example.com,${cities[i % 6]},1990-01-${day},${i % 10 === 0 ? 'VIP' : ''}`,
    )
  }
  const csv = `${lines.join('\n')}\n`
  console.log(`file: ${rows} rows, ${(Buffer.byteLength(csv) / 1024 / 1024).toFixed(1)} MB`)

  const up = await client.request('POST', `${ws}/contact-imports?name=bench.csv`, csv, {
    'content-type': 'text/csv',
  })
  if (up.status !== 201) throw new Error(up.text)
  const id = up.body.import.id
  const mapped = await client.put(`${ws}/contact-imports/${id}/mapping`, {
    columns: [
      { column: 'First Name', target: 'firstName' },
      { column: 'Last Name', target: 'lastName' },
      { column: 'Phone', target: 'phone' },
      { column: 'Email', target: 'email' },
      { column: 'City', target: 'custom.city' },
      { column: 'Birthday', target: 'custom.birthday' },
      { column: 'Tags', target: 'tags' },
    ],
    options: { mode: 'add_and_update' },
  })
  if (mapped.status !== 200) throw new Error(mapped.text)
  let t = Date.now()
  const review = await client.get(`${ws}/contact-imports/${id}/review`)
  console.log(
    `review (dry run): ${((Date.now() - t) / 1000).toFixed(1)} s`,
    JSON.stringify({ ...review.body, errors: review.body.errors.length }),
  )

  t = Date.now()
  const started = await client.post(`${ws}/contact-imports/${id}/start`)
  if (started.status !== 202) throw new Error(started.text)
  let status: any
  for (;;) {
    await new Promise((r) => setTimeout(r, 200))
    status = (await client.get(`${ws}/contact-imports/${id}`)).body
    if (status.status === 'completed' || status.status === 'failed') break
  }
  const seconds = (Date.now() - t) / 1000
  console.log(JSON.stringify(status.progress), status.status, status.error ?? '')
  if (status.status !== 'completed' || status.progress.created !== rows)
    throw new Error('import did not complete')

  await server.ctx.database.query('ANALYZE contacts')
  const q = contactPageQuery(
    server.ctx.db,
    setup.body.workspaceId,
    { search: searchOf('name12345', []) },
    null,
    51,
  ).toSQL()
  const plan = await server.ctx.database.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, COSTS OFF) ${q.sql}`,
    q.params,
  )
  console.log(
    `\nEXPLAIN ANALYZE of q=name12345:\n${plan.rows.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}\n`,
  )
  console.log(
    `RESULT import rows=${rows} seconds=${seconds.toFixed(1)} rows_per_s=${Math.round(rows / seconds)}`,
  )
} finally {
  await server.shutdown('bench finished')
  pg.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
