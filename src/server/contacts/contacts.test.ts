import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connectCustomChannel, inbound, startDestination } from '../test/custom-channel'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
})
after(() => server.close())

async function eventsOf(contactId: number, type: string) {
  const { rows } = await server.ctx.database.query<{ payload: any; actor_kind: string }>(
    'SELECT payload, actor_kind FROM events WHERE workspace_id = $1 AND contact_id = $2 AND type = $3 ORDER BY id',
    [owner.workspaceId, contactId, type],
  )
  return rows
}
async function countContacts() {
  const { rows } = await server.ctx.database.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1',
    [owner.workspaceId],
  )
  return rows[0]!.n
}

describe('creating contacts (rules 54, 56, 58)', () => {
  test('normalizes the phone to E.164, derives the country, lower-cases the email, puts the contact in the default stage', async () => {
    const res = await owner.client.post(`${ws}/contacts`, {
      firstName: ' Layla ',
      lastName: 'Hassan',
      phone: '+966 50 123 4567',
      email: 'Layla@Example.COM',
    })
    assert.equal(res.status, 201, res.text)
    const c = res.body
    assert.equal(c.firstName, 'Layla')
    assert.equal(c.phone, '+966501234567')
    assert.equal(c.country, 'SA')
    assert.equal(c.email, 'layla@example.com')
    assert.equal(c.displayName, 'Layla Hassan')
    const stages = await owner.client.get(`${ws}/lifecycle-stages`)
    const def = stages.body.find((s: any) => s.isDefault)
    assert.equal(c.lifecycleStageId, def.id)
    assert.deepEqual(c.lifecycleStage, { id: def.id, name: def.name, isLost: false })
    assert.deepEqual(c.identities, [])
    const created = await eventsOf(c.id, 'contact.created')
    assert.deepEqual(
      created.map((e) => [e.payload.source, e.actor_kind]),
      [['user', 'user']],
    )
  })

  test('an explicit country wins over the phone; 00-prefixed and +-less numbers with a country code are accepted', async () => {
    const a = await owner.client.post(`${ws}/contacts`, { phone: '00971501234567', country: 'sa' })
    assert.equal(a.status, 201, a.text)
    assert.equal(a.body.phone, '+971501234567')
    assert.equal(a.body.country, 'SA')
    assert.equal(a.body.displayName, '+971501234567', 'rule 56: the display name falls back to the phone')
    const b = await owner.client.post(`${ws}/contacts`, { phone: '971501234568' })
    assert.equal(b.body.phone, '+971501234568')
    assert.equal(b.body.country, 'AE')
    const c = await owner.client.post(`${ws}/contacts`, { email: 'only@example.com' })
    assert.equal(c.body.displayName, 'only@example.com')
  })

  test('needs a first name, phone or email; bad phone, email, country and language are precise 400s; nothing is written', async () => {
    const before = await countContacts()
    const empty = await owner.client.post(`${ws}/contacts`, { lastName: 'Only' })
    assert.equal(empty.status, 400)
    assert.deepEqual(
      empty.body.error.fields.map((f: any) => f.path),
      ['firstName'],
    )
    const bad = await owner.client.post(`${ws}/contacts`, {
      firstName: 'X',
      phone: '0501234567',
      email: 'not-an-email',
      country: 'XX',
      language: 'english language',
    })
    assert.equal(bad.status, 400)
    assert.deepEqual(bad.body.error.fields.map((f: any) => f.path).sort(), [
      'body.country',
      'body.email',
      'body.language',
      'body.phone',
    ])
    assert.match(bad.body.error.fields.find((f: any) => f.path === 'body.phone').message, /country code/)
    const unknownKey = await owner.client.post(`${ws}/contacts`, { firstName: 'X', nickname: 'y' })
    assert.equal(unknownKey.status, 400)
    assert.equal(unknownKey.body.error.fields[0].path, 'body.nickname')
    const badStage = await owner.client.post(`${ws}/contacts`, { firstName: 'X', lifecycleStageId: 999999 })
    assert.equal(badStage.status, 422)
    assert.equal(badStage.body.error.code, 'unknown_stage')
    const badTag = await owner.client.post(`${ws}/contacts`, { firstName: 'X', tagIds: [999999] })
    assert.equal(badTag.status, 422)
    assert.equal(await countContacts(), before)
  })

  test('API tokens create contacts with source api', async () => {
    const token = await owner.client.post(`${ws}/api-tokens`, { name: 'crm' })
    assert.equal(token.status, 201, token.text)
    const res = await server.app.inject({
      method: 'POST',
      url: `${ws}/contacts`,
      headers: { authorization: `Bearer ${token.body.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ firstName: 'Via API' }),
    })
    assert.equal(res.statusCode, 201, res.body)
    const id = JSON.parse(res.body).id
    const created = await eventsOf(id, 'contact.created')
    assert.deepEqual(
      created.map((e) => [e.payload.source, e.actor_kind]),
      [['api', 'api']],
    )
  })
})

describe('reading, editing and deleting', () => {
  test('get returns identities from the channel, tags and the lifecycle stage', async () => {
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      await inbound(server, channel, { from: '+966551110001', contact: { firstName: 'Omar' } })
      const { rows } = await server.ctx.database.query<{ id: number }>(
        'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2',
        [owner.workspaceId, '+966551110001'],
      )
      const res = await owner.client.get(`${ws}/contacts/${rows[0]!.id}`)
      assert.equal(res.status, 200)
      assert.equal(res.body.firstName, 'Omar')
      assert.equal(res.body.identities.length, 1)
      assert.equal(res.body.identities[0].channelId, channel.id)
      assert.equal(res.body.identities[0].identifier, '+966551110001')
      assert.ok(res.body.lifecycleStage)
    } finally {
      await dest.close()
    }
  })

  test('update emits contact.updated with exactly the changed keys; a no-op writes nothing', async () => {
    const field = await owner.client.post(`${ws}/contact-fields`, { key: 'city', name: 'City', type: 'text' })
    assert.equal(field.status, 201, field.text)
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Sami', phone: '+966501110002' })
    const res = await owner.client.patch(`${ws}/contacts/${c.id}`, {
      firstName: 'Sami',
      lastName: 'Nasser',
      custom: { city: 'Riyadh' },
    })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.lastName, 'Nasser')
    assert.deepEqual(res.body.custom, { city: 'Riyadh' })
    let updated = await eventsOf(c.id, 'contact.updated')
    assert.deepEqual(
      updated.map((e) => e.payload.changes),
      [['lastName', 'custom.city']],
    )
    const again = await owner.client.patch(`${ws}/contacts/${c.id}`, {
      lastName: 'Nasser',
      custom: { city: 'Riyadh' },
    })
    assert.equal(again.status, 200)
    assert.equal((await eventsOf(c.id, 'contact.updated')).length, 1)
    // A new phone brings its country (rule 54); null removes a custom value.
    const phone = await owner.client.patch(`${ws}/contacts/${c.id}`, {
      phone: '+20 100 123 4567',
      custom: { city: null },
    })
    assert.equal(phone.body.phone, '+201001234567')
    assert.equal(phone.body.country, 'EG')
    assert.deepEqual(phone.body.custom, {})
    updated = await eventsOf(c.id, 'contact.updated')
    assert.deepEqual(updated.at(-1)!.payload.changes, ['phone', 'country', 'custom.city'])
  })

  test('custom values are validated per field type, with the path of each bad value, and nothing is written', async () => {
    for (const f of [
      { key: 'birthday', type: 'date' },
      { key: 'opens_at', type: 'time' },
      { key: 'site', type: 'url' },
      { key: 'work_email', type: 'email' },
      { key: 'orders', type: 'number' },
      { key: 'vip', type: 'checkbox' },
      { key: 'plan', type: 'list', options: ['Basic', 'Pro'] },
    ]) {
      const r = await owner.client.post(`${ws}/contact-fields`, { name: f.key, ...f })
      assert.equal(r.status, 201, r.text)
    }
    const c = await buildContact(server, owner.workspaceId)
    const bad = await owner.client.patch(`${ws}/contacts/${c.id}`, {
      firstName: 'Changed',
      custom: {
        birthday: '2024-02-30',
        opens_at: '25:00',
        site: 'javascript:alert(1)',
        work_email: 'nope',
        orders: '12',
        vip: 'yes',
        plan: 'Enterprise',
        unknown_key: 'x',
      },
    })
    assert.equal(bad.status, 400)
    assert.deepEqual(bad.body.error.fields.map((f: any) => f.path).sort(), [
      'custom.birthday',
      'custom.opens_at',
      'custom.orders',
      'custom.plan',
      'custom.site',
      'custom.unknown_key',
      'custom.vip',
      'custom.work_email',
    ])
    const unchanged = await owner.client.get(`${ws}/contacts/${c.id}`)
    assert.equal(unchanged.body.firstName, c.firstName)
    const good = await owner.client.patch(`${ws}/contacts/${c.id}`, {
      custom: {
        birthday: '2024-02-29',
        opens_at: '09:30',
        site: 'https://example.com/a',
        work_email: 'A@B.co',
        orders: 12,
        vip: true,
        plan: 'pro',
      },
    })
    assert.equal(good.status, 200, good.text)
    assert.deepEqual(good.body.custom, {
      birthday: '2024-02-29',
      opens_at: '09:30',
      site: 'https://example.com/a',
      work_email: 'a@b.co',
      orders: 12,
      vip: true,
      plan: 'Pro',
    })
  })

  test('a contact cannot be left without a first name, phone and email', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Solo' })
    const res = await owner.client.patch(`${ws}/contacts/${c.id}`, { firstName: '' })
    assert.equal(res.status, 400)
    assert.equal(res.body.error.fields[0].path, 'firstName')
  })

  test('delete removes the contact with its conversations and messages and emits contact.deleted', async () => {
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      await inbound(server, channel, { from: '+966551110003', text: 'hi' })
      const { rows } = await server.ctx.database.query<{ id: number }>(
        'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2',
        [owner.workspaceId, '+966551110003'],
      )
      const id = rows[0]!.id
      const res = await owner.client.delete(`${ws}/contacts/${id}`)
      assert.equal(res.status, 200, res.text)
      assert.equal((await owner.client.get(`${ws}/contacts/${id}`)).status, 404)
      for (const table of ['messages', 'conversations', 'contact_channels']) {
        const left = await server.ctx.database.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1 AND contact_id = $2`,
          [owner.workspaceId, id],
        )
        assert.equal(left.rows[0]!.n, 0, table)
      }
      assert.equal((await eventsOf(id, 'contact.deleted')).length, 1)
      assert.equal((await owner.client.delete(`${ws}/contacts/${id}`)).status, 404)
    } finally {
      await dest.close()
    }
  })
})

