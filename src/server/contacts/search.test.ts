import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { contacts } from '../db/schema'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { contactPageQuery } from './search.repo'
import { searchOf } from './search.service'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string
const ids: Record<string, number> = {}

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  for (const f of [
    { key: 'city', name: 'City', type: 'text' },
    { key: 'orders', name: 'Orders', type: 'number' },
    { key: 'vip', name: 'VIP', type: 'checkbox' },
    { key: 'birthday', name: 'Birthday', type: 'date' },
    { key: 'opens_at', name: 'Opens at', type: 'time' },
  ]) {
    assert.equal((await owner.client.post(`${ws}/contact-fields`, f)).status, 201)
  }
  const people: [string, Partial<typeof contacts.$inferInsert>][] = [
    [
      'carlos',
      {
        firstName: 'Carlos',
        lastName: 'Diaz',
        phone: '+966501234567',
        country: 'SA',
        custom: { city: 'Riyadh', orders: 3, vip: true, birthday: '1990-05-01', opens_at: '09:00' },
      },
    ],
    [
      'scarlet',
      {
        firstName: 'Scarlet',
        lastName: 'Johnson',
        email: 'scarlet@example.com',
        country: 'US',
        language: 'en',
        custom: { city: 'Boston', orders: 42, birthday: '1985-12-24' },
      },
    ],
    [
      'oscar',
      {
        firstName: 'Oscar',
        lastName: 'Wilde',
        phone: '+447911123456',
        country: 'GB',
        custom: { vip: false, opens_at: '17:30' },
      },
    ],
    [
      'ahmad',
      { firstName: 'أحمد', lastName: 'الشهري', phone: '+966551234567', country: 'SA', language: 'ar' },
    ],
    ['fatima', { firstName: 'فاطمة', lastName: 'علي', email: 'fatima@example.sa' }],
    ['pct', { firstName: '100%', lastName: 'Sure_Thing' }],
  ]
  for (const [k, v] of people) ids[k] = (await buildContact(server, owner.workspaceId, v)).id
})
after(() => server.close())

const list = async (query: string) => {
  const res = await owner.client.get(`${ws}/contacts?${query}`)
  assert.equal(res.status, 200, res.text)
  return res.body
}
const names = async (query: string) => (await list(query)).contacts.map((c: any) => c.firstName).sort()

describe('search (rule 49)', () => {
  test('"car" finds Carlos, Scarlet and Oscar (partial on names)', async () => {
    assert.deepEqual(await names('q=car'), ['Carlos', 'Oscar', 'Scarlet'])
    assert.deepEqual(await names('q=CAR'), ['Carlos', 'Oscar', 'Scarlet'])
    assert.deepEqual(await names('q=wilde'), ['Oscar'])
  })

  test('Arabic letter variants are folded: "احمد" finds "أحمد", "فاطمه" finds "فاطمة"', async () => {
    assert.deepEqual(await names(`q=${encodeURIComponent('احمد')}`), ['أحمد'])
    assert.deepEqual(await names(`q=${encodeURIComponent('فاطمه')}`), ['فاطمة'])
    assert.deepEqual(await names(`q=${encodeURIComponent('الشهر')}`), ['أحمد'])
  })

  test('partial on phone, with spaces, a plus sign or a national leading zero', async () => {
    assert.deepEqual(await names('q=1234567'), ['Carlos', 'أحمد'])
    assert.deepEqual(await names(`q=${encodeURIComponent('+966 50 123')}`), ['Carlos'])
    assert.deepEqual(await names(`q=${encodeURIComponent('050 123 4567')}`), ['Carlos'])
    assert.deepEqual(await names('q=7911'), ['Oscar'])
  })

  test('exact on email (any case), not partial', async () => {
    assert.deepEqual(await names('q=Scarlet@Example.com'), ['Scarlet'])
    assert.deepEqual(await names('q=example.com'), [])
  })

  test('exact on text and number custom fields; checkbox and date values are not searched', async () => {
    assert.deepEqual(await names('q=riyadh'), [])
    assert.deepEqual(await names('q=Riyadh'), ['Carlos'])
    assert.deepEqual(await names('q=42'), ['Scarlet'])
    // Two digits are also a partial phone search: these three phones contain "12".
    assert.deepEqual(await names('q=12'), ['Carlos', 'Oscar', 'أحمد'])
    assert.deepEqual(await names('q=1990-05-01'), [])
    assert.deepEqual(await names('q=true'), [])
  })

  test('LIKE wildcards in the query are literal', async () => {
    assert.deepEqual(await names(`q=${encodeURIComponent('100%')}`), ['100%'])
    assert.deepEqual(await names(`q=${encodeURIComponent('e_t')}`), ['100%'])
    assert.deepEqual(await names(`q=${encodeURIComponent('%')}`), ['100%'])
  })

  test('the name and phone search uses the trigram index contacts_search', async () => {
    const big = await buildWorkspace(server, 'Many contacts')
    await server.ctx.database.query(
      `INSERT INTO contacts (workspace_id, first_name, last_name, phone)
       SELECT $1, md5(i::text), 'Family' || (i % 97), '+9665' || lpad(i::text, 8, '0') FROM generate_series(1, 5000) AS i`,
      [big.workspaceId],
    )
    // VACUUM moves fresh rows out of the GIN pending list, as autovacuum would; otherwise the
    // planner prices the index by its unsorted pending list and prefers a scan.
    await server.ctx.database.query('VACUUM ANALYZE contacts')
    // md5('4242') = 'fe7ecc4de28b2c83c016b5c6c2acd826'
    const query = contactPageQuery(
      server.ctx.db,
      big.workspaceId,
      { search: searchOf('4de28b2', []) },
      null,
      50,
    ).toSQL()
    const { rows } = await server.ctx.database.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN ${query.sql}`,
      query.params,
    )
    const plan = rows.map((x) => x['QUERY PLAN']).join('\n')
    assert.match(plan, /Bitmap Index Scan on contacts_search/, plan)
    // The list without a search is a range of contacts_created, in its order: no sort.
    const list = contactPageQuery(server.ctx.db, big.workspaceId, {}, null, 50).toSQL()
    const listPlan = (
      await server.ctx.database.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${list.sql}`, list.params)
    ).rows
      .map((x) => x['QUERY PLAN'])
      .join('\n')
    assert.match(listPlan, /Index Scan using contacts_created/, listPlan)
    assert.doesNotMatch(listPlan, /Sort/, listPlan)
    assert.match(plan, /search_text ~~\* /, plan)
    const res = await big.owner.client.get(`/api/v1/workspaces/${big.workspaceId}/contacts?q=4DE28B2`)
    assert.deepEqual(
      res.body.contacts.map((c: any) => c.phone),
      ['+966500004242'],
    )
  })
})

