import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { startTwilioSimulator, type TwilioSimulator } from '../../../simulators/twilio/twilio.simulator'
import { upsertTemplate } from '../../messages/templates.repo'
import {
  type ConnectedChannel,
  channelMessages,
  connectChannel,
  sendMessage,
  startListeningServer,
  waitForMessage,
} from '../../test/channels'
import { setupOwner } from '../../test/factories'
import type { TestServer } from '../../test/harness'
import inboundFixture from './fixtures/inbound-sms.json'
import vector from './fixtures/signature-vector.json'
import statusFixture from './fixtures/status-callback.json'
import { twilioSignature } from './signature'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: TwilioSimulator
let sms: ConnectedChannel
let wa: ConnectedChannel
const BUSINESS = '+14155552671'
let seq = 0
const nextPhone = () => `+1415555${String(1000 + ++seq).slice(-4)}`

async function post(url: string, params: Record<string, string>, signature: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  })
  return { status: res.status, body: await res.text() }
}
async function contactIdOf(channelId: number, providerId: string) {
  const m = (await channelMessages(server, channelId)).find((x) => x.provider_message_id === providerId)
  return m!.contact_id
}

before(async () => {
  server = await startListeningServer()
  owner = await setupOwner(server)
  sim = await startTwilioSimulator({ now: () => server.clock.now().getTime() })
  const config = { accountSid: sim.account.sid, fromNumber: BUSINESS, apiBaseUrl: sim.url }
  const secrets = { authToken: sim.account.authToken }
  sms = await connectChannel(owner.client, owner.workspaceId, { type: 'twilio_sms', config, secrets })
  wa = await connectChannel(owner.client, owner.workspaceId, { type: 'twilio_whatsapp', config, secrets })
})
after(async () => {
  await sim.settled()
  await server.close()
  await sim.close()
})

describe('X-Twilio-Signature', () => {
  test("Twilio's published worked example", () => {
    assert.equal(twilioSignature(vector.authToken, vector.url, vector.params), vector.signature)
  })

  test('the documented inbound fixture, signed over PUBLIC_URL + path, is stored and answered with empty TwiML', async () => {
    const params = { ...inboundFixture.params, AccountSid: sim.account.sid }
    const res = await post(
      sms.webhookUrl,
      params,
      twilioSignature(sim.account.authToken, sms.webhookUrl, params),
    )
    assert.equal(res.status, 200)
    assert.equal(res.body, '<?xml version="1.0" encoding="UTF-8"?><Response/>')
    const m = (await channelMessages(server, sms.id)).find((x) => x.provider_message_id === params.MessageSid)
    assert.equal(m?.text, 'Hello from Twilio')
    assert.equal(m?.direction, 'in')
  })

  test('a wrong signature, or one over another URL (PUBLIC_URL mismatch), is 401 and stores nothing', async () => {
    const before = (await channelMessages(server, sms.id)).length
    const params = {
      ...inboundFixture.params,
      AccountSid: sim.account.sid,
      MessageSid: 'SMwrongsig',
      Body: 'x',
    }
    const wrongToken = await post(
      sms.webhookUrl,
      params,
      twilioSignature('not-the-token', sms.webhookUrl, params),
    )
    assert.equal(wrongToken.status, 401)
    const otherUrl = sms.webhookUrl.replace('127.0.0.1', 'localhost')
    const wrongUrl = await post(
      sms.webhookUrl,
      params,
      twilioSignature(sim.account.authToken, otherUrl, params),
    )
    assert.equal(wrongUrl.status, 401)
    const missing = await fetch(sms.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    })
    assert.equal(missing.status, 401)
    assert.equal((await channelMessages(server, sms.id)).length, before)
  })

  test('a correctly signed but malformed request is 400 and stores nothing', async () => {
    const before = (await channelMessages(server, sms.id)).length
    const params = { AccountSid: sim.account.sid, From: '+14155550199', Body: 'no MessageSid' }
    const res = await post(
      sms.webhookUrl,
      params,
      twilioSignature(sim.account.authToken, sms.webhookUrl, params),
    )
    assert.equal(res.status, 400)
    const foreign = { ...inboundFixture.params, AccountSid: `AC${'f'.repeat(32)}`, MessageSid: 'SMforeign' }
    const res2 = await post(
      sms.webhookUrl,
      foreign,
      twilioSignature(sim.account.authToken, sms.webhookUrl, foreign),
    )
    assert.equal(res2.status, 400, 'another account’s message')
    const waOnSms = { ...inboundFixture.params, AccountSid: sim.account.sid, From: 'whatsapp:+14155550100' }
    const res3 = await post(
      sms.webhookUrl,
      waOnSms,
      twilioSignature(sim.account.authToken, sms.webhookUrl, waOnSms),
    )
    assert.equal(res3.status, 400, 'a WhatsApp sender on an SMS channel')
    assert.equal((await channelMessages(server, sms.id)).length, before)
  })
})

