import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type LineSimulator, startLineSimulator } from '../../../simulators/line/line.simulator'
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
import { findChannel } from '../channels.repo'
import { sendContextFor } from '../channels.service'
import vector from './fixtures/signature-vector.json'
import { lineChannel } from './line.channel'

const FIXTURE = readFileSync(path.join(import.meta.dirname, 'fixtures', vector.file))

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: LineSimulator
let line: ConnectedChannel

async function post(url: string, body: string | Buffer, signature: string | null) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-line-signature': signature } : {}) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  return res.status
}
const stored = async (channelId: number, id: string) =>
  (await channelMessages(server, channelId)).find((m) => m.provider_message_id === id)

before(async () => {
  server = await startListeningServer()
  owner = await setupOwner(server)
  sim = await startLineSimulator({ now: () => server.clock.now().getTime() })
  line = await connectChannel(owner.client, owner.workspaceId, {
    type: 'line',
    config: { apiBaseUrl: sim.url, dataApiBaseUrl: sim.url },
    secrets: { channelAccessToken: sim.account.channelAccessToken, channelSecret: sim.account.channelSecret },
  })
  await waitFor(async () => sim.account.webhookUrl === line.webhookUrl, 15_000, 'webhook endpoint set')
})
after(async () => {
  await server.close()
  await sim.close()
})

