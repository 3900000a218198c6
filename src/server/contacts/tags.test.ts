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

async function tagEvents(contactId: number) {
  const { rows } = await server.ctx.database.query<{ payload: any; on_timeline: boolean }>(
    "SELECT payload, on_timeline FROM events WHERE workspace_id = $1 AND contact_id = $2 AND type = 'contact.tag_updated' ORDER BY id",
    [owner.workspaceId, contactId],
  )
  return rows
}
const tag = async (name: string) => {
  const r = await owner.client.post(`${ws}/tags`, { name })
  assert.equal(r.status, 201, r.text)
  return r.body.id as number
}

describe('tags', () => {
  test('names are unique ignoring case; rename and recolour', async () => {
    const vip = await tag('VIP')
    const dup = await owner.client.post(`${ws}/tags`, { name: 'vip' })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error.fields[0].path, 'name')
    const other = await tag('Lead')
    assert.equal((await owner.client.patch(`${ws}/tags/${other}`, { name: 'Vip' })).status, 409)
    const renamed = await owner.client.patch(`${ws}/tags/${vip}`, { name: 'V.I.P.', color: '#ff0000' })
    assert.equal(renamed.status, 200)
    assert.equal(renamed.body.name, 'V.I.P.')
    assert.equal(renamed.body.color, '#ff0000')
    // Changing only the case of its own name is fine.
    assert.equal((await owner.client.patch(`${ws}/tags/${vip}`, { name: 'v.i.p.' })).status, 200)
    const badColor = await owner.client.post(`${ws}/tags`, { name: 'x', color: 'red' })
    assert.equal(badColor.status, 400)
    assert.equal(badColor.body.error.fields[0].path, 'body.color')
  })

  test('add and remove on a contact emit contact.tag_updated per tag and per real change', async () => {
    const a = await tag('Alpha')
    const b = await tag('Beta')
    const c = await buildContact(server, owner.workspaceId)
    const res = await owner.client.post(`${ws}/contacts/${c.id}/tags`, { add: [a, b] })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(
      res.body.tags.map((t: any) => t.name),
      ['Alpha', 'Beta'],
    )
    // Adding again changes nothing and emits nothing.
    await owner.client.post(`${ws}/contacts/${c.id}/tags`, { add: [a] })
    const del = await owner.client.delete(`${ws}/contacts/${c.id}/tags/${a}`)
    assert.equal(del.status, 200)
    assert.deepEqual(
      del.body.tags.map((t: any) => t.name),
      ['Beta'],
    )
    const events = await tagEvents(c.id)
    assert.deepEqual(
      events.map((e) => [e.payload.tag, e.payload.action]),
      [
        ['Alpha', 'added'],
        ['Beta', 'added'],
        ['Alpha', 'removed'],
      ],
    )
    assert.ok(events.every((e) => e.on_timeline))
    const both = await owner.client.post(`${ws}/contacts/${c.id}/tags`, { add: [a], remove: [a] })
    assert.equal(both.status, 400)
    const unknown = await owner.client.post(`${ws}/contacts/${c.id}/tags`, { add: [a, 999999] })
    assert.equal(unknown.status, 422)
    assert.equal(unknown.body.error.code, 'unknown_tag')
    assert.equal((await tagEvents(c.id)).length, 3, 'nothing half-written')
  })

  test('bulk add and remove is all or nothing', async () => {
    const t = await tag('Bulk')
    const c1 = await buildContact(server, owner.workspaceId)
    const c2 = await buildContact(server, owner.workspaceId)
    const other = await buildWorkspace(server)
    const foreign = await buildContact(server, other.workspaceId)
    const bad = await owner.client.post(`${ws}/contacts/tags`, { contactIds: [c1.id, foreign.id], add: [t] })
    assert.equal(bad.status, 422)
    assert.match(bad.body.error.message, new RegExp(String(foreign.id)))
    assert.equal((await tagEvents(c1.id)).length, 0)
    const ok = await owner.client.post(`${ws}/contacts/tags`, { contactIds: [c1.id, c2.id], add: [t] })
    assert.deepEqual(ok.body, { added: 2, removed: 0 })
    const removed = await owner.client.post(`${ws}/contacts/tags`, {
      contactIds: [c1.id, c2.id],
      remove: [t],
    })
    assert.deepEqual(removed.body, { added: 0, removed: 2 })
    assert.equal((await owner.client.post(`${ws}/contacts/tags`, { contactIds: [c1.id] })).status, 400)
  })

  test('deleting a tag removes it from contacts; counts are listed', async () => {
    const t = await tag('Temporary')
    const c = await buildContact(server, owner.workspaceId)
    await owner.client.post(`${ws}/contacts/${c.id}/tags`, { add: [t] })
    const list = await owner.client.get(`${ws}/tags`)
    assert.equal(list.body.find((x: any) => x.id === t).contactCount, 1)
    const del = await owner.client.delete(`${ws}/tags/${t}`)
    assert.deepEqual(del.body, { contactsUntagged: 1 })
    assert.deepEqual((await owner.client.get(`${ws}/contacts/${c.id}`)).body.tags, [])
    assert.equal((await owner.client.delete(`${ws}/tags/${t}`)).status, 404)
  })

  test('agents tag contacts they can see but cannot manage tags or bulk-tag', async () => {
    const t = await tag('AgentTag')
    const agent = await buildUser(server, owner.workspaceId, 'agent', {
      restrictions: { contactVisibility: 'own' },
    })
    const mine = await buildContact(server, owner.workspaceId, { assigneeUserId: agent.userId })
    const notMine = await buildContact(server, owner.workspaceId)
    assert.equal((await agent.client.get(`${ws}/tags`)).status, 200)
    assert.equal((await agent.client.post(`${ws}/tags`, { name: 'Nope' })).status, 403)
    assert.equal((await agent.client.post(`${ws}/contacts/${mine.id}/tags`, { add: [t] })).status, 200)
    assert.equal((await agent.client.post(`${ws}/contacts/${notMine.id}/tags`, { add: [t] })).status, 404)
    assert.equal(
      (await agent.client.post(`${ws}/contacts/tags`, { contactIds: [mine.id], add: [t] })).status,
      403,
    )
  })
})