describe('inbound SMS/MMS', () => {
  test('a redelivered message (same MessageSid) is stored once', async () => {
    const from = nextPhone()
    const first = await sim.sendInbound(sms.webhookUrl, {
      from,
      to: BUSINESS,
      body: 'once',
      messageSid: 'SMdup0000000000000000000000000001',
    })
    const again = await sim.sendInbound(sms.webhookUrl, {
      from,
      to: BUSINESS,
      body: 'once',
      messageSid: 'SMdup0000000000000000000000000001',
    })
    assert.equal(first.delivery.status, 200)
    assert.equal(again.delivery.status, 200)
    const stored = (await channelMessages(server, sms.id)).filter(
      (m) => m.provider_message_id === first.messageSid,
    )
    assert.equal(stored.length, 1)
  })

  test('MMS media is downloaded with basic auth in a job and stored as a file', async () => {
    const data = Buffer.from('GIF89a-simulated-image-bytes')
    const { messageSid } = await sim.sendInbound(sms.webhookUrl, {
      from: nextPhone(),
      to: BUSINESS,
      body: 'look',
      media: [
        { contentType: 'image/gif', data },
        { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 simulated') },
      ],
    })
    const rows = (await channelMessages(server, sms.id)).filter((m) =>
      m.provider_message_id?.startsWith(messageSid),
    )
    assert.deepEqual(
      rows.map((r) => [r.type, r.text]),
      [
        ['image', 'look'],
        ['file', null],
      ],
    )
    const m = await waitForMessage(
      server,
      rows[0]!.id,
      (x) => Boolean(x.content.media?.fileId),
      'media download',
    )
    const file = await server.ctx.database.query<{ storage_key: string; mime_type: string }>(
      'SELECT storage_key, mime_type FROM files WHERE id = $1',
      [m.content.media.fileId],
    )
    assert.equal(file.rows[0]!.mime_type, 'image/gif')
    assert.deepEqual(await server.ctx.storage.read(file.rows[0]!.storage_key), data)
  })
})

describe('outbound SMS', () => {
  let contactId: number
  before(async () => {
    const { messageSid } = await sim.sendInbound(sms.webhookUrl, {
      from: nextPhone(),
      to: BUSINESS,
      body: 'hi',
    })
    contactId = await contactIdOf(sms.id, messageSid)
  })

  test('text goes to Messages.json with basic auth, From/To/Body and our StatusCallback; callbacks move it to delivered', async () => {
    const res = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'مرحبا، how can we help?',
    })
    assert.equal(res.status, 201)
    const m = await waitForMessage(server, res.body.id, (x) => x.status === 'delivered')
    const sent = sim.received.find((r) => r.sid === m.provider_message_id)!
    assert.equal(sent.params.From, BUSINESS)
    assert.equal(sent.params.Body, 'مرحبا، how can we help?')
    assert.equal(sent.params.StatusCallback, sms.webhookUrl)
    assert.ok(sent.params.To?.startsWith('+1415555'))
    // Forward only: a late "sent" callback does not move delivered back.
    await sim.sendStatus(m.provider_message_id!, 'sent')
    assert.equal((await waitForMessage(server, m.id, () => true)).status, 'delivered')
    await sim.sendStatus(m.provider_message_id!, 'read')
    assert.equal((await waitForMessage(server, m.id, (x) => x.status === 'read')).status, 'read')
  })

  test('media goes as MediaUrl with the caption as Body', async () => {
    const res = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'image',
      url: 'https://example.com/cat.jpg',
      caption: 'our cat',
    })
    const m = await waitForMessage(server, res.body.id, (x) => x.status !== 'pending')
    const sent = sim.received.find((r) => r.sid === m.provider_message_id)!
    assert.deepEqual(sent.mediaUrls, ['https://example.com/cat.jpg'])
    assert.equal(sent.params.Body, 'our cat')
  })

  test('an undelivered status callback (documented fixture) marks the message failed with the error', async () => {
    const res = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'will fail',
    })
    const m = await waitForMessage(server, res.body.id, (x) => x.status === 'delivered')
    const params = {
      ...statusFixture.params,
      AccountSid: sim.account.sid,
      MessageSid: m.provider_message_id!,
      SmsSid: m.provider_message_id!,
    }
    const r = await post(
      sms.webhookUrl,
      params,
      twilioSignature(sim.account.authToken, sms.webhookUrl, params),
    )
    assert.equal(r.status, 200)
    const failed = await waitForMessage(server, m.id, (x) => x.status === 'failed')
    assert.equal(failed.error.code, '30003')
    assert.match(failed.error.title, /unreachable/)
  })

  test('21610 (recipient replied STOP) is permanent: failed with the reason, never retried', async () => {
    const from = nextPhone()
    const { messageSid } = await sim.sendInbound(sms.webhookUrl, { from, to: BUSINESS, body: 'STOP' })
    const cid = await contactIdOf(sms.id, messageSid)
    const before = sim.received.length
    const res = await sendMessage(owner.client, owner.workspaceId, cid, {
      type: 'text',
      text: 'still there?',
    })
    const m = await waitForMessage(server, res.body.id, (x) => x.status === 'failed')
    assert.equal(m.error.code, '21610')
    assert.match(m.error.title, /unsubscribed/)
    assert.equal(sim.received.length, before, 'rejected by the API, nothing queued')
  })

  test('21211 invalid To is permanent; 429 and 5xx are retried until Twilio accepts', async () => {
    sim.failNext(400, 21211, "The 'To' number is not a valid phone number.")
    const bad = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'bad number',
    })
    const failed = await waitForMessage(server, bad.body.id, (x) => x.status === 'failed')
    assert.equal(failed.error.code, '21211')
    assert.match(failed.error.title, /not valid/)

    sim.failNext(429, 20429, 'Too Many Requests')
    const busy = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'after a retry',
    })
    const ok = await waitForMessage(
      server,
      busy.body.id,
      (x) => x.status === 'sent' || x.status === 'delivered',
    )
    assert.ok(sim.received.some((r) => r.sid === ok.provider_message_id && r.params.Body === 'after a retry'))
  })
})

