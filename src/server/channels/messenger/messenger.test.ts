import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestClient } from '../../test/client'
import { waitFor } from '../../test/custom-channel'
import { buildUser, setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import { connectMetaChannel, countRows, fixture, postSigned, startMetaFor } from '../../test/meta'

/** Fixtures: Meta's Messenger Platform webhook examples (see fixtures/SOURCES.md). */
const DIR = import.meta.dirname
const DAY = 24 * 3600_000
const FIXTURE_PSID = '6783961251611183'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: Awaited<ReturnType<typeof startMetaFor>>
let channel: Awaited<ReturnType<typeof connectMetaChannel>>
let ws: string
let seq = 0

before(async () => {
  server = await startTestServer({ listen: true })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  sim = await startMetaFor(server)
  channel = await connectMetaChannel(owner.client, server, owner.workspaceId, sim, 'messenger')
})
after(async () => {
  await sim.close()
  await server.close()
})

async function contactOf(psid: string): Promise<number> {
  const { rows } = await server.ctx.database.query<{ contact_id: number }>(
    'SELECT contact_id FROM contact_channels WHERE workspace_id = $1 AND channel_id = $2 AND identifier = $3',
    [owner.workspaceId, channel.id, psid],
  )
  return rows[0]!.contact_id
}
const byProviderId = async (id: string) =>
  (
    await server.ctx.database.query<any>(
      'SELECT id, type, text, content, direction, status, author_kind FROM messages WHERE workspace_id = $1 AND provider_message_id = $2',
      [owner.workspaceId, id],
    )
  ).rows
const message = async (id: number) => (await owner.client.get(`${ws}/messages/${id}`)).body
const handedOver = (id: number) =>
  waitFor(
    async () => {
      const m = await message(id)
      return m.status !== 'pending' && m
    },
    15_000,
    `message ${id}`,
  )

async function person() {
  const psid = String(7_000_000_000_000_000 + ++seq)
  const res = await sim.messengerInbound({ from: psid, text: 'Hi there' })
  assert.equal(res.status, 200)
  return { psid, contactId: await contactOf(psid) }
}
const lastSendApiBody = () =>
  [...sim.received].reverse().find((r) => r.product === 'messenger' && r.method === 'POST')

describe('Messenger webhooks', () => {
  test('handshake, signature (401, nothing stored) and malformed payloads (400, nothing stored)', async () => {
    const ok = await server.app.inject({
      method: 'GET',
      url: `${channel.webhookPath}?hub.mode=subscribe&hub.challenge=CHALLENGE_ACCEPTED&hub.verify_token=${channel.verifyToken}`,
    })
    assert.equal(ok.statusCode, 200)
    assert.equal(ok.body, 'CHALLENGE_ACCEPTED')
    const wrong = await server.app.inject({
      method: 'GET',
      url: `${channel.webhookPath}?hub.mode=subscribe&hub.challenge=CHALLENGE_ACCEPTED&hub.verify_token=wrong-token-1`,
    })
    assert.equal(wrong.statusCode, 403)

    const before = await countRows(server, 'messages', owner.workspaceId)
    assert.equal(
      (await postSigned(server, channel.webhookPath, fixture(DIR, 'text.json'), 'wrong-secret-1')).status,
      401,
    )
    const bad = fixture(DIR, 'text.json')
    bad.entry[0].messaging[0].sender = {}
    assert.equal((await postSigned(server, channel.webhookPath, bad, sim.appSecret)).status, 400)
    assert.equal(await countRows(server, 'messages', owner.workspaceId), before)
  })

  test("Meta's examples: text (stored once), quick reply, postback, echo; attachments downloaded by a job", async () => {
    for (let i = 0; i < 2; i++)
      assert.equal(await sim.postWebhook('messenger', fixture(DIR, 'text.json')), 200)
    assert.equal((await byProviderId('m_1457764197618:41d102a3e1ae206a38')).length, 1)
    assert.equal(await sim.postWebhook('messenger', fixture(DIR, 'quick-reply.json')), 200)
    const [qr] = await byProviderId('m_1457764197618:41d102a3e1ae206a39')
    assert.equal(qr.content.reply.payload, 'DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED')
    assert.equal(await sim.postWebhook('messenger', fixture(DIR, 'postback.json')), 200)
    const [pb] = await byProviderId(fixture(DIR, 'postback.json').entry[0].messaging[0].postback.mid)
    assert.deepEqual(
      [pb.type, pb.text, pb.content.reply.payload],
      ['interactive', 'Talk to an agent', 'TALK_TO_AGENT'],
    )
    // An echo of a message the Page sent from another client is stored as outgoing.
    assert.equal(await sim.postWebhook('messenger', fixture(DIR, 'echo.json')), 200)
    const [echo] = await byProviderId('m_1457764197618:41d102a3e1ae206a41')
    assert.deepEqual(
      [echo.direction, echo.content.echo, echo.text],
      ['out', true, 'Sent from the Page inbox'],
    )

    const png = Buffer.from('\x89PNG\r\n\x1a\nsimulated', 'latin1')
    const attachment = fixture(DIR, 'attachment.json')
    attachment.entry[0].messaging[0].message.attachments[0].payload.url = sim.attachmentUrl(png, 'image/png')
    assert.equal(await sim.postWebhook('messenger', attachment), 200)
    const [img] = await byProviderId('m_1457764197618:41d102a3e1ae206a40')
    assert.equal(img.type, 'image')
    const done = await waitFor(
      async () => {
        const m = await message(img.id)
        return m.content.media.download === 'done' && m
      },
      15_000,
      'attachment download',
    )
    const { rows } = await server.ctx.database.query<{ storage_key: string }>(
      'SELECT storage_key FROM files WHERE workspace_id = $1 AND id = $2',
      [owner.workspaceId, done.content.media.fileId],
    )
    assert.deepEqual(await server.ctx.storage.read(rows[0]!.storage_key), png)
    // The echo's customer is the recipient: the same contact as the fixture sender.
    assert.ok(await contactOf(FIXTURE_PSID))
  })
})

describe('Messenger Send API and the windows (rule 16)', () => {
  test('a reply goes out as RESPONSE; our own echo is not stored twice; delivery and read watermarks apply', async () => {
    const { contactId } = await person()
    const res = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'How can I help?' },
    })
    assert.equal(res.status, 201, res.text)
    const sent = await handedOver(res.body.id)
    assert.notEqual(sent.status, 'failed', JSON.stringify(sent.error))
    const body = lastSendApiBody()!.body as any
    assert.equal(body.messaging_type, 'RESPONSE')
    assert.equal(body.tag, undefined)
    assert.equal(body.message.text, 'How can I help?')
    await sim.settle()
    const read = await waitFor(
      async () => (await message(res.body.id)).status === 'read' && (await message(res.body.id)),
      10_000,
      'read',
    )
    assert.ok(read.deliveredAt)
    const out = (await owner.client.get(`${ws}/contacts/${contactId}/messages`)).body.messages.filter(
      (m: any) => m.direction === 'out',
    )
    assert.equal(out.length, 1, 'the echo of our own send is not a second message')
  })

  test('buttons become a button template with postbacks', async () => {
    const { contactId } = await person()
    const res = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: {
        type: 'interactive',
        interactive: { kind: 'buttons', body: 'Pick', buttons: [{ id: 'A', title: 'Option A' }] },
      },
    })
    assert.equal(res.status, 201, res.text)
    assert.notEqual((await handedOver(res.body.id)).status, 'failed')
    const body = lastSendApiBody()!.body as any
    assert.deepEqual(body.message.attachment.payload.buttons, [
      { type: 'postback', title: 'Option A', payload: 'A' },
    ])
  })

  test('between 24 h and 7 days a person sends with HUMAN_AGENT; automation is refused; after 7 days only tags', async () => {
    const { contactId } = await person()
    const agent = await buildUser(server, owner.workspaceId, 'manager')
    server.clock.advance(2 * DAY)
    try {
      const human = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'Sorry for the wait' },
      })
      assert.equal(human.status, 201, human.text)
      assert.notEqual((await handedOver(human.body.id)).status, 'failed')
      const body = lastSendApiBody()!.body as any
      assert.deepEqual([body.messaging_type, body.tag], ['MESSAGE_TAG', 'HUMAN_AGENT'])

      const token = await owner.client.post(`${ws}/api-tokens`, { name: 'bot' })
      const api = new TestClient(server.app)
      api.bearer = token.body.token
      const bot = await api.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'auto' },
      })
      assert.equal(bot.status, 422)
      assert.match(bot.body.error.message, /only a person can reply \(HUMAN_AGENT tag\)/)

      server.clock.advance(6 * DAY)
      const late = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'hello?' },
      })
      assert.equal(late.status, 422)
      assert.match(late.body.error.message, /7-day window closed/)
      const tagged = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'Your booking is confirmed for Monday.' },
        messageTag: 'CONFIRMED_EVENT_UPDATE',
      })
      assert.equal(tagged.status, 201, tagged.text)
      assert.notEqual((await handedOver(tagged.body.id)).status, 'failed')
      const tagBody = lastSendApiBody()!.body as any
      assert.deepEqual([tagBody.messaging_type, tagBody.tag], ['MESSAGE_TAG', 'CONFIRMED_EVENT_UPDATE'])
    } finally {
      server.clock.advance(-8 * DAY)
    }
  })

  test('error codes: outside-window (10/2018278) and unavailable person (551) are permanent; 190 marks the channel', async () => {
    const { contactId } = await person()
    const failed = async (text: string) => {
      const res = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text },
      })
      return waitFor(
        async () => (await message(res.body.id)).status === 'failed' && (await message(res.body.id)),
        15_000,
        'failed',
      )
    }
    sim.failNext({ code: 10, subcode: 2018278, message: 'This message is sent outside of allowed window.' })
    const window = await failed('one')
    assert.equal(window.error.code, '10')
    assert.match(window.error.title, /outside the allowed messaging window/)
    sim.failNext({ code: 551, message: "This person isn't available right now." })
    assert.match((await failed('two')).error.title, /isn't available/)
    sim.failNext({ code: 190, status: 401, message: 'Error validating access token: Session has expired.' })
    assert.equal((await failed('three')).error.code, '190')
    const ch = await owner.client.get(`${ws}/channels/${channel.id}`)
    assert.equal(ch.body.status, 'error')
    assert.match(ch.body.lastError, /expired or was revoked/)
  })
})
