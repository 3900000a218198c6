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

const stages = async () => (await owner.client.get(`${ws}/lifecycle-stages`)).body as any[]

describe('lifecycle stages (rule 58)', () => {
  test('a workspace starts with New Lead (default), Hot Lead, Payment, Customer and the lost Cold Lead', async () => {
    const list = await stages()
    assert.deepEqual(
      list.map((s) => [s.name, s.isDefault, s.isLost]),
      [
        ['New Lead', true, false],
        ['Hot Lead', false, false],
        ['Payment', false, false],
        ['Customer', false, false],
        ['Cold Lead', false, true],
      ],
    )
  })

  test('add, rename, reorder; names are unique ignoring case', async () => {
    const added = await owner.client.post(`${ws}/lifecycle-stages`, { name: 'Churned', isLost: true })
    assert.equal(added.status, 201, added.text)
    assert.equal(added.body.position, 5)
    assert.equal((await owner.client.post(`${ws}/lifecycle-stages`, { name: 'churned' })).status, 409)
    const renamed = await owner.client.patch(`${ws}/lifecycle-stages/${added.body.id}`, { name: 'Gone' })
    assert.equal(renamed.body.name, 'Gone')
    const ids = (await stages()).map((s) => s.id).reverse()
    const order = await owner.client.put(`${ws}/lifecycle-stages/order`, { stageIds: ids })
    assert.deepEqual(
      order.body.map((s: any) => s.id),
      ids,
    )
    assert.equal(
      (await owner.client.put(`${ws}/lifecycle-stages/order`, { stageIds: ids.slice(1) })).status,
      422,
    )
  })

  test('exactly one default; a lost stage cannot be the default; the default cannot be deleted', async () => {
    const list = await stages()
    const hot = list.find((s) => s.name === 'Hot Lead')
    const cold = list.find((s) => s.name === 'Cold Lead')
    const res = await owner.client.post(`${ws}/lifecycle-stages/${hot.id}/default`)
    assert.equal(res.status, 200)
    assert.deepEqual(
      res.body.filter((s: any) => s.isDefault).map((s: any) => s.id),
      [hot.id],
    )
    assert.equal((await owner.client.post(`${ws}/lifecycle-stages/${cold.id}/default`)).status, 409)
    const lostDefault = await owner.client.patch(`${ws}/lifecycle-stages/${hot.id}`, { isLost: true })
    assert.equal(lostDefault.status, 409)
    const delDefault = await owner.client.delete(`${ws}/lifecycle-stages/${hot.id}`)
    assert.equal(delDefault.status, 409)
    assert.equal(delDefault.body.error.code, 'default_stage')
    // New contacts (created or from a first message) start in the default stage.
    const created = await owner.client.post(`${ws}/contacts`, { firstName: 'New' })
    assert.equal(created.body.lifecycleStageId, hot.id)
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      await inbound(server, channel, { from: '+966551112233' })
      const { rows } = await server.ctx.database.query<{ lifecycle_stage_id: number }>(
        'SELECT lifecycle_stage_id FROM contacts WHERE workspace_id = $1 AND phone = $2',
        [owner.workspaceId, '+966551112233'],
      )
      assert.equal(Number(rows[0]!.lifecycle_stage_id), hot.id)
    } finally {
      await dest.close()
    }
    await owner.client.post(`${ws}/lifecycle-stages/${list.find((s) => s.name === 'New Lead').id}/default`)
  })

  test('moving a contact emits contact.lifecycle_updated {from, to}; deleting a stage leaves its contacts without one', async () => {
    const list = await stages()
    const def = list.find((s) => s.isDefault)
    const payment = list.find((s) => s.name === 'Payment')
    const c = (await owner.client.post(`${ws}/contacts`, { firstName: 'Mover' })).body
    const moved = await owner.client.put(`${ws}/contacts/${c.id}/lifecycle`, { stageId: payment.id })
    assert.equal(moved.status, 200)
    assert.deepEqual(moved.body.lifecycleStage, { id: payment.id, name: 'Payment', isLost: false })
    await owner.client.put(`${ws}/contacts/${c.id}/lifecycle`, { stageId: payment.id })
    const cleared = await owner.client.put(`${ws}/contacts/${c.id}/lifecycle`, { stageId: null })
    assert.equal(cleared.body.lifecycleStage, null)
    const { rows } = await server.ctx.database.query<{ payload: any; on_timeline: boolean }>(
      "SELECT payload, on_timeline FROM events WHERE workspace_id = $1 AND contact_id = $2 AND type = 'contact.lifecycle_updated' ORDER BY id",
      [owner.workspaceId, c.id],
    )
    assert.deepEqual(
      rows.map((r) => [r.payload.from, r.payload.to]),
      [
        [def.id, payment.id],
        [payment.id, null],
      ],
    )
    assert.ok(rows.every((r) => r.on_timeline))
    const unknown = await owner.client.put(`${ws}/contacts/${c.id}/lifecycle`, { stageId: 999999 })
    assert.equal(unknown.status, 422)
    await owner.client.put(`${ws}/contacts/${c.id}/lifecycle`, { stageId: payment.id })
    const del = await owner.client.delete(`${ws}/lifecycle-stages/${payment.id}`)
    assert.deepEqual(del.body, { contactsCleared: 1 })
    assert.equal((await owner.client.get(`${ws}/contacts/${c.id}`)).body.lifecycleStageId, null)
  })

  test("permissions and other workspaces' stages", async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    assert.equal((await agent.client.get(`${ws}/lifecycle-stages`)).status, 200)
    assert.equal((await agent.client.post(`${ws}/lifecycle-stages`, { name: 'X' })).status, 403)
    assert.equal((await restricted.client.post(`${ws}/lifecycle-stages`, { name: 'X' })).status, 403)
    const other = await buildWorkspace(server)
    const { rows } = await server.ctx.database.query<{ id: number }>(
      'SELECT id FROM lifecycle_stages WHERE workspace_id = $1 LIMIT 1',
      [other.workspaceId],
    )
    const theirs = Number(rows[0]!.id)
    assert.equal((await owner.client.patch(`${ws}/lifecycle-stages/${theirs}`, { name: 'Mine' })).status, 404)
    assert.equal((await owner.client.delete(`${ws}/lifecycle-stages/${theirs}`)).status, 404)
    const c = await buildContact(server, owner.workspaceId)
    assert.equal(
      (await owner.client.put(`${ws}/contacts/${c.id}/lifecycle`, { stageId: theirs })).status,
      422,
    )
  })
})
