import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startViberSimulator, type ViberSimulator } from '../../../simulators/viber/viber.simulator'
import { storeFile } from '../../files/files.service'
import {
  type ConnectedChannel,
  channelMessages,
  connectChannel,
  sendMessage,
  startListeningServer,
  waitForMessage,
} from '../../test/channels'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import type { TestServer } from '../../test/harness'
import vector from './fixtures/signature-vector.json'

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name))
const HOUR = 3600_000

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: ViberSimulator
let viber: ConnectedChannel
let vectorChannel: ConnectedChannel

async function post(url: string, body: string | Buffer, signature: string | null) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature ? { 'x-viber-content-signature': signature } : {}),
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  return res.status
}
const stored = async (channelId: number, id: string) =>
  (await channelMessages(server, channelId)).find((m) => m.provider_message_id === id)

before(async () => {
  server = await startListeningServer()
  owner = await setupOwner(server)
  sim = await startViberSimulator({ now: () => server.clock.now().getTime() })
  viber = await connectChannel(owner.client, owner.workspaceId, {
    type: 'viber',
    config: { senderName: 'Acme Support', apiBaseUrl: sim.url },
    secrets: { authToken: sim.account.authToken },
  })
  await waitFor(async () => sim.account.webhook === viber.webhookUrl, 15_000, 'set_webhook')
  vectorChannel = await connectChannel(owner.client, owner.workspaceId, {
    type: 'viber',
    config: { senderName: 'Vector', apiBaseUrl: sim.url },
    secrets: { authToken: vector.authToken },
  })
})
after(async () => {
  await sim.settled()
  await server.close()
  await sim.close()
})

