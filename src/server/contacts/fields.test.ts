import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
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

const create = (body: Record<string, unknown>) => owner.client.post(`${ws}/contact-fields`, body)

describe('custom contact fields (rule 55)', () => {
  test('create, list in order, rename, reorder', async () => {
    const a = await create({ key: 'city', name: 'City', description: 'Where they live', type: 'text' })
    assert.equal(a.status, 201, a.text)
    assert.deepEqual(
      {
        key: a.body.key,
        name: a.body.name,
        description: a.body.description,
        type: a.body.type,
        options: a.body.options,
      },
      { key: 'city', name: 'City', description: 'Where they live', type: 'text', options: [] },
    )
    const b = await create({ key: 'plan', name: 'Plan', type: 'list', options: ['Basic', 'Pro'] })
    assert.equal(b.status, 201, b.text)
    let list = await owner.client.get(`${ws}/contact-fields`)
    assert.deepEqual(
      list.body.map((f: any) => f.key),
      ['city', 'plan'],
    )
    const renamed = await owner.client.patch(`${ws}/contact-fields/${a.body.id}`, { name: 'Town' })
    assert.equal(renamed.body.name, 'Town')
    const order = await owner.client.put(`${ws}/contact-fields/order`, { fieldIds: [b.body.id, a.body.id] })
    assert.equal(order.status, 200, order.text)
    list = await owner.client.get(`${ws}/contact-fields`)
    assert.deepEqual(
      list.body.map((f: any) => f.key),
      ['plan', 'city'],
    )
    const partial = await owner.client.put(`${ws}/contact-fields/order`, { fieldIds: [b.body.id] })
    assert.equal(partial.status, 422)
    assert.equal(partial.body.error.fields[0].path, 'fieldIds')
  })

  test('keys are slugs, unique, and never a standard field name', async () => {
    const bad = await create({ key: 'My Key', name: 'x', type: 'text' })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error.fields[0].path, 'body.key')
    const reserved = await create({ key: 'phone', name: 'Phone 2', type: 'text' })
    assert.equal(reserved.status, 422)
    assert.equal(reserved.body.error.code, 'reserved_key')
    assert.equal((await create({ key: 'first_name', name: 'x', type: 'text' })).status, 422)
    assert.equal((await create({ key: 'dup_key', name: 'x', type: 'text' })).status, 201)
    const dup = await create({ key: 'dup_key', name: 'y', type: 'number' })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error.fields[0].path, 'key')
    const badType = await create({ key: 'k1', name: 'x', type: 'color' })
    assert.equal(badType.status, 400)
    assert.equal(badType.body.error.fields[0].path, 'body.type')
    // The key and type are fixed.
    const field = (await owner.client.get(`${ws}/contact-fields`)).body.find((f: any) => f.key === 'dup_key')
    const change = await owner.client.patch(`${ws}/contact-fields/${field.id}`, {
      key: 'other',
      type: 'date',
    })
    assert.equal(change.status, 400)
  })

  test('list fields need unique options; other types take none', async () => {
    assert.equal((await create({ key: 'l1', name: 'x', type: 'list' })).status, 422)
    assert.equal((await create({ key: 'l2', name: 'x', type: 'list', options: ['A', 'a'] })).status, 422)
    const t = await create({ key: 't1', name: 'x', type: 'text', options: ['A'] })
    assert.equal(t.status, 422)
    assert.equal(t.body.error.fields[0].path, 'options')
  })

  test('deleting a field removes its values from every contact; removing a list option clears that value only', async () => {
    const color = await create({
      key: 'color',
      name: 'Colour',
      type: 'list',
      options: ['Red', 'Green', 'Blue'],
    })
    const size = await create({ key: 'size', name: 'Size', type: 'number' })
    const c1 = await buildContact(server, owner.workspaceId, { custom: { color: 'Red', size: 3 } })
    const c2 = await buildContact(server, owner.workspaceId, { custom: { color: 'Green', size: 4 } })
    const trimmed = await owner.client.patch(`${ws}/contact-fields/${color.body.id}`, {
      options: ['Green', 'Blue'],
    })
    assert.equal(trimmed.status, 200, trimmed.text)
    assert.deepEqual((await owner.client.get(`${ws}/contacts/${c1.id}`)).body.custom, { size: 3 })
    assert.deepEqual((await owner.client.get(`${ws}/contacts/${c2.id}`)).body.custom, {
      color: 'Green',
      size: 4,
    })
    const del = await owner.client.delete(`${ws}/contact-fields/${size.body.id}`)
    assert.equal(del.status, 200)
    assert.equal(del.body.contactsCleared, 2)
    assert.deepEqual((await owner.client.get(`${ws}/contacts/${c1.id}`)).body.custom, {})
    assert.deepEqual((await owner.client.get(`${ws}/contacts/${c2.id}`)).body.custom, { color: 'Green' })
    // The value is no longer accepted.
    const stale = await owner.client.patch(`${ws}/contacts/${c2.id}`, { custom: { size: 5 } })
    assert.equal(stale.status, 400)
    assert.equal(stale.body.error.fields[0].path, 'custom.size')
    assert.equal((await owner.client.delete(`${ws}/contact-fields/${size.body.id}`)).status, 404)
  })

  test('managing fields needs Contact Fields settings; agents can read them', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    const manager = await buildUser(server, owner.workspaceId, 'manager')
    assert.equal((await agent.client.get(`${ws}/contact-fields`)).status, 200)
    assert.equal(
      (await agent.client.post(`${ws}/contact-fields`, { key: 'a1', name: 'a', type: 'text' })).status,
      403,
    )
    const r = await restricted.client.post(`${ws}/contact-fields`, { key: 'a2', name: 'a', type: 'text' })
    assert.equal(r.status, 403)
    assert.match(r.body.error.message, /Contact Fields is restricted/)
    assert.equal(
      (await manager.client.post(`${ws}/contact-fields`, { key: 'a3', name: 'a', type: 'text' })).status,
      201,
    )
  })

  test("another workspace's fields are 404", async () => {
    const other = await buildWorkspace(server)
    const { rows } = await server.ctx.database.query<{ id: number }>(
      "INSERT INTO custom_fields (workspace_id, key, name, type) VALUES ($1, 'theirs', 'Theirs', 'text') RETURNING id",
      [other.workspaceId],
    )
    const id = rows[0]!.id
    assert.equal((await owner.client.patch(`${ws}/contact-fields/${id}`, { name: 'x' })).status, 404)
    assert.equal((await owner.client.delete(`${ws}/contact-fields/${id}`)).status, 404)
    const c = await buildContact(server, owner.workspaceId)
    const use = await owner.client.patch(`${ws}/contacts/${c.id}`, { custom: { theirs: 'x' } })
    assert.equal(use.status, 400)
  })
})
