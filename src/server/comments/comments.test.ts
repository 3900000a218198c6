import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connectCustomChannel, inbound, startDestination } from '../test/custom-channel'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { parseMentions } from './mentions'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
})
after(() => server.close())

describe('mentions (rule 50)', () => {
  test('{{@user.ID}} and @[email] are read; everything else is text', () => {
    assert.deepEqual(
      parseMentions('Hi {{@user.12}} and @[Sara@Example.com], {{@user.12}} again; @sara, {{@user.x}}'),
      {
        userIds: [12],
        emails: ['sara@example.com'],
      },
    )
  })
})

describe('comments and mention notifications (rule 50)', () => {
  test('mentions resolve to members who can see the contact; each is notified once; the author is not', async () => {
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      await inbound(server, channel, { from: '+966551230001', text: 'I need help' })
      const { rows } = await server.ctx.database.query<{ id: number; conversation_id: number }>(
        'SELECT id, conversation_id FROM contacts WHERE workspace_id = $1 AND phone = $2',
        [owner.workspaceId, '+966551230001'],
      )
      const contact = { id: Number(rows[0]!.id), conversationId: Number(rows[0]!.conversation_id) }
      const manager = await buildUser(server, owner.workspaceId, 'manager', { email: 'sara@acme.test' })
      const agentOwn = await buildUser(server, owner.workspaceId, 'agent', {
        restrictions: { contactVisibility: 'own' },
      })
      const other = await buildWorkspace(server)
      const body = `@[SARA@acme.test] please check; cc {{@user.${agentOwn.userId}}} {{@user.${other.owner.userId}}} {{@user.${owner.userId}}} @[nobody@x.test]`
      const res = await owner.client.post(`${ws}/contacts/${contact.id}/comments`, { body })
      assert.equal(res.status, 201, res.text)
      assert.equal(res.body.body, body)
      assert.equal(res.body.conversationId, contact.conversationId)
      assert.deepEqual(res.body.author, { kind: 'user', id: owner.userId })
      // The own-only agent cannot see this unassigned contact; the other workspace's owner is no member.
      assert.deepEqual(res.body.mentions.sort(), [owner.userId, manager.userId].sort())

      const inbox = await manager.client.get(`${ws}/notifications`)
      assert.equal(inbox.status, 200)
      assert.equal(inbox.body.unreadCount, 1)
      const [n] = inbox.body.notifications
      assert.equal(n.kind, 'mention')
      assert.deepEqual(n.contact, { id: contact.id, displayName: '+966551230001' })
      assert.equal(n.comment.id, res.body.id)
      assert.deepEqual(n.actor, { kind: 'user', id: owner.userId })
      assert.equal(n.read, false)
      assert.equal(
        (await owner.client.get(`${ws}/notifications`)).body.notifications.length,
        0,
        'no self-notification',
      )
      assert.equal((await agentOwn.client.get(`${ws}/notifications/unread-count`)).body.count, 0)
      const { rows: events } = await server.ctx.database.query<{ payload: any }>(
        "SELECT payload FROM events WHERE workspace_id = $1 AND type = 'comment.created' AND contact_id = $2",
        [owner.workspaceId, contact.id],
      )
      assert.deepEqual(events[0]!.payload.commentId, res.body.id)
      // Never sent to the contact: the channel's integration received nothing.
      assert.equal(dest.received.length, 0)
    } finally {
      await dest.close()
    }
  })

  test('at most 1000 characters, not blank; list newest first with keyset pages', async () => {
    const c = await buildContact(server, owner.workspaceId)
    const url = `${ws}/contacts/${c.id}/comments`
    const long = await owner.client.post(url, { body: 'x'.repeat(1001) })
    assert.equal(long.status, 400)
    assert.equal(long.body.error.fields[0].path, 'body.body')
    assert.equal((await owner.client.post(url, { body: '   ' })).status, 400)
    assert.equal((await owner.client.post(url, { body: 'x'.repeat(1000) })).status, 201)
    for (const i of [1, 2, 3]) await owner.client.post(url, { body: `note ${i}` })
    const page1 = await owner.client.get(`${url}?limit=2`)
    assert.deepEqual(
      page1.body.comments.map((x: any) => x.body),
      ['note 3', 'note 2'],
    )
    const page2 = await owner.client.get(`${url}?limit=2&before=${page1.body.nextBefore}`)
    assert.equal(page2.body.comments[0].body, 'note 1')
    assert.equal(page2.body.nextBefore, null)
  })

  test('agents comment on contacts they can see; others are 404; other workspaces are 404', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent', {
      restrictions: { contactVisibility: 'own' },
    })
    const mine = await buildContact(server, owner.workspaceId, { assigneeUserId: agent.userId })
    const notMine = await buildContact(server, owner.workspaceId)
    assert.equal((await agent.client.post(`${ws}/contacts/${mine.id}/comments`, { body: 'ok' })).status, 201)
    assert.equal(
      (await agent.client.post(`${ws}/contacts/${notMine.id}/comments`, { body: 'no' })).status,
      404,
    )
    assert.equal((await agent.client.get(`${ws}/contacts/${notMine.id}/comments`)).status, 404)
    const other = await buildWorkspace(server)
    const foreign = await buildContact(server, other.workspaceId)
    assert.equal(
      (await owner.client.post(`${ws}/contacts/${foreign.id}/comments`, { body: 'x' })).status,
      404,
    )
  })

  test('notifications: mark some or all read; others’ ids are ignored; API tokens have no inbox', async () => {
    const c = await buildContact(server, owner.workspaceId)
    const bob = await buildUser(server, owner.workspaceId, 'manager')
    for (const i of [1, 2, 3]) {
      await owner.client.post(`${ws}/contacts/${c.id}/comments`, {
        body: `{{@user.${bob.userId}}} ping ${i}`,
      })
    }
    const list = (await bob.client.get(`${ws}/notifications`)).body
    assert.equal(list.unreadCount, 3)
    const [newest, , oldest] = list.notifications
    const someoneElses = (await owner.client.post(`${ws}/notifications/read`, { ids: [newest.id] })).body
    assert.deepEqual(someoneElses, { marked: 0 })
    assert.deepEqual((await bob.client.post(`${ws}/notifications/read`, { ids: [newest.id] })).body, {
      marked: 1,
    })
    assert.equal((await bob.client.get(`${ws}/notifications/unread-count`)).body.count, 2)
    const unread = (await bob.client.get(`${ws}/notifications?unread=true`)).body.notifications
    assert.equal(unread.length, 2)
    const paged = await bob.client.get(`${ws}/notifications?limit=2`)
    assert.equal(paged.body.notifications.length, 2)
    const rest = await bob.client.get(`${ws}/notifications?limit=2&before=${paged.body.nextBefore}`)
    assert.equal(rest.body.notifications[0].id, oldest.id)
    assert.equal((await bob.client.post(`${ws}/notifications/read`, {})).status, 400)
    assert.deepEqual((await bob.client.post(`${ws}/notifications/read`, { all: true })).body, { marked: 2 })
    assert.equal((await bob.client.get(`${ws}/notifications/unread-count`)).body.count, 0)
    const token = await owner.client.post(`${ws}/api-tokens`, { name: 'bot' })
    const api = await server.app.inject({
      method: 'GET',
      url: `${ws}/notifications`,
      headers: { authorization: `Bearer ${token.body.token}` },
    })
    assert.equal(api.statusCode, 403)
  })
})
