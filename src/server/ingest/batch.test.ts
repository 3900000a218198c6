import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { InboundEvent, InboundMessage } from '../channels/channel'
import { type ChannelRow, findChannel } from '../channels/channels.repo'
import { connectCustomChannel, startDestination } from '../test/custom-channel'
import { setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { type IngestItem, ingestBatch, ingestOneByOne } from './ingest'

/**
 * Batched ingest (group commit) must leave exactly what row-at-a-time ingest leaves. The same
 * webhooks go to two channels of one workspace — one by one on channel A, as ONE batch on channel
 * B — and the resulting contacts, conversations, messages and events are compared, per sender.
 * The batch covers the cases the batched path handles differently: existing contacts with an
 * open, a closed (rule 4: reopen), a snoozed (rule 13) conversation, a blocked contact (rules
 * 12/59), new senders (rules 52, 58), provider retries in and across batches, a reply to a
 * message of the same batch and an echo (both row at a time inside the batch).
 */
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let dest: Awaited<ReturnType<typeof startDestination>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  dest = await startDestination()
})
after(async () => {
  await server.close()
  await dest.close()
})

let t = Date.now() - 60_000
const nextTime = () => {
  t += 1000
  return new Date(t)
}
const msg = (
  from: string,
  id: string,
  o: Partial<InboundMessage> & { name?: string } = {},
): InboundMessage => ({
  kind: 'message',
  providerMessageId: id,
  from: { identifier: from, phone: from, ...(o.name ? { displayName: o.name } : {}) },
  timestamp: nextTime(),
  type: 'text',
  text: o.text ?? `text of ${id}`,
  ...(o.replyToProviderId ? { replyToProviderId: o.replyToProviderId } : {}),
  ...(o.echo ? { echo: true } : {}),
})

const OPEN = '+966500000001'
const CLOSED = '+966500000002'
const SNOOZED = '+966500000003'
const BLOCKED = '+966500000004'
const NEW1 = '+966500000005'
const NEW2 = '+966500000006'
const NEW3 = '+966500000007'

async function contactId(channelId: number, identifier: string): Promise<number> {
  const { rows } = await server.ctx.database.query<{ contact_id: number }>(
    'SELECT contact_id FROM contact_channels WHERE workspace_id = $1 AND channel_id = $2 AND identifier = $3',
    [owner.workspaceId, channelId, identifier],
  )
  return Number(rows[0]!.contact_id)
}

/** Existing contacts in the four states, made through the real paths (ingest and the API). */
async function prepare(channel: ChannelRow) {
  for (const from of [OPEN, CLOSED, SNOOZED, BLOCKED])
    await ingestOneByOne(server.ctx, channel, [msg(from, `${channel.id}-old-${from}`, { name: 'Old Name' })])
  const c = (from: string) => contactId(channel.id, from).then((id) => `${ws}/contacts/${id}`)
  assert.equal((await owner.client.post(`${await c(CLOSED)}/conversation/close`, {})).status, 200)
  const until = new Date(Date.now() + 3600_000).toISOString()
  assert.equal((await owner.client.post(`${await c(SNOOZED)}/conversation/snooze`, { until })).status, 200)
  assert.equal((await owner.client.post(`${await c(BLOCKED)}/block`)).status, 200)
}

/** The webhooks (one item each), with provider ids local to the channel. */
function webhooks(channelId: number): InboundEvent[][] {
  const id = (s: string) => `${channelId}-${s}`
  return [
    [msg(OPEN, id('o1')), msg(NEW1, id('n1a'), { name: 'Nadia Saleh' })],
    [msg(CLOSED, id('c1'))],
    [msg(OPEN, id('o1'))], // the provider's retry, same batch
    [msg(`${OPEN}`, id(`old-${OPEN}`))], // a retry of a message stored before the batch
    [msg(SNOOZED, id('s1'))],
    [msg(BLOCKED, id('b1'))],
    [msg(NEW1, id('n1b'), { name: 'Nadia S.' })],
    [msg(NEW2, id('n2a'), { replyToProviderId: id('n1a') })], // a reply to a message of the batch
    [msg(NEW3, id('n3a'), { replyToProviderId: id(`old-${OPEN}`) })],
    [msg(OPEN, id('e1'), { echo: true })],
    [msg(OPEN, id('o2'))],
    [msg(CLOSED, id('c2'))],
  ]
}

