import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connectCustomChannel, inbound, startDestination } from '../test/custom-channel'
import { buildUser, buildWorkspace, setupOwner } from '../test/factories'
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

describe('closing note categories (rules 35, 38)', () => {
  test('create with name and description, rename, reorder, delete; names unique ignoring case', async () => {
    const a = await owner.client.post(`${ws}/closing-categories`, {
      name: 'Resolved',
      description: 'The issue is fixed',
    })
    assert.equal(a.status, 201, a.text)
    assert.deepEqual(
      [a.body.name, a.body.description, a.body.position],
      ['Resolved', 'The issue is fixed', 0],
    )
    const b = await owner.client.post(`${ws}/closing-categories`, { name: 'Sale' })
    assert.equal(b.body.position, 1)
    const dup = await owner.client.post(`${ws}/closing-categories`, { name: 'resolved' })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error.fields[0].path, 'name')
    assert.equal(
      (await owner.client.patch(`${ws}/closing-categories/${b.body.id}`, { name: 'RESOLVED' })).status,
      409,
    )
    const renamed = await owner.client.patch(`${ws}/closing-categories/${b.body.id}`, {
      name: 'Sale won',
      description: 'Paid',
    })
    assert.deepEqual([renamed.body.name, renamed.body.description], ['Sale won', 'Paid'])
    const order = await owner.client.put(`${ws}/closing-categories/order`, {
      categoryIds: [b.body.id, a.body.id],
    })
    assert.deepEqual(
      order.body.map((c: any) => c.name),
      ['Sale won', 'Resolved'],
    )
    assert.equal(
      (await owner.client.put(`${ws}/closing-categories/order`, { categoryIds: [a.body.id] })).status,
      422,
    )
    assert.equal((await owner.client.post(`${ws}/closing-categories`, { name: '' })).status, 400)
    assert.equal((await owner.client.delete(`${ws}/closing-categories/${b.body.id}`)).status, 200)
    assert.equal((await owner.client.delete(`${ws}/closing-categories/${b.body.id}`)).status, 404)
  })

  test('a category closes a conversation; once deleted it cannot be chosen but closed conversations keep it', async () => {
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      const cat = (await owner.client.post(`${ws}/closing-categories`, { name: 'Spam' })).body
      for (const phone of ['+966551238001', '+966551238002']) await inbound(server, channel, { from: phone })
      const { rows } = await server.ctx.database.query<{ id: number }>(
        "SELECT id FROM contacts WHERE workspace_id = $1 AND phone IN ('+966551238001', '+966551238002') ORDER BY phone",
        [owner.workspaceId],
      )
      const [first, second] = rows.map((r) => Number(r.id))
      const closed = await owner.client.post(`${ws}/contacts/${first}/conversation/close`, {
        categoryId: cat.id,
      })
      assert.equal(closed.status, 200, closed.text)
      await owner.client.delete(`${ws}/closing-categories/${cat.id}`)
      const again = await owner.client.post(`${ws}/contacts/${second}/conversation/close`, {
        categoryId: cat.id,
      })
      assert.equal(again.status, 422)
      const past = (await owner.client.get(`${ws}/contacts/${first}/conversations`)).body[0]
      assert.equal(past.closingNote.categoryId, cat.id)
    } finally {
      await dest.close()
    }
  })

  test('agents read the list; Owners and unrestricted Managers manage it; other workspaces are 404', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const manager = await buildUser(server, owner.workspaceId, 'manager')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    assert.equal((await agent.client.get(`${ws}/closing-categories`)).status, 200)
    assert.equal((await agent.client.post(`${ws}/closing-categories`, { name: 'A' })).status, 403)
    assert.equal((await restricted.client.post(`${ws}/closing-categories`, { name: 'B' })).status, 403)
    const made = await manager.client.post(`${ws}/closing-categories`, { name: 'C' })
    assert.equal(made.status, 201)
    const other = await buildWorkspace(server)
    const theirs = await other.owner.client.post(
      `/api/v1/workspaces/${other.workspaceId}/closing-categories`,
      { name: 'Theirs' },
    )
    assert.equal(
      (await owner.client.patch(`${ws}/closing-categories/${theirs.body.id}`, { name: 'Mine' })).status,
      404,
    )
    assert.equal((await owner.client.delete(`${ws}/closing-categories/${theirs.body.id}`)).status, 404)
  })
})
