import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { comments, notifications } from '../db/schema'
import { connectCustomChannel, inbound, startDestination } from '../test/custom-channel'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let dest: Awaited<ReturnType<typeof startDestination>>
let sms: Awaited<ReturnType<typeof connectCustomChannel>>
let chat: Awaited<ReturnType<typeof connectCustomChannel>>
let ws: string
let seq = 0
const nextPhone = () => `+9665${String(20_000_000 + ++seq).slice(-8)}`

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  dest = await startDestination()
  sms = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
  chat = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
})
after(async () => {
  await server.close()
  await dest.close()
})

async function contactOn(channelId: number, identifier: string): Promise<number> {
  const { rows } = await server.ctx.database.query<{ contact_id: number }>(
    'SELECT contact_id FROM contact_channels WHERE workspace_id = $1 AND channel_id = $2 AND identifier = $3',
    [owner.workspaceId, channelId, identifier],
  )
  return Number(rows[0]!.contact_id)
}
async function count(table: string, contactId: number) {
  const { rows } = await server.ctx.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1 AND contact_id = $2`,
    [owner.workspaceId, contactId],
  )
  return rows[0]!.n
}
const merge = (primaryContactId: number, secondaryContactId: number) =>
  owner.client.post(`${ws}/contacts/merge`, { primaryContactId, secondaryContactId })

describe('merge suggestions (rules 52–53)', () => {
  test('the same phone on two channels makes two contacts, each suggested for the other', async () => {
    const phone = nextPhone()
    await inbound(server, sms, { from: phone })
    await inbound(server, chat, { from: phone })
    const a = await contactOn(sms.id, phone)
    const b = await contactOn(chat.id, phone)
    assert.notEqual(a, b)
    const res = await owner.client.get(`${ws}/contacts/${a}/merge-suggestions`)
    assert.equal(res.status, 200)
    assert.deepEqual(
      res.body.map((s: any) => [s.contact.id, s.matchedOn]),
      [[b, ['phone']]],
    )
    const email = await buildContact(server, owner.workspaceId, { email: 'same@example.com' })
    const email2 = await buildContact(server, owner.workspaceId, { email: 'same@example.com', phone })
    const both = await owner.client.get(`${ws}/contacts/${email2.id}/merge-suggestions`)
    assert.deepEqual(
      both.body.map((s: any) => [s.contact.id, s.matchedOn]).sort(),
      [
        [a, ['phone']],
        [b, ['phone']],
        [email.id, ['email']],
      ].sort(),
    )
  })

  test('the workspace-wide list groups shared phones and emails, page by page', async () => {
    const all: any[] = []
    let cursor: string | null = null
    do {
      const res: any = await owner.client.get(
        `${ws}/contacts/merge-suggestions?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      )
      assert.equal(res.status, 200, res.text)
      all.push(...res.body.groups)
      cursor = res.body.nextCursor
    } while (cursor)
    const emailGroup = all.find((g) => g.kind === 'email' && g.value === 'same@example.com')
    assert.equal(emailGroup.contacts.length, 2)
    const phoneGroup = all.find((g) => g.kind === 'phone')
    assert.equal(phoneGroup.contacts.length, 3)
    assert.equal((await owner.client.get(`${ws}/contacts/merge-suggestions?cursor=zzz`)).status, 400)
  })
})

