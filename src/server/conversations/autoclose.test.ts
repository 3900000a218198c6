import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { send } from '../messages/messages.service'
import { connectCustomChannel, inbound, startDestination } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { runAutoClose } from './timers.queue'

/** Rule 39 (and 40) step by step, with the clock moved by the test. */
describe('auto-close (rule 39)', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  let dest: Awaited<ReturnType<typeof startDestination>>
  let channel: Awaited<ReturnType<typeof connectCustomChannel>>
  let ws: string
  let n = 0
  const MIN = 60_000

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

  async function newContact() {
    const phone = `+9715${String(10_000_000 + ++n).slice(-8)}`
    await inbound(server, channel, { from: phone })
    const { rows } = await server.ctx.database.query<{ id: number }>(
      'SELECT id FROM contacts WHERE phone = $1',
      [phone],
    )
    return { contactId: rows[0]!.id, phone }
  }
  const conv = async (contactId: number) =>
    (await owner.client.get(`${ws}/contacts/${contactId}/conversation`)).body.conversation
  const fire = async (contactId: number) => {
    const c = await conv(contactId)
    await runAutoClose(server.ctx, {
      workspaceId: owner.workspaceId,
      conversationId: c.id,
      at: c.autoCloseAt,
    })
    return conv(contactId)
  }

  test('settings validate the 30 minutes – 14 days range and only later conversations are affected', async () => {
    const before = await newContact()
    assert.equal((await owner.client.patch(ws, { autoCloseMinutes: 10 })).status, 400)
    assert.equal((await owner.client.patch(ws, { autoCloseMinutes: 20_161 })).status, 400)
    const ok = await owner.client.patch(ws, { autoCloseMinutes: 60 })
    assert.equal(ok.body.autoCloseMinutes, 60)
    await owner.client.post(`${ws}/contacts/${before.contactId}/messages`, {
      message: { type: 'text', text: 'hi' },
    })
    assert.equal((await conv(before.contactId)).autoCloseAt, null, 'opened before auto-close was enabled')
  })

  test('a human message starts the timer; it closes with source auto_close when nobody replies', async () => {
    const { contactId } = await newContact()
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'Anything else?' },
    })
    const c = await conv(contactId)
    const sentAt = new Date(c.firstResponseAt).getTime()
    assert.equal(new Date(c.autoCloseAt).getTime(), sentAt + 60 * MIN)
    const { rows } = await server.ctx.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'conversations.auto-close' AND data->>'conversationId' = $1`,
      [String(c.id)],
    )
    assert.equal(rows[0]!.n, 1, 'a durable job is armed')
    assert.equal((await fire(contactId)).status, 'open', 'not before the deadline')
    server.clock.advance(61 * MIN)
    const closed = await fire(contactId)
    server.clock.offsetMs = 0
    assert.equal(closed.status, 'closed')
    assert.equal(closed.closedSource, 'auto_close')
  })

  test('another human message resets it; a contact reply cancels it', async () => {
    const { contactId, phone } = await newContact()
    await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'one' },
    })
    const first = (await conv(contactId)).autoCloseAt
    server.clock.advance(10 * MIN)
    await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'two' },
    })
    const second = (await conv(contactId)).autoCloseAt
    assert.equal(new Date(second).getTime() - new Date(first).getTime() >= 10 * MIN - 1000, true)
    await inbound(server, channel, { from: phone, text: 'thanks' })
    assert.equal((await conv(contactId)).autoCloseAt, null)
    server.clock.advance(2 * 60 * MIN)
    await runAutoClose(server.ctx, {
      workspaceId: owner.workspaceId,
      conversationId: (await conv(contactId)).id,
      at: second,
    })
    server.clock.offsetMs = 0
    assert.equal((await conv(contactId)).status, 'open', 'the cancelled timer does nothing')
  })

  test('workflow, broadcast and API messages neither start nor reset it', async () => {
    const { contactId } = await newContact()
    await send(
      server.ctx,
      owner.workspaceId,
      { kind: 'workflow', workflowId: 1 },
      { contactId, message: { type: 'text', text: 'bot' } },
    )
    assert.equal((await conv(contactId)).autoCloseAt, null)
    await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'human' },
    })
    const armed = (await conv(contactId)).autoCloseAt
    server.clock.advance(5 * MIN)
    await send(
      server.ctx,
      owner.workspaceId,
      { kind: 'broadcast', broadcastId: 1 },
      { contactId, message: { type: 'text', text: 'promo' } },
    )
    server.clock.offsetMs = 0
    assert.equal((await conv(contactId)).autoCloseAt, armed)
  })

  test('snooze takes precedence: the timer runs from the end of the snooze', async () => {
    const { contactId } = await newContact()
    await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'later' },
    })
    const until = new Date(Date.now() + 3 * 60 * MIN)
    await owner.client.post(`${ws}/contacts/${contactId}/conversation/snooze`, { until: until.toISOString() })
    const c = await conv(contactId)
    assert.equal(new Date(c.autoCloseAt).getTime(), until.getTime() + 60 * MIN)
  })

  test('reassigning restarts it from the new assignee’s own last message, or stops it', async () => {
    const { contactId } = await newContact()
    const a = await buildUser(server, owner.workspaceId, 'agent')
    const b = await buildUser(server, owner.workspaceId, 'agent')
    await a.client.post(`${ws}/contacts/${contactId}/messages`, { message: { type: 'text', text: 'from a' } })
    assert.ok((await conv(contactId)).autoCloseAt)
    await owner.client.put(`${ws}/contacts/${contactId}/assignee`, { userId: b.userId })
    assert.equal((await conv(contactId)).autoCloseAt, null, 'b has not written yet')
    await b.client.post(`${ws}/contacts/${contactId}/messages`, { message: { type: 'text', text: 'from b' } })
    await owner.client.put(`${ws}/contacts/${contactId}/assignee`, { userId: a.userId })
    const c = await conv(contactId)
    const { rows } = await server.ctx.database.query<{ at: Date }>(
      `SELECT created_at AS at FROM messages WHERE contact_id = $1 AND author_id = $2 AND author_kind = 'user' ORDER BY id DESC LIMIT 1`,
      [contactId, a.userId],
    )
    assert.equal(new Date(c.autoCloseAt).getTime(), new Date(rows[0]!.at).getTime() + 60 * MIN)
  })
})