describe('permissions and tenancy (rules 56, 101, 102)', () => {
  test("another workspace's contacts are 404 everywhere", async () => {
    const other = await buildWorkspace(server)
    const theirs = await buildContact(server, other.workspaceId, { firstName: 'Theirs' })
    for (const [method, path, body] of [
      ['GET', `/contacts/${theirs.id}`, undefined],
      ['PATCH', `/contacts/${theirs.id}`, { firstName: 'Mine' }],
      ['DELETE', `/contacts/${theirs.id}`, undefined],
      ['POST', `/contacts/${theirs.id}/tags`, { add: [] }],
      ['PUT', `/contacts/${theirs.id}/lifecycle`, { stageId: null }],
    ] as const) {
      const res = await owner.client.request(method, `${ws}${path}`, body)
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`)
    }
    // And their workspace itself is not ours to use.
    const res = await owner.client.get(`/api/v1/workspaces/${other.workspaceId}/contacts`)
    assert.equal(res.status, 404)
  })

  test('agents cannot list, create or delete contacts, and see only the contacts they may see', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent', {
      restrictions: { contactVisibility: 'own' },
    })
    assert.equal((await agent.client.get(`${ws}/contacts`)).status, 403)
    assert.equal((await agent.client.post(`${ws}/contacts`, { firstName: 'A' })).status, 403)
    const mine = await buildContact(server, owner.workspaceId, { assigneeUserId: agent.userId })
    const notMine = await buildContact(server, owner.workspaceId)
    assert.equal((await agent.client.delete(`${ws}/contacts/${mine.id}`)).status, 403)
    assert.equal((await agent.client.get(`${ws}/contacts/${mine.id}`)).status, 200)
    assert.equal((await agent.client.get(`${ws}/contacts/${notMine.id}`)).status, 404)
    assert.equal((await agent.client.patch(`${ws}/contacts/${notMine.id}`, { firstName: 'x' })).status, 404)
    const edit = await agent.client.patch(`${ws}/contacts/${mine.id}`, { lastName: 'Edited by agent' })
    assert.equal(edit.status, 200)
  })

  test('a manager restricted from contact deletion gets 403 and the contact stays', async () => {
    const manager = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictContactDelete: true },
    })
    const c = await buildContact(server, owner.workspaceId)
    const res = await manager.client.delete(`${ws}/contacts/${c.id}`)
    assert.equal(res.status, 403)
    assert.match(res.body.error.message, /contact deletion is restricted/)
    assert.equal((await manager.client.get(`${ws}/contacts/${c.id}`)).status, 200)
    const free = await buildUser(server, owner.workspaceId, 'manager')
    assert.equal((await free.client.delete(`${ws}/contacts/${c.id}`)).status, 200)
  })
})
