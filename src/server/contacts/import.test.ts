import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { waitFor } from '../test/custom-channel'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { runImport } from './import.job'
import { BATCH } from './import.service'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  for (const f of [
    { key: 'city', name: 'City', type: 'text' },
    { key: 'birthday', name: 'Birthday', type: 'date' },
    { key: 'plan', name: 'Plan', type: 'list', options: ['Basic', 'Pro'] },
  ]) {
    assert.equal((await owner.client.post(`${ws}/contact-fields`, f)).status, 201)
  }
})
after(() => server.close())

const upload = (csv: string, client: TestClient = owner.client, type = 'text/csv', base = ws) =>
  client.request('POST', `${base}/contact-imports?name=people.csv`, csv, { 'content-type': type })
/** Raw bytes (the test client would re-encode a string as UTF-8). */
async function uploadBytes(data: Buffer) {
  const res = await server.app.inject({
    method: 'POST',
    url: `${ws}/contact-imports?name=people.csv`,
    headers: {
      'content-type': 'text/csv',
      cookie: [...owner.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-csrf-token': owner.client.csrf!,
    },
    payload: data,
  })
  return { status: res.statusCode, body: JSON.parse(res.body) }
}
const MAPPING = [
  { column: 'First Name', target: 'firstName' },
  { column: 'Last Name', target: 'lastName' },
  { column: 'Phone', target: 'phone' },
  { column: 'Email', target: 'email' },
  { column: 'City', target: 'custom.city' },
  { column: 'Birthday', target: 'custom.birthday' },
  { column: 'Plan', target: 'custom.plan' },
  { column: 'Stage', target: 'lifecycle' },
  { column: 'Tags', target: 'tags' },
]
const HEADER = 'First Name,Last Name,Phone,Email,City,Birthday,Plan,Stage,Tags'

async function prepared(csv: string, mode = 'add_and_update', columns = MAPPING, tagIds?: number[]) {
  const up = await upload(csv)
  assert.equal(up.status, 201, up.text)
  const id = up.body.import.id
  const mapped = await owner.client.put(`${ws}/contact-imports/${id}/mapping`, {
    columns,
    options: { mode, ...(tagIds ? { tagIds } : {}) },
  })
  assert.equal(mapped.status, 200, mapped.text)
  return id as number
}
async function runToEnd(id: number) {
  const started = await owner.client.post(`${ws}/contact-imports/${id}/start`)
  assert.equal(started.status, 202, started.text)
  return waitFor(
    async () => {
      const r = await owner.client.get(`${ws}/contact-imports/${id}`)
      return r.body.status === 'completed' || r.body.status === 'failed' ? r.body : null
    },
    120_000,
    'import to finish',
  )
}
async function report(id: number) {
  const r = await owner.client.get(`${ws}/contact-imports/${id}/report`)
  assert.equal(r.status, 200)
  return r.text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
}
async function contactByPhone(phone: string) {
  const { rows } = await server.ctx.database.query<{ id: number }>(
    'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2 ORDER BY id',
    [owner.workspaceId, phone],
  )
  return rows.map((r) => Number(r.id))
}

describe('upload (rule 57)', () => {
  test('returns the columns, sample rows and a suggested mapping; stores the file', async () => {
    const res = await upload(
      `\uFEFF${HEADER},Notes\nLayla,Hassan,+966501000001,l@x.test,Riyadh,1990-01-02,Pro,Hot Lead,"a, b",hi\n`,
    )
    assert.equal(res.status, 201, res.text)
    assert.deepEqual(res.body.import.headers, [...HEADER.split(','), 'Notes'])
    assert.equal(res.body.import.rowCount, 1)
    assert.equal(res.body.import.status, 'uploaded')
    assert.deepEqual(res.body.sample, [
      [
        'Layla',
        'Hassan',
        '+966501000001',
        'l@x.test',
        'Riyadh',
        '1990-01-02',
        'Pro',
        'Hot Lead',
        'a, b',
        'hi',
      ],
    ])
    assert.deepEqual(
      res.body.suggestedMapping,
      [...MAPPING, { column: 'Notes', target: 'ignore' }].map((m) =>
        m.column === 'Stage' ? { ...m, target: 'ignore' } : m,
      ),
    )
    const { rows } = await server.ctx.database.query<{ file_key: string }>(
      'SELECT file_key FROM contact_imports WHERE workspace_id = $1 AND id = $2',
      [owner.workspaceId, res.body.import.id],
    )
    assert.match((await server.ctx.storage.read(rows[0]!.file_key)).toString('utf8'), /Layla,Hassan/)
  })

  test('malformed, empty, headerless, non-UTF-8, non-CSV, oversize and too-long files are precise 4xx and store nothing', async () => {
    const count = async () =>
      (await server.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM contact_imports'))
        .rows[0]!.n
    const before = await count()
    const quote = await upload('First Name,Phone\n"Layla,+966501000001\nOmar,+966501000002\n')
    assert.equal(quote.status, 400)
    assert.match(quote.body.error.message, /not valid CSV \(line \d+\)/)
    assert.equal((await upload('')).status, 422)
    const noRows = await upload('First Name,Phone\n')
    assert.equal(noRows.status, 422)
    assert.equal(noRows.body.error.code, 'no_rows')
    const blankHeader = await upload('First Name,,Phone\na,b,c\n')
    assert.equal(blankHeader.status, 422)
    assert.equal(blankHeader.body.error.fields[0].path, 'headers.1')
    const dupHeader = await upload('Phone,Phone\n1,2\n')
    assert.equal(dupHeader.status, 422)
    assert.equal(dupHeader.body.error.code, 'invalid_header')
    const latin1 = await uploadBytes(Buffer.from([0x46, 0x69, 0x72, 0x73, 0x74, 0x0a, 0xe9, 0x0a]))
    assert.equal(latin1.status, 400)
    assert.match(latin1.body.error.message, /UTF-8/)
    const json = await upload('{"a":1}', owner.client, 'application/json')
    assert.equal(json.status, 415)
    assert.match(json.body.error.message, /text\/csv/)
    const big = Buffer.alloc(20 * 1024 * 1024 + 10, 'a')
    const tooBig = await uploadBytes(big)
    assert.equal(tooBig.status, 413)
    assert.equal(tooBig.body.error.code, 'file_too_large')
    assert.match(tooBig.body.error.message, /under 20 MB/)
    const tooLong = await upload(`First Name\n${'x\n'.repeat(200_000)}`)
    assert.equal(tooLong.status, 422)
    assert.equal(tooLong.body.error.code, 'too_many_rows')
    assert.equal(await count(), before)
  })

  test('agents cannot import; imports of other workspaces are 404', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    assert.equal((await upload('First Name\nx\n', agent.client)).status, 403)
    const other = await buildWorkspace(server)
    const theirs = await upload(
      'First Name,Phone\nx,+966501000009\n',
      other.owner.client,
      'text/csv',
      `/api/v1/workspaces/${other.workspaceId}`,
    )
    assert.equal(theirs.status, 201)
    const id = theirs.body.import.id
    assert.equal((await owner.client.get(`${ws}/contact-imports/${id}`)).status, 404)
    assert.equal((await owner.client.post(`${ws}/contact-imports/${id}/start`)).status, 404)
    assert.equal((await owner.client.get(`${ws}/contact-imports/${id}/review`)).status, 404)
  })
})

describe('mapping', () => {
  test('checks columns, targets, the First Name and identifier rules per mode, and tags', async () => {
    const up = await upload('First Name,Phone,Email,Other\nx,+966501000010,,\n')
    const id = up.body.import.id
    const put = (columns: unknown, options: unknown = { mode: 'add_and_update' }) =>
      owner.client.put(`${ws}/contact-imports/${id}/mapping`, { columns, options })
    const cases: [unknown, unknown, number, string][] = [
      [
        [
          { column: 'Nope', target: 'firstName' },
          { column: 'Phone', target: 'phone' },
        ],
        undefined,
        422,
        'columns.0.column',
      ],
      [
        [
          { column: 'First Name', target: 'nickname' },
          { column: 'Phone', target: 'phone' },
        ],
        undefined,
        422,
        'columns.0.target',
      ],
      [
        [
          { column: 'First Name', target: 'firstName' },
          { column: 'Phone', target: 'custom.nope' },
        ],
        undefined,
        422,
        'columns.1.target',
      ],
      [
        [
          { column: 'First Name', target: 'firstName' },
          { column: 'Phone', target: 'phone' },
          { column: 'Email', target: 'phone' },
        ],
        undefined,
        422,
        'columns.2.target',
      ],
      [[{ column: 'Phone', target: 'phone' }], undefined, 422, 'columns'],
      [[{ column: 'First Name', target: 'firstName' }], undefined, 422, 'columns'],
      [
        [
          { column: 'First Name', target: 'firstName' },
          { column: 'Phone', target: 'phone' },
        ],
        { mode: 'merge' },
        400,
        'body.options.mode',
      ],
      [
        [
          { column: 'First Name', target: 'firstName' },
          { column: 'Phone', target: 'phone' },
        ],
        { mode: 'add_only', tagIds: [999999] },
        422,
        'options.tagIds',
      ],
    ]
    for (const [columns, options, status, path] of cases) {
      const res = await put(columns, options)
      assert.equal(res.status, status, `${JSON.stringify(columns)} ${res.text}`)
      assert.ok(
        res.body.error.fields.some((f: any) => f.path === path),
        `${path} in ${JSON.stringify(res.body.error.fields)}`,
      )
    }
    // Update-only needs no First Name; add-all needs no identifier.
    assert.equal((await put([{ column: 'Phone', target: 'phone' }], { mode: 'update_only' })).status, 200)
    assert.equal(
      (await put([{ column: 'First Name', target: 'firstName' }], { mode: 'add_all' })).status,
      200,
    )
    assert.equal((await owner.client.get(`${ws}/contact-imports/${id}`)).body.status, 'mapped')
  })
})

describe('review and import', () => {
  const existingPhone = '+966501000100'
  const csv = [
    HEADER,
    'Layla,Hassan,+966 50 100 0101,LAYLA@x.test,Riyadh,1990-01-02,pro,Hot Lead,"VIP, Gulf"',
    'Updated,,+966501000100,,Jeddah,,,,VIP',
    ',NoFirst,+966501000102,,,,,,',
    'Bad,Phone,0501234567,,,,,,',
    'Bad,Values,+966501000104,not-an-email,,1990-02-30,Gold,Nowhere,',
    'Dup,Again,+966501000101,,Mecca,,,,',
    ',,,,,,,,',
    'Too,Many,+966501000106,,,,,,,extra',
    'NoId,Person,,,,,,,',
    '"=HYPERLINK(""x"")",Formula,+966501000107,,,,,,',
  ].join('\n')

  test('the review is a dry run with counts and the reasons of failed rows; the import does what it said', async () => {
    const existing = await buildContact(server, owner.workspaceId, {
      firstName: 'Existing',
      lastName: 'Kept',
      phone: existingPhone,
    })
    const id = await prepared(csv)
    const review = await owner.client.get(`${ws}/contact-imports/${id}/review`)
    assert.equal(review.status, 200, review.text)
    assert.deepEqual(
      {
        create: review.body.create,
        update: review.body.update,
        skip: review.body.skip,
        fail: review.body.fail,
      },
      { create: 2, update: 2, skip: 1, fail: 5 },
    )
    assert.deepEqual(review.body.newTags.sort(), ['Gulf', 'VIP'])
    const reasons = Object.fromEntries(review.body.errors.map((e: any) => [e.row, e.reason]))
    assert.match(reasons[4], /First Name is required/)
    assert.match(reasons[5], /Phone: .*country code/)
    assert.match(
      reasons[6],
      /Email: .*; Birthday: .*YYYY-MM-DD.*; Plan: .*Basic, Pro.*; Lifecycle: .*"Nowhere"/,
    )
    assert.match(reasons[9], /10 cells; the header has 9/)
    assert.match(reasons[10], /phone number or email address is needed/)
    assert.equal(await contactByPhone('+966501000101').then((x) => x.length), 0, 'the review wrote nothing')

    const done = await runToEnd(id)
    assert.equal(done.status, 'completed', done.error)
    assert.deepEqual(done.progress, { processed: 10, created: 2, updated: 2, skipped: 1, failed: 5 })
    const [layla] = await contactByPhone('+966501000101')
    const c = (await owner.client.get(`${ws}/contacts/${layla}`)).body
    // Row 7 has the same phone: a later row updates the contact row 2 created.
    assert.equal(c.firstName, 'Dup')
    assert.equal(c.lastName, 'Again')
    assert.equal(c.email, 'layla@x.test')
    assert.equal(c.country, 'SA')
    assert.deepEqual(c.custom, { city: 'Mecca', birthday: '1990-01-02', plan: 'Pro' })
    assert.equal(c.lifecycleStage.name, 'Hot Lead')
    assert.deepEqual(
      c.tags.map((t: any) => t.name),
      ['Gulf', 'VIP'],
    )
    const e = (await owner.client.get(`${ws}/contacts/${existing.id}`)).body
    assert.equal(e.firstName, 'Updated')
    assert.equal(e.lastName, 'Kept', 'blank cells do not clear')
    assert.deepEqual(e.custom, { city: 'Jeddah' })
    assert.deepEqual(
      e.tags.map((t: any) => t.name),
      ['VIP'],
    )
    const formula = (await owner.client.get(`${ws}/contacts/${(await contactByPhone('+966501000107'))[0]}`))
      .body
    assert.equal(formula.firstName, '=HYPERLINK("x")', 'stored as written; only CSV output is escaped')
    const created = await server.ctx.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND type = 'contact.created' AND payload->>'source' = 'import' AND contact_id = ANY($2::bigint[])",
      [owner.workspaceId, [layla, formula.id]],
    )
    assert.equal(created.rows[0]!.n, 2)
    const updated = await server.ctx.database.query<{ payload: any }>(
      "SELECT payload FROM events WHERE workspace_id = $1 AND type = 'contact.updated' AND contact_id = $2",
      [owner.workspaceId, existing.id],
    )
    assert.deepEqual(
      updated.rows.map((r) => r.payload.changes),
      [['firstName', 'custom.city']],
    )

    const lines = await report(id)
    assert.equal(lines[0], 'Row,Outcome,Contact ID,Reason')
    assert.equal(lines.length, 11)
    assert.equal(lines[1], `2,created,${layla},`)
    assert.equal(lines[2], `3,updated,${existing.id},`)
    assert.match(lines[3]!, /^4,failed,,First Name is required/)
    assert.equal(lines[6], `7,updated,${layla},Same contact as row 2.`)
    assert.equal(lines[7], '8,skipped,,The row is empty.')
    // Once started, the mapping is fixed and it cannot start twice.
    assert.equal((await owner.client.post(`${ws}/contact-imports/${id}/start`)).status, 409)
    assert.equal(
      (
        await owner.client.put(`${ws}/contact-imports/${id}/mapping`, {
          columns: MAPPING,
          options: { mode: 'add_all' },
        })
      ).status,
      409,
    )
  })

  test('add only skips existing contacts; update only skips unknown ones; add all creates duplicates', async () => {
    const phone = '+966501000200'
    await buildContact(server, owner.workspaceId, { firstName: 'Before', phone })
    const file = `First Name,Phone\nAfter,${phone}\nFresh,+966501000201\n`
    const columns = [
      { column: 'First Name', target: 'firstName' },
      { column: 'Phone', target: 'phone' },
    ]
    const addOnly = await runToEnd(await prepared(file, 'add_only', columns))
    assert.deepEqual(addOnly.progress, { processed: 2, created: 1, updated: 0, skipped: 1, failed: 0 })
    const updateOnly = await runToEnd(
      await prepared(`First Name,Phone\nAfter,${phone}\nNobody,+966501000202\n`, 'update_only', columns),
    )
    assert.deepEqual(updateOnly.progress, { processed: 2, created: 0, updated: 1, skipped: 1, failed: 0 })
    const [only] = await contactByPhone(phone)
    assert.equal((await owner.client.get(`${ws}/contacts/${only}`)).body.firstName, 'After')
    const tag = (await owner.client.post(`${ws}/tags`, { name: 'Imported' })).body.id
    const all = await runToEnd(await prepared(file, 'add_all', columns, [tag]))
    assert.deepEqual(all.progress, { processed: 2, created: 2, updated: 0, skipped: 0, failed: 0 })
    const dups = await contactByPhone(phone)
    assert.equal(dups.length, 2)
    const newest = (await owner.client.get(`${ws}/contacts/${dups[1]}`)).body
    assert.deepEqual(
      newest.tags.map((t: any) => t.name),
      ['Imported'],
    )
    // Rule 53: the duplicates are merge suggestions now.
    const suggestions = await owner.client.get(`${ws}/contacts/${dups[1]}/merge-suggestions`)
    assert.deepEqual(
      suggestions.body.map((s: any) => s.contact.id),
      [dups[0]],
    )
  })

  test(`thousands of rows across batches of ${BATCH}, with a duplicate that spans two batches`, async () => {
    const n = BATCH + 700
    const lines = ['First Name,Phone,City']
    for (let i = 0; i < n; i++) lines.push(`Person ${i},+9665${String(30_000_000 + i)},Town ${i % 7}`)
    lines.push(`Renamed,+9665${String(30_000_000 + 10)},Elsewhere`)
    const id = await prepared(`${lines.join('\n')}\n`, 'add_and_update', [
      { column: 'First Name', target: 'firstName' },
      { column: 'Phone', target: 'phone' },
      { column: 'City', target: 'custom.city' },
    ])
    const review = (await owner.client.get(`${ws}/contact-imports/${id}/review`)).body
    assert.deepEqual([review.create, review.update, review.skip, review.fail], [n, 1, 0, 0])
    const done = await runToEnd(id)
    assert.deepEqual(done.progress, { processed: n + 1, created: n, updated: 1, skipped: 0, failed: 0 })
    const [renamed] = await contactByPhone(`+9665${String(30_000_000 + 10)}`)
    const c = (await owner.client.get(`${ws}/contacts/${renamed}`)).body
    assert.equal(c.firstName, 'Renamed')
    assert.deepEqual(c.custom, { city: 'Elsewhere' })
    assert.equal((await report(id)).length, n + 2)
  })

  test('a restarted job resumes after the last committed batch and never imports a row twice', async () => {
    const id = await prepared(
      'First Name,Phone\nOne,+966501000301\nTwo,+966501000302\nThree,+966501000303\n',
      'add_and_update',
      [
        { column: 'First Name', target: 'firstName' },
        { column: 'Phone', target: 'phone' },
      ],
    )
    // As if an earlier attempt had committed the first two rows and then the process died.
    await server.ctx.database.query(
      "UPDATE contact_imports SET status = 'importing', processed = 2, created = 2 WHERE workspace_id = $1 AND id = $2",
      [owner.workspaceId, id],
    )
    await runImport(server.ctx, {
      workspaceId: owner.workspaceId,
      importId: id,
      actor: { kind: 'user', id: owner.userId },
    })
    const done = (await owner.client.get(`${ws}/contact-imports/${id}`)).body
    assert.equal(done.status, 'completed')
    assert.deepEqual(done.progress, { processed: 3, created: 3, updated: 0, skipped: 0, failed: 0 })
    assert.equal(
      (await contactByPhone('+966501000301')).length,
      0,
      'rows before the resume point are not redone',
    )
    assert.equal((await contactByPhone('+966501000303')).length, 1)
    const lines = await report(id)
    assert.match(lines[1]!, /^2–3,processed,,/)
    assert.match(lines[2]!, /^4,created,\d+,$/)
  })
})