describe('WhatsApp through Twilio', () => {
  let contactId: number
  let from: string
  before(async () => {
    from = nextPhone()
    const { messageSid } = await sim.sendInbound(wa.webhookUrl, {
      from,
      to: BUSINESS,
      body: 'Salam',
      whatsapp: true,
      profileName: 'Layla Hassan',
    })
    contactId = await contactIdOf(wa.id, messageSid)
  })

  test('inbound carries ProfileName and WaId; location messages are parsed', async () => {
    const v = await owner.client.get(
      `/api/v1/workspaces/${owner.workspaceId}/contacts/${contactId}/conversation`,
    )
    assert.equal(v.body.contact.displayName, 'Layla Hassan')
    assert.equal(v.body.contact.phone, from)
    const loc = await sim.sendInbound(wa.webhookUrl, {
      from,
      to: BUSINESS,
      whatsapp: true,
      location: { latitude: 24.7136, longitude: 46.6753, label: 'Riyadh office' },
    })
    const m = (await channelMessages(server, wa.id)).find((x) => x.provider_message_id === loc.messageSid)!
    assert.equal(m.type, 'location')
    assert.deepEqual([m.content.location.latitude, m.content.location.longitude], [24.7136, 46.6753])
  })

  test('outbound uses whatsapp: addresses; location goes as PersistentAction geo:', async () => {
    const res = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'Welcome',
    })
    const m = await waitForMessage(server, res.body.id, (x) => x.status === 'delivered')
    const sent = sim.received.find((r) => r.sid === m.provider_message_id)!
    assert.equal(sent.params.To, `whatsapp:${from}`)
    assert.equal(sent.params.From, `whatsapp:${BUSINESS}`)
    const loc = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'location',
      latitude: 24.7136,
      longitude: 46.6753,
      name: 'Riyadh office',
    })
    const lm = await waitForMessage(server, loc.body.id, (x) => x.status !== 'pending')
    const lsent = sim.received.find((r) => r.sid === lm.provider_message_id)!
    assert.equal(lsent.params.PersistentAction, 'geo:24.7136,46.6753|Riyadh office')
  })

  test('templates go out as ContentSid + ContentVariables', async () => {
    const contentSid = `HX${'a1'.repeat(16)}`
    await upsertTemplate(server.ctx.db, {
      workspaceId: owner.workspaceId,
      channelId: wa.id,
      name: 'order_shipped',
      language: 'en',
      category: 'UTILITY',
      status: 'APPROVED',
      components: [{ type: 'BODY', text: 'Hello {{1}}, your order {{2}} has shipped.' }],
      providerTemplateId: contentSid,
    })
    const res = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'template',
      template: { name: 'order_shipped', language: 'en', body: ['Layla', 'A-1001'] },
    })
    assert.equal(res.status, 201)
    const m = await waitForMessage(server, res.body.id, (x) => x.status === 'delivered')
    const sent = sim.received.find((r) => r.sid === m.provider_message_id)!
    assert.equal(sent.params.ContentSid, contentSid)
    assert.deepEqual(JSON.parse(sent.params.ContentVariables!), { '1': 'Layla', '2': 'A-1001' })
  })

  test('our window policy refuses free-form text 24 h after the last message, before Twilio is called (rule 15)', async () => {
    const lateFrom = nextPhone()
    const { messageSid } = await sim.sendInbound(wa.webhookUrl, {
      from: lateFrom,
      to: BUSINESS,
      body: 'hello',
      whatsapp: true,
    })
    const cid = await contactIdOf(wa.id, messageSid)
    const before = sim.received.length
    server.clock.advance(25 * 3600_000)
    try {
      const refused = await sendMessage(owner.client, owner.workspaceId, cid, { type: 'text', text: 'late' })
      assert.equal(refused.status, 422)
      assert.equal(refused.body.error.code, 'window_closed')
    } finally {
      server.clock.advance(-25 * 3600_000)
    }
    assert.equal(sim.received.length, before)
  })

  test("63016 in Twilio's status callback (outside WhatsApp's 24 h window by Twilio's clock) fails the message clearly", async () => {
    const lateFrom = nextPhone()
    const { messageSid } = await sim.sendInbound(wa.webhookUrl, {
      from: lateFrom,
      to: BUSINESS,
      body: 'hello',
      whatsapp: true,
    })
    const cid = await contactIdOf(wa.id, messageSid)
    // Twilio's clock runs ahead of ours: it accepts the message, then reports 63016.
    sim.clock.advance(25 * 3600_000)
    try {
      const res = await sendMessage(owner.client, owner.workspaceId, cid, {
        type: 'text',
        text: 'are you there?',
      })
      assert.equal(res.status, 201)
      const m = await waitForMessage(server, res.body.id, (x) => x.status === 'failed')
      assert.equal(m.error.code, '63016')
      assert.match(m.error.title, /24-hour window closed.*template/)
    } finally {
      sim.clock.advance(-25 * 3600_000)
    }
  })
})