describe('webhook signature and parsing', () => {
  let vectorChannel: ConnectedChannel
  before(async () => {
    vectorChannel = await connectChannel(owner.client, owner.workspaceId, {
      type: 'line',
      config: { apiBaseUrl: sim.url, dataApiBaseUrl: sim.url },
      // Another LINE channel whose token the simulator does not know: its setup fails, so the
      // simulator's webhook endpoint stays on the main channel.
      secrets: { channelAccessToken: 'unknown-token-'.repeat(3), channelSecret: vector.channelSecret },
    })
    await waitFor(async () => {
      const c = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/channels/${vectorChannel.id}`)
      return c.body.status === 'error'
    })
  })

  test('the published webhook example with its independently computed signature: the text is stored, follow/unfollow are acknowledged', async () => {
    assert.equal(await post(vectorChannel.webhookUrl, FIXTURE, vector.signature), 200)
    const rows = await channelMessages(server, vectorChannel.id)
    assert.deepEqual(
      rows.map((r) => [r.provider_message_id, r.text]),
      [['14353798921116', 'Hello, world']],
    )
  })

  test('a wrong or missing X-Line-Signature is 401 and stores nothing', async () => {
    const body = FIXTURE.toString('utf8').replace('14353798921116', '14353798921117')
    assert.equal(
      await post(vectorChannel.webhookUrl, body, vector.signature),
      401,
      'body changed after signing',
    )
    assert.equal(await post(vectorChannel.webhookUrl, body, null), 401)
    assert.equal(await stored(vectorChannel.id, '14353798921117'), undefined)
  })

  test('a signed but malformed body is 400 and stores nothing; the console "Verify" (no events) is 200', async () => {
    const before = (await channelMessages(server, line.id)).length
    const bad = JSON.stringify({ destination: 'x', events: [{ type: 'message', timestamp: 'yesterday' }] })
    assert.equal(await post(line.webhookUrl, bad, sim.sign(bad)), 400)
    const verify = JSON.stringify({ destination: sim.account.botUserId, events: [] })
    assert.equal(await post(line.webhookUrl, verify, sim.sign(verify)), 200)
    assert.equal((await channelMessages(server, line.id)).length, before)
  })

  test('a redelivered event (isRedelivery) is stored once', async () => {
    const user = sim.addUser()
    const { event, delivery } = await sim.sendText(user, 'once only')
    assert.equal(delivery.status, 200)
    assert.equal((await sim.redeliver(event)).status, 200)
    const id = (event.message as { id: string }).id
    assert.equal(
      (await channelMessages(server, line.id)).filter((m) => m.provider_message_id === id).length,
      1,
    )
  })

  test('image (downloaded from the data API), location, sticker and postback', async () => {
    const user = sim.addUser()
    const jpeg = Buffer.from('\xff\xd8\xffline-image-bytes', 'latin1')
    const img = await sim.sendImage(user, jpeg)
    const loc = await sim.sendLocation(user, 'LINE Corp', 'Shinjuku, Tokyo', 35.6875, 139.703056)
    const st = await sim.sendSticker(user, '446', '1988', ['Happy'])
    const pb = await sim.postback(user, 'action=buy&itemid=111')
    const id = (e: { event: Record<string, unknown> }) => (e.event.message as { id: string }).id
    const image = (await stored(line.id, id(img)))!
    assert.equal(image.type, 'image')
    const done = await waitForMessage(
      server,
      image.id,
      (m) => Boolean(m.content.media?.fileId),
      'LINE content download',
    )
    const f = await server.ctx.database.query<{ storage_key: string; mime_type: string }>(
      'SELECT storage_key, mime_type FROM files WHERE id = $1',
      [done.content.media.fileId],
    )
    assert.equal(f.rows[0]!.mime_type, 'image/jpeg')
    assert.deepEqual(await server.ctx.storage.read(f.rows[0]!.storage_key), jpeg)
    const location = (await stored(line.id, id(loc)))!
    assert.deepEqual(location.content.location, {
      latitude: 35.6875,
      longitude: 139.703056,
      name: 'LINE Corp',
      address: 'Shinjuku, Tokyo',
    })
    const sticker = (await stored(line.id, id(st)))!
    assert.equal(sticker.type, 'sticker')
    assert.deepEqual([sticker.content.sticker.packageId, sticker.content.sticker.stickerId], ['446', '1988'])
    const postback = (await stored(line.id, `postback:${pb.event.webhookEventId}`))!
    assert.equal(postback.type, 'interactive')
    assert.equal(postback.content.interactive.id, 'action=buy&itemid=111')
  })
})

describe('outbound: reply token when fresh, else push', () => {
  let user: string
  let contactId: number
  const last = () => sim.received.at(-1)!

  before(async () => {
    user = sim.addUser('Aiko')
    const { event } = await sim.sendText(user, 'こんにちは')
    contactId = (await stored(line.id, (event.message as { id: string }).id))!.contact_id
  })

  test('the first answer uses the reply token; the token is used once, then messages are pushed', async () => {
    const r1 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'Hello Aiko',
    })
    const m1 = await waitForMessage(server, r1.body.id, (m) => m.status === 'sent')
    assert.equal(last().endpoint, 'reply')
    assert.equal(m1.provider_message_id, last().ids[0])
    const r2 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'Anything else?',
    })
    await waitForMessage(server, r2.body.id, (m) => m.status === 'sent')
    assert.equal(last().endpoint, 'push')
    assert.equal(last().to, user)
  })

  test('a reply token older than its validity is not used: the message is pushed', async () => {
    const { event } = await sim.sendText(user, 'later')
    assert.ok(event.replyToken)
    server.clock.advance(70_000)
    try {
      const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
        type: 'text',
        text: 'sorry for the wait',
      })
      await waitForMessage(server, r.body.id, (m) => m.status === 'sent')
      assert.equal(last().endpoint, 'push')
    } finally {
      server.clock.advance(-70_000)
    }
  })

  test('image, location, buttons template and quick replies are valid LINE message objects', async () => {
    const cases: [Record<string, unknown>, (m: Record<string, any>) => void][] = [
      [
        { type: 'image', url: 'https://example.com/a.jpg' },
        (m) =>
          assert.deepEqual(m, {
            type: 'image',
            originalContentUrl: 'https://example.com/a.jpg',
            previewImageUrl: 'https://example.com/a.jpg',
          }),
      ],
      [
        { type: 'location', latitude: 35.68, longitude: 139.7, name: 'Office', address: 'Tokyo' },
        (m) =>
          assert.deepEqual(m, {
            type: 'location',
            title: 'Office',
            address: 'Tokyo',
            latitude: 35.68,
            longitude: 139.7,
          }),
      ],
      [
        {
          type: 'interactive',
          interactive: { kind: 'buttons', body: 'Rate us', buttons: [{ id: 'r5', title: 'Great' }] },
        },
        (m) =>
          assert.deepEqual(m.template, {
            type: 'buttons',
            text: 'Rate us',
            actions: [{ type: 'postback', label: 'Great', data: 'r5', displayText: 'Great' }],
          }),
      ],
      [
        {
          type: 'interactive',
          interactive: {
            kind: 'list',
            body: 'Pick a branch',
            button: 'Branches',
            sections: [
              {
                rows: [
                  { id: 'b1', title: 'Shibuya' },
                  { id: 'b2', title: 'Ginza' },
                ],
              },
            ],
          },
        },
        (m) => {
          assert.equal(m.type, 'text')
          assert.deepEqual(
            m.quickReply.items.map((i: any) => i.action.data),
            ['b1', 'b2'],
          )
        },
      ],
    ]
    for (const [message, check] of cases) {
      const r = await sendMessage(owner.client, owner.workspaceId, contactId, message)
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const m = await waitForMessage(server, r.body.id, (x) => x.status !== 'pending')
      assert.equal(m.status, 'sent', JSON.stringify(m.error))
      check(last().messages[0]!)
    }
  })

  test('errors: an invalid message object (400 with details) and the monthly limit (429) are permanent', async () => {
    const bad = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'image',
      url: 'http://example.com/plain-http.jpg',
    })
    const f1 = await waitForMessage(server, bad.body.id, (m) => m.status === 'failed')
    assert.equal(f1.error.code, '400')
    assert.match(f1.error.detail, /originalContentUrl: Must be an https URL/)
    sim.setMonthlyLimitReached(true)
    try {
      const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
        type: 'text',
        text: 'over the limit',
      })
      const f2 = await waitForMessage(server, r.body.id, (m) => m.status === 'failed')
      assert.equal(f2.error.code, 'monthly_limit')
    } finally {
      sim.setMonthlyLimitReached(false)
    }
  })

  test('a retried push carries the same X-Line-Retry-Key and is not delivered twice (409 is success)', async () => {
    const ref = {
      workspaceId: owner.workspaceId,
      id: line.id,
      type: 'line',
      config: { apiBaseUrl: sim.url, dataApiBaseUrl: sim.url },
      secrets: {
        channelAccessToken: sim.account.channelAccessToken,
        channelSecret: sim.account.channelSecret,
      },
    }
    // No stored reply token: the retried send is a push (where X-Line-Retry-Key applies).
    const row = (await findChannel(server.ctx.db, owner.workspaceId, line.id))!
    const sc = { ...sendContextFor(server.ctx, row), state: undefined }
    const msg = {
      id: 987654,
      type: 'text' as const,
      text: 'exactly once',
      content: {},
      sendMode: 'free',
      contactId: 1,
      authorKind: 'user',
      authorId: null,
    }
    const before = sim.received.length
    const a = await lineChannel.send(sc, ref, { identifier: user }, msg)
    const b = await lineChannel.send(sc, ref, { identifier: user }, msg)
    assert.equal(a.providerMessageId, b.providerMessageId)
    assert.equal(sim.received.length, before + 1)
  })
})
