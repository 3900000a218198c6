import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { eq } from 'drizzle-orm'
import { closingCategories, workspaces } from '../db/schema'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let dest: Awaited<ReturnType<typeof startDestination>>
let channel: Awaited<ReturnType<typeof connectCustomChannel>>
let ws: string
let phoneSeq = 0
const nextPhone = () => `+9665${String(10_000_000 + ++phoneSeq).slice(-8)}`

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  dest = await startDestination()
  channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
})
after(async () => {
  await server.close()
  await dest.close()
})

async function contactOf(phone: string) {
  const { rows } = await server.ctx.database.query<{ id: number }>(
    'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2',
    [owner.workspaceId, phone],
  )
  return rows[0]!.id
}
const view = (client: TestClient, contactId: number) => client.get(`${ws}/contacts/${contactId}/conversation`)
async function eventsOf(contactId: number, type: string) {
  const { rows } = await server.ctx.database.query<{ payload: any; actor_kind: string }>(
    'SELECT payload, actor_kind FROM events WHERE workspace_id = $1 AND contact_id = $2 AND type = $3 ORDER BY id',
    [owner.workspaceId, contactId, type],
  )
  return rows
}

describe('inbound messages and conversations (rules 2–4, 52, 58)', () => {
  test('the first message creates the contact, in the default stage, and opens one conversation with source Contact', async () => {
    const phone = nextPhone()
    const res = await inbound(server, channel, {
      from: phone,
      text: 'مرحبا',
      contact: { firstName: 'Layla', lastName: 'Hassan' },
    })
    assert.equal(res.status, 200)
    const contactId = await contactOf(phone)
    const v = await view(owner.client, contactId)
    assert.equal(v.status, 200)
    assert.equal(v.body.contact.displayName, 'Layla Hassan')
    assert.equal(v.body.contact.country, 'SA')
    assert.ok(v.body.contact.lifecycleStageId, 'default lifecycle stage (rule 58)')
    assert.equal(v.body.conversation.status, 'open')
    assert.equal(v.body.conversation.openedSource, 'contact')
    assert.equal(v.body.contact.inbox.unread, true)
    const opened = await eventsOf(contactId, 'conversation.opened')
    assert.deepEqual(
      opened.map((e) => [e.payload.source, e.actor_kind]),
      [['contact', 'contact']],
    )

    // Rule 3: further messages join the open conversation.
    await inbound(server, channel, { from: phone, text: 'second' })
    await inbound(server, channel, { from: phone, text: 'third' })
    assert.equal((await eventsOf(contactId, 'conversation.opened')).length, 1)
    const msgs = await owner.client.get(`${ws}/contacts/${contactId}/messages`)
    assert.deepEqual(
      msgs.body.messages.map((m: any) => m.text),
      ['third', 'second', 'مرحبا'],
    )
    assert.ok(msgs.body.messages.every((m: any) => m.conversationId === v.body.conversation.id))
  })

  test('a provider retry of the same message id is stored once', async () => {
    const phone = nextPhone()
    for (let i = 0; i < 3; i++)
      assert.equal((await inbound(server, channel, { from: phone, text: 'once', mId: 'dup-1' })).status, 200)
    const contactId = await contactOf(phone)
    const msgs = await owner.client.get(`${ws}/contacts/${contactId}/messages`)
    assert.equal(msgs.body.messages.length, 1)
  })

  test('concurrent deliveries from one new sender create one contact and one conversation', async () => {
    const phone = nextPhone()
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => inbound(server, channel, { from: phone, text: `burst ${i}` })),
    )
    assert.ok(results.every((r) => r.status === 200))
    const { rows } = await server.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1 AND phone = $2',
      [owner.workspaceId, phone],
    )
    assert.equal(rows[0]!.n, 1)
    const contactId = await contactOf(phone)
    assert.equal((await eventsOf(contactId, 'conversation.opened')).length, 1)
  })

  test('bad signatures and malformed payloads are refused and store nothing', async () => {
    const before = await server.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')
    const wrong = await inbound(server, channel, { from: nextPhone(), token: 'x'.repeat(43) })
    assert.equal(wrong.status, 401)
    const malformed = await server.app.inject({
      method: 'POST',
      url: channel.webhookPath,
      headers: { authorization: `Bearer ${channel.apiToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ channelId: String(channel.id), contactId: 'not-a-phone', events: [] }),
    })
    assert.equal(malformed.statusCode, 400)
    const badJson = await server.app.inject({
      method: 'POST',
      url: channel.webhookPath,
      headers: { authorization: `Bearer ${channel.apiToken}`, 'content-type': 'application/json' },
      payload: '{"channelId":',
    })
    assert.equal(badJson.statusCode, 400)
    const unknownKey = await server.app.inject({
      method: 'POST',
      url: channel.webhookPath.replace(/\/[^/]+$/, '/wrong-key'),
      payload: '{}',
    })
    assert.equal(unknownKey.statusCode, 404)
    const after = await server.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')
    assert.equal(after.rows[0]!.n, before.rows[0]!.n)
  })
})

describe('messaging windows in the conversation view (rules 15–22)', () => {
  test("every channel's window is listed, each evaluated for that channel (rule 22)", async () => {
    const phone = nextPhone()
    const windowed = await connectCustomChannel(owner.client, owner.workspaceId, dest.url, {
      windowHours: 24,
    })
    await inbound(server, channel, { from: phone, text: 'on the first channel' })
    await inbound(server, windowed, { from: phone, text: 'on the 24-hour channel' })
    // One contact per channel identity until merged (rule 53): merge them into one with two channels.
    const { rows } = await server.ctx.database.query<{ id: number }>(
      'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2 ORDER BY id',
      [owner.workspaceId, phone],
    )
    const [contactId, secondary] = rows.map((r) => r.id) as [number, number]
    const merged = await owner.client.post(`${ws}/contacts/merge`, {
      primaryContactId: contactId,
      secondaryContactId: secondary,
    })
    assert.equal(merged.status, 200)
    const byChannel = async () => {
      const v = await view(owner.client, contactId)
      assert.equal(v.status, 200)
      return new Map(v.body.windows.map((w: any) => [w.channelId, w]))
    }
    const now = await byChannel()
    assert.equal(now.size, 2)
    assert.equal(
      (now.get(channel.id) as any).status,
      'none',
      'custom channels default to no window (rule 21)',
    )
    assert.equal((now.get(windowed.id) as any).status, 'open')
    assert.ok((now.get(windowed.id) as any).closesAt)

    server.clock.advance(25 * 3600_000)
    try {
      const later = await byChannel()
      assert.equal((later.get(channel.id) as any).status, 'none')
      assert.equal((later.get(windowed.id) as any).status, 'expired')
    } finally {
      server.clock.advance(-25 * 3600_000)
    }
  })
})

describe('replies, assignment and opening (rules 8, 10, 11, 32)', () => {
  test('the first human reply to an unassigned contact assigns them; assignment survives closing', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    assert.equal((await view(owner.client, contactId)).body.contact.assigneeUserId, null)
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const sent = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'Hi, how can I help?' },
    })
    assert.equal(sent.status, 201)
    let v = await view(owner.client, contactId)
    assert.equal(v.body.contact.assigneeUserId, agent.userId)
    assert.equal(v.body.conversation.firstAssigneeUserId, agent.userId)
    assert.ok(v.body.conversation.firstResponseAt)
    // The provider gets it.
    await waitFor(
      async () => dest.received.find((r) => r.body?.contactId === phone),
      10_000,
      'outbound delivery',
    )
    const delivered = dest.received.find((r) => r.body.contactId === phone)!
    assert.deepEqual(delivered.body, {
      channelId: String(channel.id),
      contactId: phone,
      message: { type: 'text', text: 'Hi, how can I help?' },
    })
    assert.equal(delivered.headers.authorization, `Bearer ${channel.apiToken}`)
    await waitFor(
      async () => (await owner.client.get(`${ws}/messages/${sent.body.id}`)).body.status === 'sent',
      10_000,
      'status sent',
    )

    assert.equal((await agent.client.post(`${ws}/contacts/${contactId}/conversation/close`, {})).status, 200)
    v = await view(owner.client, contactId)
    assert.equal(v.body.conversation.status, 'closed')
    assert.equal(v.body.contact.assigneeUserId, agent.userId, 'rule 32')
    // Rule 8 (inferred): the next inbound message comes back to the same assignee, a new conversation.
    await inbound(server, channel, { from: phone, text: 'me again' })
    v = await view(owner.client, contactId)
    assert.equal(v.body.conversation.status, 'open')
    assert.equal(v.body.conversation.firstAssigneeUserId, agent.userId)
  })

  test('a user writing to a contact without an open conversation opens one (source User) and takes the contact (rule 10)', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    await owner.client.post(`${ws}/contacts/${contactId}/conversation/close`, {})
    const other = await buildUser(server, owner.workspaceId, 'manager')
    await owner.client.put(`${ws}/contacts/${contactId}/assignee`, { userId: other.userId })
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const res = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'Following up' },
    })
    assert.equal(res.status, 201)
    const v = await view(owner.client, contactId)
    assert.equal(v.body.conversation.status, 'open')
    assert.equal(v.body.conversation.openedSource, 'user')
    assert.equal(v.body.conversation.openedByUserId, agent.userId)
    assert.equal(v.body.contact.assigneeUserId, agent.userId)
  })

  test('open and close by button (rule 11); closing twice and opening twice are conflicts', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    assert.equal((await owner.client.post(`${ws}/contacts/${contactId}/conversation/open`)).status, 409)
    assert.equal((await owner.client.post(`${ws}/contacts/${contactId}/conversation/close`, {})).status, 200)
    const again = await owner.client.post(`${ws}/contacts/${contactId}/conversation/close`, {})
    assert.equal(again.status, 409)
    assert.equal(again.body.error.code, 'already_closed')
    const opened = await owner.client.post(`${ws}/contacts/${contactId}/conversation/open`)
    assert.equal(opened.status, 201)
    assert.equal(opened.body.openedSource, 'user')
  })

  test('a blocked contact cannot be opened, closed or messaged; their messages are kept (rules 12, 59)', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    assert.equal((await owner.client.post(`${ws}/contacts/${contactId}/block`)).status, 200)
    assert.equal((await owner.client.post(`${ws}/contacts/${contactId}/block`)).status, 409)
    for (const path of ['conversation/close', 'conversation/open']) {
      const r = await owner.client.post(`${ws}/contacts/${contactId}/${path}`, {})
      assert.equal(r.status, 409, path)
      assert.equal(r.body.error.code, 'contact_blocked')
    }
    const send = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'x' },
    })
    assert.equal(send.status, 409)
    assert.equal((await inbound(server, channel, { from: phone, text: 'still here' })).status, 200)
    const msgs = await owner.client.get(`${ws}/contacts/${contactId}/messages`)
    assert.equal(msgs.body.messages[0].text, 'still here')
    assert.equal((await owner.client.post(`${ws}/contacts/${contactId}/unblock`)).status, 200)
  })

  test("an agent restricted to own contacts cannot see or act on others' contacts (rule 102)", async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    const own = await buildUser(server, owner.workspaceId, 'agent', {
      restrictions: { contactVisibility: 'own' },
    })
    assert.equal((await view(own.client, contactId)).status, 404)
    assert.equal(
      (
        await own.client.post(`${ws}/contacts/${contactId}/messages`, {
          message: { type: 'text', text: 'x' },
        })
      ).status,
      404,
    )
    await owner.client.put(`${ws}/contacts/${contactId}/assignee`, { userId: own.userId })
    assert.equal((await view(own.client, contactId)).status, 200)
  })
})

describe('closing notes (rules 35–36)', () => {
  let contactId: number
  let categoryId: number
  beforeEach(async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    contactId = await contactOf(phone)
    const [cat] = await server.ctx.db
      .insert(closingCategories)
      .values({
        workspaceId: owner.workspaceId,
        name: `Resolved ${contactId}`,
        description: 'The request was solved',
      })
      .returning()
    categoryId = cat!.id
  })
  const setMode = (mode: 'optional' | 'category_required' | 'category_and_summary_required' | 'disabled') =>
    server.ctx.db
      .update(workspaces)
      .set({ closingNotesMode: mode })
      .where(eq(workspaces.id, owner.workspaceId))
  const close = (body: Record<string, unknown>) =>
    owner.client.post(`${ws}/contacts/${contactId}/conversation/close`, body)

  test('mode 2: the category is required', async () => {
    await setMode('category_required')
    const r = await close({ summary: 'done' })
    assert.equal(r.status, 422)
    assert.equal(r.body.error.code, 'closing_note_required')
    assert.equal(r.body.error.fields[0].path, 'categoryId')
    const ok = await close({ categoryId })
    assert.equal(ok.status, 200)
    assert.deepEqual(ok.body.closingNote, { categoryId, summary: null })
  })

  test('mode 3: category and summary are required; unknown categories are refused', async () => {
    await setMode('category_and_summary_required')
    assert.equal((await close({ categoryId })).status, 422)
    assert.equal((await close({ categoryId: 999_999, summary: 'x' })).body.error.code, 'unknown_category')
    const ok = await close({ categoryId, summary: 'Refund issued' })
    assert.deepEqual(ok.body.closingNote, { categoryId, summary: 'Refund issued' })
  })

  test('mode 4: closing notes are disabled; mode 1: both optional', async () => {
    await setMode('disabled')
    assert.equal((await close({ categoryId })).body.error.code, 'closing_notes_disabled')
    assert.equal((await close({})).status, 200)
    await owner.client.post(`${ws}/contacts/${contactId}/conversation/open`)
    await setMode('optional')
    assert.equal((await close({ summary: 'fine' })).status, 200)
  })
})

describe('snooze (rule 13) and the timeline (rule 14)', () => {
  test('snoozing hides the conversation until the contact writes; events are on the timeline', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    const bad = await owner.client.post(`${ws}/contacts/${contactId}/conversation/snooze`, {
      until: new Date(Date.now() - 1000).toISOString(),
    })
    assert.equal(bad.status, 400)
    const until = new Date(Date.now() + 3600_000).toISOString()
    const ok = await owner.client.post(`${ws}/contacts/${contactId}/conversation/snooze`, { until })
    assert.equal(ok.status, 200)
    assert.equal((await view(owner.client, contactId)).body.contact.inbox.status, 'snoozed')
    await inbound(server, channel, { from: phone, text: 'hello?' })
    const v = await view(owner.client, contactId)
    assert.equal(v.body.contact.inbox.status, 'open')
    assert.equal(v.body.conversation.snoozedUntil, null)
    const unsnoozed = await eventsOf(contactId, 'conversation.unsnoozed')
    assert.equal(unsnoozed[0]!.payload.reason, 'contact_replied')
    const { rows } = await server.ctx.database.query<{ type: string }>(
      'SELECT type FROM events WHERE workspace_id = $1 AND contact_id = $2 AND on_timeline ORDER BY id',
      [owner.workspaceId, contactId],
    )
    assert.deepEqual(
      rows.map((r) => r.type),
      ['conversation.opened', 'conversation.snoozed', 'conversation.unsnoozed'],
    )
  })
})

describe('sending: idempotency and content', () => {
  test('a retried send with the same clientKey returns the first message and sends once', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    const body = { message: { type: 'text', text: 'exactly once' }, clientKey: `key-${contactId}-abcdef` }
    const results = await Promise.all(
      [1, 2, 3].map(() => owner.client.post(`${ws}/contacts/${contactId}/messages`, body)),
    )
    const ids = new Set(results.map((r) => r.body.id))
    assert.equal(ids.size, 1)
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 201])
    await waitFor(async () => dest.received.some((r) => r.body?.message?.text === 'exactly once'))
    await new Promise((r) => setTimeout(r, 800))
    assert.equal(dest.received.filter((r) => r.body?.message?.text === 'exactly once').length, 1)
  })

  test('invalid content and unsupported types get precise errors and store nothing', async () => {
    const phone = nextPhone()
    await inbound(server, channel, { from: phone })
    const contactId = await contactOf(phone)
    const count = async () =>
      (
        await server.ctx.database.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM messages WHERE contact_id = $1',
          [contactId],
        )
      ).rows[0]!.n
    const before = await count()
    const cases: [unknown, number][] = [
      [{ message: { type: 'text', text: '' } }, 400],
      [{ message: { type: 'text', text: 'x'.repeat(5000) } }, 400],
      [{ message: { type: 'sticker', id: 1 } }, 400],
      [{ message: { type: 'interactive', interactive: { kind: 'buttons', body: 'x', buttons: [] } } }, 400],
      [{ message: { type: 'template', template: { name: 'x', language: 'en' } } }, 422],
      [{ message: { type: 'image' } }, 422],
      [{ channelId: 999_999, message: { type: 'text', text: 'x' } }, 404],
      [{ message: { type: 'text', text: 'x' }, messageTag: 'ACCOUNT_UPDATE' }, 422],
    ]
    for (const [body, status] of cases) {
      const r = await owner.client.post(`${ws}/contacts/${contactId}/messages`, body)
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.text}`)
    }
    assert.equal(await count(), before)
    assert.equal(
      (await owner.client.post(`${ws}/contacts/999999/messages`, { message: { type: 'text', text: 'x' } }))
        .status,
      404,
    )
  })

  test('a provider rejection marks the message failed with the reason', async () => {
    const failing = await startDestination(() => ({
      status: 400,
      body: { error: { message: 'Number is not on this network' } },
    }))
    try {
      const ch = await connectCustomChannel(owner.client, owner.workspaceId, failing.url)
      const phone = nextPhone()
      await inbound(server, ch, { from: phone })
      const contactId = await contactOf(phone)
      const sent = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'will fail' },
      })
      const failed = await waitFor(async () => {
        const m = await owner.client.get(`${ws}/messages/${sent.body.id}`)
        return m.body.status === 'failed' ? m.body : null
      })
      assert.deepEqual(failed.error, { code: '400', title: 'Number is not on this network' })
    } finally {
      await failing.close()
    }
  })
})