/** Everything ingest wrote for a sender, without ids and times (which differ between channels). */
async function stateOf(channelId: number, identifier: string) {
  const db = server.ctx.database
  const cid = await contactId(channelId, identifier)
  const strip = (s: string | null) => s?.replace(`${channelId}-`, '') ?? null
  const contact = (
    await db.query<Record<string, unknown>>(
      `SELECT first_name, last_name, phone, country, lifecycle_stage_id IS NOT NULL AS staged, inbox_status, unread,
              last_message_preview, last_message_direction, blocked_at IS NOT NULL AS blocked,
              (conversation_id = (SELECT id FROM conversations v WHERE v.contact_id = c.id AND v.status = 'open')) AS points_at_open
       FROM contacts c WHERE id = $1`,
      [cid],
    )
  ).rows.map(
    (r) =>
      ({ ...r, last_message_preview: strip(r.last_message_preview as string) }) as Record<string, unknown>,
  )[0]
  const identity = (
    await db.query(
      `SELECT display_name, outbound_since_incoming, last_incoming_at IS NOT NULL AS has_window
       FROM contact_channels WHERE channel_id = $1 AND identifier = $2`,
      [channelId, identifier],
    )
  ).rows[0]
  const conversations = (
    await db.query<Record<string, unknown>>(
      `SELECT status, opened_source, incoming_count, snoozed_until IS NOT NULL AS snoozed, auto_close_at,
              (SELECT array_agg(m.provider_message_id ORDER BY m.id) FROM messages m WHERE m.conversation_id = v.id) AS messages
       FROM conversations v WHERE contact_id = $1 ORDER BY id`,
      [cid],
    )
  ).rows.map(
    (r) =>
      ({ ...r, messages: ((r.messages as string[] | null) ?? []).map(strip) }) as Record<string, unknown>,
  )
  const messages = (
    await db.query<{ provider_message_id: string; reply_to: string | null } & Record<string, unknown>>(
      `SELECT m.provider_message_id, m.direction, m.author_kind, m.status, m.text, m.type, m.content,
              m.conversation_id IS NULL AS no_conversation, r.provider_message_id AS reply_to
       FROM messages m LEFT JOIN messages r ON r.id = m.reply_to_message_id
       WHERE m.contact_id = $1 ORDER BY m.id`,
      [cid],
    )
  ).rows.map(
    (r) =>
      ({
        ...r,
        provider_message_id: strip(r.provider_message_id),
        reply_to: strip(r.reply_to),
        text: strip(r.text as string),
      }) as Record<string, unknown>,
  )
  const events = (
    await db.query<{ type: string; actor_kind: string; payload: Record<string, unknown> }>(
      `SELECT type, actor_kind, payload FROM events WHERE contact_id = $1 ORDER BY id`,
      [cid],
    )
  ).rows.map((e) => `${e.type} by ${e.actor_kind}${e.payload.reason ? ` (${e.payload.reason})` : ''}`)
  return { contact, identity, conversations, messages, events }
}

test('one batch leaves exactly what the same webhooks leave one by one (rules 2–4, 12, 13, 52, 58)', async () => {
  const a = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
  const b = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
  const channelA = (await findChannel(server.ctx.db, owner.workspaceId, a.id))!
  const channelB = (await findChannel(server.ctx.db, owner.workspaceId, b.id))!
  await prepare(channelA)
  await prepare(channelB)

  const one: Awaited<ReturnType<typeof ingestOneByOne>>[] = []
  for (const events of webhooks(channelA.id)) one.push(await ingestOneByOne(server.ctx, channelA, events))
  const items: IngestItem[] = webhooks(channelB.id).map((events) => ({ channel: channelB, events }))
  const batched = await ingestBatch(server.ctx, items)

  assert.deepEqual(batched, one, 'the same result per webhook (received / duplicates)')
  assert.deepEqual(
    one.map((r) => r.duplicates),
    [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
  )
  for (const from of [OPEN, CLOSED, SNOOZED, BLOCKED, NEW1, NEW2, NEW3]) {
    const [x, y] = [await stateOf(channelA.id, from), await stateOf(channelB.id, from)]
    assert.deepEqual(y, x, `sender ${from}`)
  }
  // The comparison is meaningful: spot-check the reference itself.
  const closed = await stateOf(channelA.id, CLOSED)
  assert.deepEqual(
    closed.conversations.map((c) => [c.status, c.incoming_count, c.messages]),
    [
      ['closed', 1, [`old-${CLOSED}`]],
      ['open', 2, ['c1', 'c2']],
    ],
  )
  const blocked = await stateOf(channelA.id, BLOCKED)
  assert.equal(blocked.conversations.length, 1, 'no conversation opened for a blocked contact')
  assert.equal(blocked.contact!.blocked, true)
  const snoozed = await stateOf(channelA.id, SNOOZED)
  assert.ok(snoozed.events.includes('conversation.unsnoozed by contact (contact_replied)'))
  assert.deepEqual((await stateOf(channelA.id, NEW2)).messages[0]!.reply_to, 'n1a')
  assert.deepEqual((await stateOf(channelA.id, NEW3)).messages[0]!.reply_to, `old-${OPEN}`)
  const n1 = await stateOf(channelA.id, NEW1)
  assert.deepEqual(
    [n1.contact!.first_name, n1.contact!.last_name, n1.identity!.display_name],
    ['Nadia', 'Saleh', 'Nadia S.'],
  )
  assert.deepEqual(n1.events, [
    'contact.created by contact',
    'conversation.opened by contact',
    'message.received by contact',
    'message.received by contact',
  ])
})

test('a batch whose one item fails is retried item by item: the others are stored once', async () => {
  const a = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
  const channel = (await findChannel(server.ctx.db, owner.workspaceId, a.id))!
  // PostgreSQL refuses a NUL character in text: the whole transaction fails.
  const broken = msg('+966500000099', `${channel.id}-broken`, { text: 'bad \u0000 text' })
  const { groupCommitOf } = await import('./ingest')
  const gc = groupCommitOf(server.ctx)
  const before = gc.stats().retriedSingly
  const settled = await Promise.allSettled([
    gc.submit({ channel, events: [msg('+966500000098', `${channel.id}-good1`)] }, 0),
    gc.submit({ channel, events: [broken] }, 0),
    gc.submit({ channel, events: [msg('+966500000097', `${channel.id}-good2`)] }, 0),
  ])
  assert.deepEqual(
    settled.map((s) => s.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
  const { rows } = await server.ctx.database.query<{ provider_message_id: string }>(
    'SELECT provider_message_id FROM messages WHERE channel_id = $1 ORDER BY id',
    [channel.id],
  )
  assert.deepEqual(
    rows.map((r) => r.provider_message_id),
    [`${channel.id}-good1`, `${channel.id}-good2`],
  )
  assert.equal(gc.stats().retriedSingly - before, 3)
})