describe('merging (rule 53)', () => {
  test('both open: the secondary conversation is closed; everything moves; fields, tags, assignee and inbox row are combined', async () => {
    const phone = nextPhone()
    await inbound(server, sms, { from: phone, text: 'on sms', contact: { firstName: 'Primary' } })
    await inbound(server, chat, {
      from: phone,
      text: 'on chat, later',
      contact: { firstName: 'Secondary', lastName: 'Surname' },
    })
    const pid = await contactOn(sms.id, phone)
    const sid = await contactOn(chat.id, phone)
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    await owner.client.put(`${ws}/contacts/${sid}/assignee`, { userId: agent.userId })
    await owner.client.post(`${ws}/contact-fields`, { key: 'city', name: 'City', type: 'text' })
    await owner.client.post(`${ws}/contact-fields`, { key: 'tier', name: 'Tier', type: 'text' })
    await owner.client.patch(`${ws}/contacts/${pid}`, { custom: { city: 'Jeddah' } })
    await owner.client.patch(`${ws}/contacts/${sid}`, {
      email: 'sec@example.com',
      custom: { city: 'Riyadh', tier: 'gold' },
    })
    const t1 = (await owner.client.post(`${ws}/tags`, { name: 'From primary' })).body.id
    const t2 = (await owner.client.post(`${ws}/tags`, { name: 'From secondary' })).body.id
    const t3 = (await owner.client.post(`${ws}/tags`, { name: 'Both' })).body.id
    await owner.client.post(`${ws}/contacts/${pid}/tags`, { add: [t1, t3] })
    await owner.client.post(`${ws}/contacts/${sid}/tags`, { add: [t2, t3] })
    const [sConversation] = (await owner.client.get(`${ws}/contacts/${sid}/conversations`)).body
    const [pConversation] = (await owner.client.get(`${ws}/contacts/${pid}/conversations`)).body
    await server.ctx.db.insert(comments).values({
      workspaceId: owner.workspaceId,
      contactId: sid,
      authorKind: 'user',
      authorId: owner.userId,
      body: 'note on the secondary',
    })
    await server.ctx.db.insert(notifications).values({
      workspaceId: owner.workspaceId,
      userId: owner.userId,
      kind: 'mention',
      contactId: sid,
      actorKind: 'user',
      actorId: agent.userId,
    })
    const sMessages = await count('messages', sid)

    const res = await merge(pid, sid)
    assert.equal(res.status, 200, res.text)
    const m = res.body
    assert.equal(m.id, pid)
    assert.equal(m.firstName, 'Primary', 'the primary wins')
    assert.equal(m.lastName, 'Surname', 'blanks are filled from the secondary')
    assert.equal(m.email, 'sec@example.com')
    assert.deepEqual(m.custom, { city: 'Jeddah', tier: 'gold' })
    assert.equal(m.assigneeUserId, agent.userId, "the primary had none, so the secondary's assignee")
    assert.deepEqual(
      m.tags.map((t: any) => t.name),
      ['Both', 'From primary', 'From secondary'],
    )
    assert.deepEqual(m.identities.map((i: any) => i.channelId).sort(), [sms.id, chat.id].sort())
    // The inbox row: the primary's conversation stays open; the latest message is the secondary's.
    assert.equal(m.inbox.status, 'open')
    assert.equal(m.inbox.conversationId, pConversation.id)
    assert.equal(m.inbox.lastMessagePreview, 'on chat, later')
    assert.equal(m.lastInteractedChannelId, chat.id)
    const conversations = (await owner.client.get(`${ws}/contacts/${pid}/conversations`)).body
    assert.deepEqual(
      conversations.map((c: any) => [c.id, c.status]).sort(),
      [
        [pConversation.id, 'open'],
        [sConversation.id, 'closed'],
      ].sort(),
    )
    assert.equal(conversations.find((c: any) => c.id === sConversation.id).closedSource, 'user')
    assert.equal(await count('messages', pid), 1 + sMessages)
    assert.equal(await count('comments', pid), 1)
    assert.equal(await count('notifications', pid), 2, "the agent's assignment notification and the mention")
    assert.equal((await owner.client.get(`${ws}/contacts/${sid}`)).status, 404)
    for (const table of [
      'messages',
      'conversations',
      'comments',
      'contact_channels',
      'contact_tags',
      'events',
    ]) {
      assert.equal(await count(table, sid), 0, table)
    }
    const { rows } = await server.ctx.database.query<any>(
      'SELECT merged_contact_id, merged_snapshot, actor_kind, actor_id FROM contact_merges WHERE workspace_id = $1 AND primary_contact_id = $2',
      [owner.workspaceId, pid],
    )
    assert.equal(rows.length, 1)
    assert.equal(Number(rows[0].merged_contact_id), sid)
    assert.equal(rows[0].actor_kind, 'user')
    assert.equal(Number(rows[0].actor_id), owner.userId)
    assert.equal(rows[0].merged_snapshot.contact.firstName, 'Secondary')
    assert.equal(rows[0].merged_snapshot.closedConversationId, sConversation.id)
    assert.deepEqual(rows[0].merged_snapshot.droppedIdentities, [])
    const merged = await server.ctx.database.query<any>(
      "SELECT payload FROM events WHERE workspace_id = $1 AND type = 'contact.merged' AND contact_id = $2",
      [owner.workspaceId, pid],
    )
    assert.deepEqual(merged.rows[0].payload, { contactId: pid, mergedContactId: sid })
    // The secondary's history is on the primary's timeline now.
    const closed = await server.ctx.database.query<any>(
      "SELECT contact_id FROM events WHERE workspace_id = $1 AND type = 'conversation.closed' AND conversation_id = $2",
      [owner.workspaceId, sConversation.id],
    )
    assert.equal(Number(closed.rows[0].contact_id), pid)
  })

  test('identities on the same channel: the primary keeps its own, the dropped one is recorded, its messages move', async () => {
    const p1 = nextPhone()
    const p2 = nextPhone()
    await inbound(server, sms, { from: p1, text: 'first number' })
    await inbound(server, sms, { from: p2, text: 'second number' })
    const pid = await contactOn(sms.id, p1)
    const sid = await contactOn(sms.id, p2)
    await owner.client.post(`${ws}/contacts/${pid}/conversation/close`)
    const res = await merge(pid, sid)
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(
      res.body.identities.map((i: any) => i.identifier),
      [p1],
    )
    // The secondary's open conversation simply moves (the primary had none open).
    assert.equal(res.body.inbox.status, 'open')
    const msgs = (await owner.client.get(`${ws}/contacts/${pid}/messages`)).body.messages
    assert.deepEqual(
      msgs.map((x: any) => x.text),
      ['second number', 'first number'],
    )
    const { rows } = await server.ctx.database.query<any>(
      'SELECT merged_snapshot FROM contact_merges WHERE workspace_id = $1 AND merged_contact_id = $2',
      [owner.workspaceId, sid],
    )
    assert.deepEqual(
      rows[0].merged_snapshot.droppedIdentities.map((i: any) => i.identifier),
      [p2],
    )
    assert.equal(rows[0].merged_snapshot.closedConversationId, null)
    // A new message from the dropped identifier makes a new contact again (rule 52).
    await inbound(server, sms, { from: p2, text: 'again' })
    assert.notEqual(await contactOn(sms.id, p2), pid)
  })

  test('bad merges are refused and leave both contacts untouched', async () => {
    const a = await buildContact(server, owner.workspaceId, { firstName: 'A' })
    const b = await buildContact(server, owner.workspaceId, { firstName: 'B' })
    const same = await merge(a.id, a.id)
    assert.equal(same.status, 422)
    assert.equal(same.body.error.fields[0].path, 'secondaryContactId')
    assert.equal((await merge(a.id, 999999)).status, 404)
    const other = await buildWorkspace(server)
    const foreign = await buildContact(server, other.workspaceId)
    assert.equal((await merge(a.id, foreign.id)).status, 404)
    assert.equal((await merge(foreign.id, a.id)).status, 404)
    assert.equal((await owner.client.get(`${ws}/contacts/${a.id}`)).status, 200)
    assert.equal(
      (await owner.client.get(`/api/v1/workspaces/${other.workspaceId}/contacts/${foreign.id}`)).status,
      404,
    )
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    assert.equal(
      (await agent.client.post(`${ws}/contacts/merge`, { primaryContactId: a.id, secondaryContactId: b.id }))
        .status,
      403,
    )
    assert.equal((await agent.client.get(`${ws}/contacts/${a.id}/merge-suggestions`)).status, 403)
    assert.equal((await owner.client.get(`${ws}/contacts/${b.id}`)).status, 200)
    // Concurrent merges of the same pair in opposite directions: one wins, the other finds a contact gone.
    const [x, y] = await Promise.all([merge(a.id, b.id), merge(b.id, a.id)])
    assert.deepEqual([x.status, y.status].sort(), [200, 404])
  })

  test('the review picks which value survives: keepFromSecondary takes the secondary value per field, blanks never win', async () => {
    await owner.client.post(`${ws}/contact-fields`, { key: 'plan', name: 'Plan', type: 'text' })
    const p = await owner.client.post(`${ws}/contacts`, {
      firstName: 'Layla',
      lastName: 'Haddad',
      email: 'layla@example.com',
      custom: { plan: 'Gold' },
    })
    const s = await owner.client.post(`${ws}/contacts`, {
      firstName: 'Leila',
      lastName: '',
      email: 'leila@example.com',
      custom: { plan: 'Silver' },
    })
    const bad = await owner.client.post(`${ws}/contacts/merge`, {
      primaryContactId: p.body.id,
      secondaryContactId: s.body.id,
      keepFromSecondary: ['avatarUrl'],
    })
    assert.equal(bad.status, 400)
    const res = await owner.client.post(`${ws}/contacts/merge`, {
      primaryContactId: p.body.id,
      secondaryContactId: s.body.id,
      keepFromSecondary: ['firstName', 'lastName', 'custom.plan'],
    })
    assert.equal(res.status, 200)
    assert.equal(res.body.id, p.body.id)
    assert.equal(res.body.firstName, 'Leila', 'picked from the secondary')
    assert.equal(res.body.lastName, 'Haddad', 'a blank secondary value never replaces the primary one')
    assert.equal(res.body.email, 'layla@example.com', "not picked: the primary's")
    assert.equal(res.body.custom.plan, 'Silver')
  })
})
