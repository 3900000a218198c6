import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type CustomSimulator, startCustomSimulator } from '../../../simulators/custom/custom.simulator'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import type { WebhookRequest } from '../channel'
import { findChannel } from '../channels.repo'
import { sendContextFor, toRef } from '../channels.service'
import { customChannel } from './custom.channel'

const fixture = (name: string, vars: Record<string, string> = {}) => {
  let text = readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, v)
  return JSON.parse(text)
}
const REJECTED = '+15550000000'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: CustomSimulator
let ws: string
let channel: { id: string; token: string; webhookPath: string }

before(async () => {
  server = await startTestServer({ listen: true })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  sim = await startCustomSimulator({ receipts: true, rejectContacts: (c) => c === REJECTED })
  const res = await owner.client.post(`${ws}/channels`, {
    type: 'custom',
    name: 'SMS gateway',
    config: { idType: 'phone', destinationUrl: sim.destinationUrl },
  })
  assert.equal(res.status, 201, res.text)
  const webhookPath = new URL(res.body.webhookUrl).pathname
  channel = { id: String(res.body.id), token: res.body.credentials.apiToken, webhookPath }
  sim.link({ channelId: channel.id, webhookUrl: `${server.url}${webhookPath}`, token: channel.token })
})
after(async () => {
  await server?.close()
  await sim?.close()
})

/** A documented body addressed to our channel (respond.io's sample channel id is theirs). */
const ours = (body: any) => ({ ...body, channelId: channel.id })
async function messagesOfPhone(phone: string) {
  const { rows } = await server.ctx.database.query<{ id: number }>(
    'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2',
    [owner.workspaceId, phone],
  )
  if (!rows[0]) return { contactId: undefined, messages: [] as any[] }
  const r = await owner.client.get(`${ws}/contacts/${rows[0].id}/messages`)
  return { contactId: rows[0].id, messages: r.body.messages as any[] }
}

describe('parse: the documented payloads', () => {
  const req = (body: unknown): WebhookRequest => ({
    method: 'POST',
    url: '/',
    query: {},
    headers: {},
    rawBody: Buffer.from(JSON.stringify(body)),
    body,
  })
  const ref = {
    workspaceId: 1,
    id: 7,
    type: 'custom',
    config: { idType: 'phone' as const, destinationUrl: 'http://x' },
    secrets: { apiToken: 'x'.repeat(43) },
  }

  test('Quick Start sample message', () => {
    const [e] = customChannel.parse(req({ ...fixture('quick-start-message.json'), channelId: '7' }), ref)
    assert.ok(e?.kind === 'message')
    assert.equal(e.providerMessageId, 'xcvzzxcxczxczxc')
    assert.equal(e.type, 'text')
    assert.equal(e.text, 'Hello World')
    assert.equal(e.timestamp.getTime(), 2132131321000)
    assert.deepEqual(
      [e.from.identifier, e.from.firstName, e.from.lastName, e.from.email, e.from.phone, e.from.language],
      ['+60177872890', 'John', 'Doe', 'john@respond.io', '+60177872890', 'en'],
    )
  })

  test("the example repository's Postman body (locale and timezone in contact are accepted)", () => {
    const body = fixture('postman-message.json', {
      channelId: '7',
      contactId: '+60123456789',
      $randomUUID: 'c0ffee00-0000-4000-8000-000000000001',
      now: '1700000000000',
    })
    const [e] = customChannel.parse(req(body), ref)
    assert.ok(e?.kind === 'message')
    assert.equal(e.text, 'Hello World 1700000000000')
    assert.equal(e.from.firstName, 'Leo')
  })

  test('a failed receipt carries the reason; an echo with an attachment keeps its caption and type', () => {
    const [s] = customChannel.parse(req({ ...fixture('message-status-failed.json'), channelId: '7' }), ref)
    assert.ok(s?.kind === 'status')
    assert.equal(s.status, 'failed')
    assert.equal(s.error?.title, 'Failed because of the message window limit')
    const [m] = customChannel.parse(req({ ...fixture('message-echo-attachment.json'), channelId: '7' }), ref)
    assert.ok(m?.kind === 'message')
    assert.equal(m.echo, true)
    assert.equal(m.type, 'image')
    assert.equal(m.text, 'Our new catalogue')
    assert.deepEqual(m.content, {
      media: { url: 'https://static.example.com/pic.jpg', fileName: 'pic.jpg', mimeType: 'image/jpeg' },
    })
  })
})

