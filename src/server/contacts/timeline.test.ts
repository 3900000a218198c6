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

describe('contact timeline (rule 14)', () => {
  test('conversation and contact events, newest first, with actor and payload; keyset pages', async () => {
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      await inbound(server, channel, { from: '+966551239001', text: 'hello' })
      const { rows } = await server.ctx.database.query<{ id: number }>(
        'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2',
        [owner.workspaceId, '+966551239001'],
      )
      const id = Number(rows[0]!.id)
      const tag = (await owner.client.post(`${ws}/tags`, { name: 'Timeline' })).body.id
      await owner.client.post(`${ws}/contacts/${id}/tags`, { add: [tag] })
      await owner.client.put(`${ws}/contacts/${id}/assignee`, { userId: owner.userId })
      await owner.client.post(`${ws}/contacts/${id}/conversation/close`)
      // Not timeline events: message.received, contact.updated.
      await owner.client.patch(`${ws}/contacts/${id}`, { lastName: 'X' })
      const res = await owner.client.get(`${ws}/contacts/${id}/timeline`)
      assert.equal(res.status, 200, res.text)
      assert.deepEqual(
        res.body.events.map((e: any) => e.type),
        ['conversation.closed', 'contact.assignee_updated', 'contact.tag_updated', 'conversation.opened'],
      )
      const [closed, assigned, tagged, opened] = res.body.events
      assert.deepEqual(closed.actor, { kind: 'user', id: owner.userId })
      assert.equal(closed.payload.source, 'user')
      assert.equal(assigned.payload.to, owner.userId)
      assert.deepEqual([tagged.payload.tag, tagged.payload.action], ['Timeline', 'added'])
      assert.deepEqual(opened.actor, { kind: 'contact', id })
      assert.equal(opened.conversationId, closed.conversationId)
      assert.ok(Date.parse(opened.createdAt) <= Date.parse(closed.createdAt))
      const page = await owner.client.get(`${ws}/contacts/${id}/timeline?limit=3`)
      assert.equal(page.body.events.length, 3)
      const rest = await owner.client.get(
        `${ws}/contacts/${id}/timeline?limit=3&before=${page.body.nextBefore}`,
      )
      assert.deepEqual(
        rest.body.events.map((e: any) => e.type),
        ['conversation.opened'],
      )
      assert.equal(rest.body.nextBefore, null)
    } finally {
      await dest.close()
    }
  })

  test('visibility and tenancy', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent', {
      restrictions: { contactVisibility: 'own' },
    })
    const mine = await buildContact(server, owner.workspaceId, { assigneeUserId: agent.userId })
    const notMine = await buildContact(server, owner.workspaceId)
    assert.equal((await agent.client.get(`${ws}/contacts/${mine.id}/timeline`)).status, 200)
    assert.equal((await agent.client.get(`${ws}/contacts/${notMine.id}/timeline`)).status, 404)
    const other = await buildWorkspace(server)
    const foreign = await buildContact(server, other.workspaceId)
    assert.equal((await owner.client.get(`${ws}/contacts/${foreign.id}/timeline`)).status, 404)
    assert.equal((await owner.client.get(`${ws}/contacts/${mine.id}/timeline?before=abc`)).status, 400)
  })
})