describe('filters and pagination', () => {
  test('country, language, lifecycle, tags, assignee, inbox status, blocked', async () => {
    assert.deepEqual(await names('country=sa'), ['Carlos', 'أحمد'])
    assert.deepEqual(await names('language=ar'), ['أحمد'])
    assert.deepEqual(await names('lifecycleStageId=none&country=GB'), ['Oscar'])
    const tag = (await owner.client.post(`${ws}/tags`, { name: 'Gold' })).body.id
    const tag2 = (await owner.client.post(`${ws}/tags`, { name: 'Silver' })).body.id
    await owner.client.post(`${ws}/contacts/tags`, { contactIds: [ids.carlos, ids.oscar], add: [tag] })
    await owner.client.post(`${ws}/contacts/tags`, { contactIds: [ids.oscar], add: [tag2] })
    assert.deepEqual(await names(`tagIds=${tag}`), ['Carlos', 'Oscar'])
    assert.deepEqual(await names(`tagIds=${tag},${tag2}`), ['Oscar'])
    const listed = (await list(`tagIds=${tag2}`)).contacts[0]
    assert.deepEqual(
      listed.tags.map((t: any) => t.name),
      ['Gold', 'Silver'],
    )
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    await owner.client.put(`${ws}/contacts/${ids.scarlet}/assignee`, { userId: agent.userId })
    assert.deepEqual(await names(`assigneeUserId=${agent.userId}`), ['Scarlet'])
    assert.ok(!(await names('assigneeUserId=none')).includes('Scarlet'))
    assert.equal((await names('inboxStatus=open')).length, 0)
    assert.equal((await names('inboxStatus=none')).length, 6)
    await owner.client.post(`${ws}/contacts/${ids.fatima}/block`)
    assert.deepEqual(await names('blocked=true'), ['فاطمة'])
  })

  test('checkbox, date, time and number custom field filters', async () => {
    assert.deepEqual(await names('cf=vip:true'), ['Carlos'])
    // An unchecked checkbox is false or never set.
    assert.deepEqual(await names('cf=vip:false&q=car'), ['Oscar', 'Scarlet'])
    assert.deepEqual(await names('cf=birthday:1980-01-01..1989-12-31'), ['Scarlet'])
    assert.deepEqual(await names('cf=birthday:1989-01-01..'), ['Carlos'])
    assert.deepEqual(await names('cf=opens_at:..12:00'), ['Carlos'])
    assert.deepEqual(await names('cf=orders:5..'), ['Scarlet'])
    assert.deepEqual(await names('cf=orders:3'), ['Carlos'])
    assert.deepEqual(await names('cf=city:&cf=vip:'), ['100%', 'فاطمة', 'أحمد'].sort())
  })

  test('bad filters are precise 400s', async () => {
    for (const [query, path] of [
      ['cf=nope:1', 'cf.nope'],
      ['cf=birthday:1990-02-30', 'cf.birthday'],
      ['cf=orders:abc..', 'cf.orders'],
      ['country=XX', 'querystring.country'],
      ['inboxStatus=lost', 'querystring.inboxStatus'],
      ['tagIds=a,b', 'querystring.tagIds'],
      ['createdFrom=yesterday', 'querystring.createdFrom'],
      ['cursor=garbage', 'cursor'],
      ['limit=1000', 'querystring.limit'],
      ['sort=name', 'querystring.sort'],
    ]) {
      const res = await owner.client.get(`${ws}/contacts?${query}`)
      assert.equal(res.status, 400, `${query}: ${res.text}`)
      assert.equal(res.body.error.fields[0].path, path, query)
    }
  })

  test('keyset pages, newest first, stable with equal creation times', async () => {
    const other = await buildWorkspace(server, 'Paging')
    const client = other.owner.client
    const base = `/api/v1/workspaces/${other.workspaceId}/contacts`
    // One statement: these five share created_at, so the id breaks the tie.
    await server.ctx.db
      .insert(contacts)
      .values([1, 2, 3, 4, 5].map((i) => ({ workspaceId: other.workspaceId, firstName: `Same ${i}` })))
    for (const i of [6, 7]) await buildContact(server, other.workspaceId, { firstName: `Later ${i}` })
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const res: any = await client.get(`${base}?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      assert.equal(res.status, 200, res.text)
      seen.push(...res.body.contacts.map((c: any) => c.firstName))
      cursor = res.body.nextCursor
      pages++
    } while (cursor)
    assert.equal(pages, 3)
    assert.deepEqual(seen, ['Later 7', 'Later 6', 'Same 5', 'Same 4', 'Same 3', 'Same 2', 'Same 1'])
    // The created range filter.
    const future = new Date(Date.now() + 86_400_000).toISOString()
    assert.equal(
      (await client.get(`${base}?createdFrom=${encodeURIComponent(future)}`)).body.contacts.length,
      0,
    )
    assert.equal((await client.get(`${base}?createdTo=${future.slice(0, 10)}`)).body.contacts.length, 7)
  })
})

describe('export (rule 101)', () => {
  test('CSV with the list filters, formula-injection safe, Arabic intact', async () => {
    await buildContact(server, owner.workspaceId, {
      firstName: '=HYPERLINK("http://evil")',
      lastName: '-2+3',
      country: 'SA',
    })
    const res = await owner.client.get(`${ws}/contacts/export?country=SA`)
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /text\/csv/)
    assert.match(String(res.headers['content-disposition']), /attachment; filename="contacts-/)
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    assert.equal(
      lines[0],
      'ID,First Name,Last Name,Phone,Email,Country,Language,Lifecycle,Tags,Assignee,Blocked,Created At,City,Orders,VIP,Birthday,Opens at',
    )
    assert.equal(lines.length, 4)
    assert.ok(
      lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil"")",'-2+3`)),
      lines.join('\n'),
    )
    assert.ok(lines.some((l) => l.includes("أحمد,الشهري,'+966551234567")))
    assert.ok(
      lines.some(
        (l) =>
          l.includes('Carlos,Diaz') && l.includes(',Gold,') && l.endsWith(',Riyadh,3,true,1990-05-01,09:00'),
      ),
    )
  })

  test('export pages through large result sets', async () => {
    const other = await buildWorkspace(server, 'Big export')
    await server.ctx.db
      .insert(contacts)
      .values(
        Array.from({ length: 2500 }, (_, i) => ({ workspaceId: other.workspaceId, firstName: `P${i}` })),
      )
    const res = await other.owner.client.get(`/api/v1/workspaces/${other.workspaceId}/contacts/export`)
    assert.equal(res.status, 200)
    const lines = res.text.trim().split('\r\n')
    assert.equal(lines.length, 2501)
    assert.equal(new Set(lines.slice(1).map((l) => l.split(',')[0])).size, 2500)
  })

  test('restricted managers and agents cannot export; bad filters fail before streaming', async () => {
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictExport: true },
    })
    const res = await restricted.client.get(`${ws}/contacts/export`)
    assert.equal(res.status, 403)
    assert.match(res.body.error.message, /data export is restricted/)
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    assert.equal((await agent.client.get(`${ws}/contacts/export`)).status, 403)
    const bad = await owner.client.get(`${ws}/contacts/export?cf=nope:1`)
    assert.equal(bad.status, 400)
  })
})