describe('setup and callbacks', () => {
  test('set_webhook is called with our URL and event types; Viber’s "webhook" check callback is answered 200', async () => {
    assert.deepEqual(sim.account.eventTypes, [
      'delivered',
      'seen',
      'failed',
      'subscribed',
      'unsubscribed',
      'conversation_started',
    ])
    const check = sim.callbacks.find((c) => c.body.event === 'webhook')
    assert.equal(check?.delivery.status, 200)
    const row = await waitFor(async () => {
      const c = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/channels/${viber.id}`)
      return c.body.status === 'active' ? c.body : undefined
    })
    assert.equal(row.lastError, null)
  })

  test('the published message callback with its signature vector is stored with the exact 64-bit message_token', async () => {
    assert.equal(await post(vectorChannel.webhookUrl, fixture('message.json'), vector.signature), 200)
    const m = await stored(vectorChannel.id, '4912661846655238145')
    assert.equal(m?.text, 'a message to the service')
    assert.equal(
      Number('4912661846655238145') === 4912661846655238000,
      true,
      'a JSON number would have lost the digits',
    )
  })

  test('a redelivered callback is stored once; wrong or missing signatures are 401; malformed is 400', async () => {
    assert.equal(await post(vectorChannel.webhookUrl, fixture('message.json'), vector.signature), 200)
    assert.equal((await channelMessages(server, vectorChannel.id)).length, 1)
    const tampered = fixture('message.json').toString('utf8').replace('a message', 'another message')
    assert.equal(await post(vectorChannel.webhookUrl, tampered, vector.signature), 401)
    assert.equal(await post(vectorChannel.webhookUrl, fixture('message.json'), null), 401)
    const malformed = JSON.stringify({ event: 'message', timestamp: 1 })
    const before = (await channelMessages(server, viber.id)).length
    assert.equal(await post(viber.webhookUrl, malformed, sim.sign(malformed)), 400)
    assert.equal((await channelMessages(server, viber.id)).length, before)
    assert.equal((await channelMessages(server, vectorChannel.id)).length, 1)
  })

  test('subscribed, webhook and conversation_started callbacks are acknowledged and store nothing', async () => {
    const before = (await channelMessages(server, vectorChannel.id)).length
    const { createHmac } = await import('node:crypto')
    for (const name of ['subscribed.json', 'webhook.json']) {
      const body = fixture(name)
      const sig = createHmac('sha256', vector.authToken).update(body).digest('hex')
      assert.equal(await post(vectorChannel.webhookUrl, body, sig), 200, name)
    }
    const u = sim.addUser()
    assert.equal((await sim.conversationStarted(u)).status, 200)
    assert.equal((await channelMessages(server, vectorChannel.id)).length, before)
  })

  test('picture, location and contact messages', async () => {
    const u = sim.addUser({ name: 'Olena' })
    const pic = await sim.sendUserMessage(u, {
      type: 'picture',
      text: 'receipt',
      media: `${sim.url}/no-such-media.jpg`,
      thumbnail: '',
    })
    const loc = await sim.sendUserMessage(u, { type: 'location', location: { lat: 50.45, lon: 30.52 } })
    const con = await sim.sendUserMessage(u, {
      type: 'contact',
      contact: { name: 'Taras', phone_number: '+380501234567' },
    })
    const p = (await stored(viber.id, pic.token))!
    assert.deepEqual(
      [p.type, p.text, p.content.media.url],
      ['image', 'receipt', `${sim.url}/no-such-media.jpg`],
    )
    assert.deepEqual((await stored(viber.id, loc.token))!.content.location, {
      latitude: 50.45,
      longitude: 30.52,
    })
    assert.equal((await stored(viber.id, con.token))!.content.contacts[0].phone, '+380501234567')
  })
})

describe('outbound', () => {
  let user: ReturnType<ViberSimulator['addUser']>
  let contactId: number
  const lastSent = () => sim.received.at(-1)!
  before(async () => {
    user = sim.addUser({ name: 'Ivan Petrenko' })
    const { token } = await sim.sendText(user, 'Привіт')
    contactId = (await stored(viber.id, token))!.contact_id
  })

  test('text with the sender name; delivered and seen callbacks move it forward only', async () => {
    const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'Hello Ivan',
    })
    const m = await waitForMessage(server, r.body.id, (x) => x.status === 'delivered')
    assert.equal(m.provider_message_id, lastSent().token)
    assert.deepEqual(lastSent().body.sender, { name: 'Acme Support' })
    assert.equal(lastSent().body.receiver, user.id)
    await sim.seen(m.provider_message_id!, user)
    await waitForMessage(server, m.id, (x) => x.status === 'read')
    await sim.delivered(m.provider_message_id!, user)
    assert.equal((await waitForMessage(server, m.id, () => true)).status, 'read', 'forward only')
  })

  test('picture, file (with size and name), location and a reply keyboard whose press comes back interactive', async () => {
    const file = await storeFile(
      server.ctx,
      owner.workspaceId,
      { fileName: 'invoice.pdf', mimeType: 'application/pdf', data: Buffer.from('%PDF-1.4 invoice') },
      null,
    )
    const cases: [Record<string, unknown>, (b: Record<string, any>) => void][] = [
      [
        { type: 'image', url: 'https://example.com/p.jpg', caption: 'photo' },
        (b) => assert.deepEqual([b.type, b.media, b.text], ['picture', 'https://example.com/p.jpg', 'photo']),
      ],
      [
        { type: 'file', fileId: file.id },
        (b) => {
          assert.deepEqual([b.type, b.size, b.file_name], ['file', file.size, 'invoice.pdf'])
          assert.match(b.media, /\/files\/\d+\/\d+\?exp=/)
        },
      ],
      [
        { type: 'location', latitude: 50.45, longitude: 30.52 },
        (b) => assert.deepEqual(b.location, { lat: 50.45, lon: 30.52 }),
      ],
    ]
    for (const [message, check] of cases) {
      const r = await sendMessage(owner.client, owner.workspaceId, contactId, message)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const m = await waitForMessage(server, r.body.id, (x) => x.status !== 'pending')
      assert.notEqual(m.status, 'failed', JSON.stringify(m.error))
      check(lastSent().body)
    }
    const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'interactive',
      interactive: {
        kind: 'buttons',
        body: 'Choose',
        buttons: [
          { id: 'opt_a', title: 'Option A' },
          { id: 'opt_b', title: 'Option B' },
        ],
      },
    })
    await waitForMessage(server, r.body.id, (x) => x.status !== 'pending')
    const sent = lastSent().body
    assert.deepEqual(
      sent.keyboard.Buttons.map((b: any) => [b.ActionType, b.ActionBody, b.Text]),
      [
        ['reply', 'opt_a', 'Option A'],
        ['reply', 'opt_b', 'Option B'],
      ],
    )
    const press = await sim.sendText(user, 'opt_b', sent.tracking_data)
    const reply = (await stored(viber.id, press.token))!
    assert.equal(reply.type, 'interactive')
    assert.deepEqual(reply.content.interactive, { kind: 'button_reply', id: 'opt_b', title: 'Option B' })
  })

  test('status 6 (receiverNotSubscribed) fails the message permanently; a failed callback marks it failed', async () => {
    const u = sim.addUser()
    const { token } = await sim.sendText(u, 'bye soon')
    const cid = (await stored(viber.id, token))!.contact_id
    const ok = await sendMessage(owner.client, owner.workspaceId, cid, {
      type: 'text',
      text: 'delivered then failed',
    })
    const m = await waitForMessage(server, ok.body.id, (x) => x.status === 'delivered')
    await sim.failed(m.provider_message_id!, u, 'failure description')
    const f = await waitForMessage(server, m.id, (x) => x.status === 'failed')
    assert.equal(f.error.detail, 'failure description')

    await sim.unsubscribe(u)
    const r = await sendMessage(owner.client, owner.workspaceId, cid, { type: 'text', text: 'still there?' })
    const failed = await waitForMessage(server, r.body.id, (x) => x.status === 'failed')
    assert.equal(failed.error.code, 'receiverNotSubscribed')
    assert.match(failed.error.title, /not subscribed/)
  })
})

describe('window: chatbot-initiated messages after 24 h (rule 18)', () => {
  test('sends outside the session go out, are counted, and the monthly quota error surfaces until commercial terms are accepted', async () => {
    const u = sim.addUser()
    const { token } = await sim.sendText(u, 'hi')
    const cid = (await stored(viber.id, token))!.contact_id
    const month = () => server.clock.now().toISOString().slice(0, 7)
    const counter = async () =>
      (
        await server.ctx.database.query<{ count: number }>(
          "SELECT count FROM channel_counters WHERE channel_id = $1 AND month = $2 AND kind = 'chatbot_initiated'",
          [viber.id, month()],
        )
      ).rows[0]?.count ?? 0

    const inside = await sendMessage(owner.client, owner.workspaceId, cid, {
      type: 'text',
      text: 'inside the session',
    })
    assert.equal(
      (await waitForMessage(server, inside.body.id, (x) => x.status !== 'pending')).content.sendMode,
      'free',
    )
    assert.equal(await counter(), 0)
    assert.equal(sim.received.at(-1)!.chatbotInitiated, false)

    server.clock.advance(25 * HOUR)
    try {
      const outside = await sendMessage(owner.client, owner.workspaceId, cid, {
        type: 'text',
        text: 'a day later',
      })
      assert.equal(outside.status, 201)
      const m = await waitForMessage(server, outside.body.id, (x) => x.status !== 'pending')
      assert.equal(m.content.sendMode, 'chatbot_initiated')
      assert.notEqual(m.status, 'failed')
      assert.equal(sim.received.at(-1)!.chatbotInitiated, true, 'Viber counts it as chatbot-initiated too')
      assert.equal(await counter(), 1)

      await server.ctx.database.query(
        "UPDATE channel_counters SET count = 10000 WHERE channel_id = $1 AND month = $2 AND kind = 'chatbot_initiated'",
        [viber.id, month()],
      )
      const over = await sendMessage(owner.client, owner.workspaceId, cid, {
        type: 'text',
        text: 'over quota',
      })
      assert.equal(over.status, 422)
      assert.equal(over.body.error.code, 'viber_quota_exceeded')
      assert.match(over.body.error.message, /10,000 free chatbot-initiated/)

      const patch = await owner.client.patch(`/api/v1/workspaces/${owner.workspaceId}/channels/${viber.id}`, {
        config: { commercialTermsAccepted: true },
      })
      assert.equal(patch.status, 200)
      const paid = await sendMessage(owner.client, owner.workspaceId, cid, {
        type: 'text',
        text: 'on commercial terms',
      })
      assert.equal(paid.status, 201)
      assert.notEqual(
        (await waitForMessage(server, paid.body.id, (x) => x.status !== 'pending')).status,
        'failed',
      )
      assert.equal(await counter(), 10_001)

      // The contact writes again: a new session, free again.
      await sim.sendText(u, 'back')
      const again = await sendMessage(owner.client, owner.workspaceId, cid, {
        type: 'text',
        text: 'welcome back',
      })
      assert.equal(
        (await waitForMessage(server, again.body.id, (x) => x.status !== 'pending')).content.sendMode,
        'free',
      )
    } finally {
      server.clock.advance(-25 * HOUR)
    }
  })
})