describe('round trip with the integration-server simulator', () => {
  test('inbound (signed with the Bearer token) → contact; duplicates stored once; wrong token and malformed bodies refused', async () => {
    const body = ours(fixture('quick-start-message.json'))
    for (let i = 0; i < 2; i++) {
      const r = await sim.post(channel.id, body.events, body.contact, body.contactId)
      assert.equal(r.status, 200, r.body)
    }
    const { messages } = await messagesOfPhone('+60177872890')
    assert.equal(messages.length, 1)
    const wrong = await server.app.inject({
      method: 'POST',
      url: channel.webhookPath,
      headers: { authorization: `Bearer ${'y'.repeat(43)}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...body, events: [{ ...body.events[0], mId: 'other-1' }] }),
    })
    assert.equal(wrong.statusCode, 401)
    const malformed = await sim.post(
      channel.id,
      [{ type: 'message', mId: 'm-bad', timestamp: 'yesterday' }],
      undefined,
      '+60177872890',
    )
    assert.equal(malformed.status, 400)
    assert.equal((await messagesOfPhone('+60177872890')).messages.length, 1)
  })

  test('outbound text and attachment reach the integration as documented; its mId and receipts update the message', async () => {
    const phone = '+60177870001'
    await sim.inboundText(channel.id, phone, 'hi')
    const { contactId } = await messagesOfPhone(phone)
    const text = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'مرحبا' },
    })
    assert.equal(text.status, 201)
    const out = await waitFor(async () =>
      sim.received.find((r) => r.body?.contactId === phone && r.status === 200),
    )
    assert.equal(out.headers.authorization, `Bearer ${channel.token}`)
    assert.deepEqual(out.body, {
      channelId: channel.id,
      contactId: phone,
      message: { type: 'text', text: 'مرحبا' },
    })
    const delivered = await waitFor(async () => {
      const m = (await owner.client.get(`${ws}/messages/${text.body.id}`)).body
      return m.status === 'delivered' && m
    })
    assert.ok(delivered.sentAt)

    const image = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'image', url: 'https://cdn.example.com/a.png', caption: 'Menu' },
    })
    assert.equal(image.status, 201)
    const att = await waitFor(async () => sim.received.find((r) => r.body?.message?.type === 'attachment'))
    assert.deepEqual(att.body?.message, {
      type: 'attachment',
      attachment: { type: 'image', url: 'https://cdn.example.com/a.png', description: 'Menu' },
    })

    // The integration later reports a failure for the text message: it fails with the reason.
    const failed = ours(fixture('message-status-failed.json'))
    failed.events[0].mId = out.mId
    failed.events[0].timestamp = Date.now()
    assert.equal((await sim.post(channel.id, failed.events, undefined, phone)).status, 200)
    const m = (await owner.client.get(`${ws}/messages/${text.body.id}`)).body
    assert.equal(m.status, 'failed')
    assert.equal(m.error.title, 'Failed because of the message window limit')
  })

  test('a retried send carries the same Idempotency-Key: delivered once, same mId; a 409 counts as sent', async () => {
    const row = (await findChannel(server.ctx.db, owner.workspaceId, Number(channel.id)))!
    const { ref } = toRef(server.ctx, row)
    const sc = sendContextFor(server.ctx, row)
    const msg = {
      id: 424242,
      type: 'text' as const,
      text: 'exactly once',
      content: {},
      sendMode: 'free',
      contactId: 1,
      authorKind: 'user',
      authorId: null,
    }
    const to = { identifier: '+60177870009' }
    const before = sim.received.length
    const a = await customChannel.send(sc, ref as any, to, msg)
    const b = await customChannel.send(sc, ref as any, to, msg)
    assert.equal(a.providerMessageId, b.providerMessageId)
    const sent = sim.received.slice(before)
    assert.equal(sent.length, 2)
    assert.equal(sent[0]!.headers['idempotency-key'], `tawasul-${owner.workspaceId}-${channel.id}-424242`)
    assert.equal(sent[1]!.headers['idempotency-key'], sent[0]!.headers['idempotency-key'])
    assert.deepEqual(
      sent.map((r) => Boolean(r.repeat)),
      [false, true],
      'the second is a retry, not a second delivery',
    )
    // Another message is another key.
    await customChannel.send(sc, ref as any, to, { ...msg, id: 424243 })
    assert.notEqual(sim.received.at(-1)!.headers['idempotency-key'], sent[0]!.headers['idempotency-key'])

    // A destination that answers a known key with 409 Conflict: the message is sent.
    const conflict = createServer((_req, res) => res.writeHead(409).end())
    await new Promise<void>((r) => conflict.listen(0, '127.0.0.1', r))
    try {
      const port = (conflict.address() as { port: number }).port
      const at409 = { ...ref, config: { ...ref.config, destinationUrl: `http://127.0.0.1:${port}/message` } }
      const c = await customChannel.send(sc, at409 as any, to, msg)
      assert.equal(c.providerMessageId, `retry:tawasul-${owner.workspaceId}-${channel.id}-424242`)
    } finally {
      conflict.close()
    }
  })

  test("a 4xx with { error: { message } } fails the message with the integration's reason", async () => {
    await sim.inboundText(channel.id, REJECTED, 'hello')
    const { contactId } = await messagesOfPhone(REJECTED)
    const sent = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'x' },
    })
    const m = await waitFor(async () => {
      const r = (await owner.client.get(`${ws}/messages/${sent.body.id}`)).body
      return r.status === 'failed' && r
    })
    assert.equal(m.error.code, '400')
    assert.equal(m.error.title, `Invalid destination number ${REJECTED}`)
  })

  test('an echo (sent by the business from elsewhere) is stored as an outgoing message', async () => {
    const echo = ours(fixture('message-echo-attachment.json'))
    echo.events[0].timestamp = Date.now()
    assert.equal((await sim.post(channel.id, echo.events, undefined, '+60177872890')).status, 200)
    const { messages } = await messagesOfPhone('+60177872890')
    const e = messages.find((m) => m.content.echo)
    assert.equal(e.direction, 'out')
    assert.equal(e.type, 'image')
    assert.equal(e.text, 'Our new catalogue')
  })
})
