import assert from 'node:assert/strict'
import { createHash, createHmac } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import { connectMetaChannel, countRows, fixture, postSigned, startMetaFor } from '../../test/meta'
import { signMetaPayload } from '../meta-graph'

/** Fixtures: Meta's published webhook examples (see fixtures/SOURCES.md). */
const DIR = import.meta.dirname
const HOUR = 3600_000

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: Awaited<ReturnType<typeof startMetaFor>>
let channel: Awaited<ReturnType<typeof connectMetaChannel>>
let ws: string
let seq = 0
const nextNumber = () => `9665${String(50_000_000 + ++seq)}`

before(async () => {
  server = await startTestServer({ listen: true })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  sim = await startMetaFor(server, { templatesPageSize: 2 })
  channel = await connectMetaChannel(owner.client, server, owner.workspaceId, sim, 'whatsapp_cloud')
})
after(async () => {
  await sim.close()
  await server.close()
})

async function contactByPhone(phone: string) {
  const { rows } = await server.ctx.database.query<{ id: number; first_name: string; last_name: string }>(
    'SELECT id, first_name, last_name FROM contacts WHERE workspace_id = $1 AND phone = $2',
    [owner.workspaceId, phone],
  )
  return rows[0]
}
const contactPhone = async (contactId: number) =>
  (
    await server.ctx.database.query<{ phone: string }>(
      'SELECT phone FROM contacts WHERE workspace_id = $1 AND id = $2',
      [owner.workspaceId, contactId],
    )
  ).rows[0]!.phone
const messagesOf = async (contactId: number) =>
  (await owner.client.get(`${ws}/contacts/${contactId}/messages`)).body.messages as any[]
const message = async (id: number) => (await owner.client.get(`${ws}/messages/${id}`)).body
const send = (contactId: number, body: Record<string, unknown>) =>
  owner.client.post(`${ws}/contacts/${contactId}/messages`, body)

/** A customer who has written through the simulator (so both windows are open). */
async function customer(name = 'Layla Hassan') {
  const waId = nextNumber()
  const res = await sim.sendInbound({ from: waId, name, text: 'Hello' })
  assert.equal(res.status, 200)
  const contact = (await contactByPhone(`+${waId}`))!
  return { waId, contactId: contact.id }
}

describe('WhatsApp webhooks: verification and signatures', () => {
  test('the verification handshake echoes hub.challenge for the right token and refuses others', async () => {
    const ok = await server.app.inject({
      method: 'GET',
      url: `${channel.webhookPath}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${channel.verifyToken}`,
    })
    assert.equal(ok.statusCode, 200)
    assert.equal(ok.body, '1158201444')
    const wrong = await server.app.inject({
      method: 'GET',
      url: `${channel.webhookPath}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope-nope-nope`,
    })
    assert.equal(wrong.statusCode, 403)
    assert.notEqual(wrong.body, '1158201444')
    const notSubscribe = await server.app.inject({
      method: 'GET',
      url: `${channel.webhookPath}?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${channel.verifyToken}`,
    })
    assert.equal(notSubscribe.statusCode, 403)
  })

  test('X-Hub-Signature-256 is HMAC-SHA256 of the raw body with the app secret', () => {
    // Vector computed independently with node:crypto over exact bytes (non-ASCII included).
    const raw = Buffer.from('{"object":"whatsapp_business_account","entry":[{"text":"مرحبا 👋"}]}', 'utf8')
    const expected = createHmac('sha256', 'app-secret-123').update(raw).digest('hex')
    assert.equal(signMetaPayload('app-secret-123', raw), `sha256=${expected}`)
    // The signature covers the exact bytes sent: the same JSON re-serialized does not match.
    assert.notEqual(
      signMetaPayload('app-secret-123', JSON.stringify(JSON.parse(raw.toString()), null, 1)),
      `sha256=${expected}`,
    )
  })

  test('a wrong or missing signature answers 401 and stores nothing', async () => {
    const before = await countRows(server, 'messages', owner.workspaceId)
    const body = fixture(DIR, 'text.json')
    const wrongSecret = await postSigned(server, channel.webhookPath, body, 'not-the-app-secret')
    assert.equal(wrongSecret.status, 401)
    const none = await server.app.inject({
      method: 'POST',
      url: channel.webhookPath,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    })
    assert.equal(none.statusCode, 401)
    // Signed over different bytes than those sent.
    const tampered = await postSigned(
      server,
      channel.webhookPath,
      JSON.stringify(body).replace('another color', 'a refund'),
      sim.appSecret,
      signMetaPayload(sim.appSecret, JSON.stringify(body)),
    )
    assert.equal(tampered.status, 401)
    assert.equal(await countRows(server, 'messages', owner.workspaceId), before)
  })

  test('a rotated app secret applies to the very next webhook (the webhook channel cache is dropped)', async () => {
    const body = JSON.stringify(fixture(DIR, 'text.json'))
    assert.equal((await postSigned(server, channel.webhookPath, body, sim.appSecret)).status, 200)
    const url = `${ws}/channels/${channel.id}`
    try {
      assert.equal(
        (await owner.client.patch(url, { secrets: { appSecret: 'rotated-app-secret' } })).status,
        200,
      )
      assert.equal((await postSigned(server, channel.webhookPath, body, sim.appSecret)).status, 401)
      assert.equal((await postSigned(server, channel.webhookPath, body, 'rotated-app-secret')).status, 200)
    } finally {
      assert.equal((await owner.client.patch(url, { secrets: { appSecret: sim.appSecret } })).status, 200)
    }
    assert.equal((await postSigned(server, channel.webhookPath, body, sim.appSecret)).status, 200)
  })

  test('a malformed payload answers 400 and stores nothing', async () => {
    const before = await countRows(server, 'messages', owner.workspaceId)
    const body = fixture(DIR, 'text.json')
    body.entry[0].changes[0].value.messages[0].from = 'not-a-wa-id'
    assert.equal((await postSigned(server, channel.webhookPath, body, sim.appSecret)).status, 400)
    const noEntry = { object: 'whatsapp_business_account', entry: [] }
    assert.equal((await postSigned(server, channel.webhookPath, noEntry, sim.appSecret)).status, 400)
    assert.equal((await postSigned(server, channel.webhookPath, '{"object":', sim.appSecret)).status, 400)
    assert.equal(await countRows(server, 'messages', owner.workspaceId), before)
  })

  test('a duplicate delivery of the same wamid stores one message', async () => {
    const body = fixture(DIR, 'text.json')
    for (let i = 0; i < 3; i++) assert.equal(await sim.postWebhook('whatsapp', body), 200)
    const contact = (await contactByPhone('+16505551234'))!
    const texts = (await messagesOf(contact.id)).filter((m) => m.text === 'Does it come in another color?')
    assert.equal(texts.length, 1)
    // profile.name → the contact's name; wa_id → identity in E.164 with '+'.
    assert.equal(`${contact.first_name} ${contact.last_name}`, 'Sheena Nelson')
  })
})

describe('WhatsApp inbound message types (Meta examples)', () => {
  const byType = async (file: string) => {
    assert.equal(await sim.postWebhook('whatsapp', fixture(DIR, file)), 200)
    const id = fixture(DIR, file).entry[0].changes[0].value.messages[0].id
    const { rows } = await server.ctx.database.query<any>(
      'SELECT type, text, content, reply_to_message_id FROM messages WHERE workspace_id = $1 AND provider_message_id = $2',
      [owner.workspaceId, id],
    )
    assert.equal(rows.length, 1, file)
    return rows[0]
  }

  test('text, reply context, location, contacts, interactive replies, template button, reaction, unsupported', async () => {
    const original = await byType('text.json')
    assert.equal(original.type, 'text')
    const reply = await byType('reply-context.json')
    assert.equal(reply.text, 'Yes, that one please')
    const location = await byType('location.json')
    assert.equal(location.type, 'location')
    assert.equal(location.content.location.latitude, 37.483307)
    assert.equal(location.content.location.name, 'Meta Headquarters')
    const contacts = await byType('contacts.json')
    assert.equal(contacts.type, 'contacts')
    assert.match(contacts.text, /Barbara J\. Johnson \+1 \(940\) 555-1234/)
    const button = await byType('interactive-button-reply.json')
    assert.deepEqual(
      [button.type, button.text, button.content.reply.kind, button.content.reply.id],
      ['interactive', 'Change', 'button', 'change-button'],
    )
    const list = await byType('interactive-list-reply.json')
    assert.deepEqual(
      [list.text, list.content.reply.kind, list.content.reply.id, list.content.reply.description],
      ['Priority Mail Express', 'list', 'priority_express', 'Next Day to 2 Days'],
    )
    const templateButton = await byType('button.json')
    assert.equal(templateButton.content.reply.kind, 'template_button')
    assert.equal(templateButton.content.reply.payload, 'Unsubscribe from Promos')
    const reaction = await byType('reaction.json')
    assert.equal(reaction.type, 'reaction')
    assert.equal(reaction.text, '👍')
    const unsupported = await byType('unsupported.json')
    assert.equal(unsupported.type, 'unsupported')
    assert.equal(unsupported.content.unsupported.errors[0].code, '131051')
  })

  test('the reply context links to the replied message when we have it', async () => {
    const { waId, contactId } = await customer()
    const sent = await send(contactId, { message: { type: 'text', text: 'Which size?' } })
    const wamid = await waitFor(
      async () => (await message(sent.body.id)).status !== 'pending' && (await message(sent.body.id)),
      10_000,
      'sent',
    )
    const providerId = (
      await server.ctx.database.query<{ p: string }>(
        'SELECT provider_message_id AS p FROM messages WHERE workspace_id = $1 AND id = $2',
        [owner.workspaceId, wamid.id],
      )
    ).rows[0]!.p
    await sim.sendInbound({
      from: waId,
      message: {
        type: 'text',
        text: { body: 'Large' },
        context: { from: sim.whatsappAccount.displayPhoneNumber, id: providerId },
      },
    })
    const large = (await messagesOf(contactId)).find((m) => m.text === 'Large')
    assert.equal(large.replyToMessageId, sent.body.id)
  })

  test('media (image, document, audio, video, sticker): stored at once, then downloaded by a job as a file', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5])
    const mediaId = sim.addMedia(jpeg, 'image/jpeg')
    const { waId, contactId } = await customer()
    const res = await sim.sendInbound({
      from: waId,
      message: {
        type: 'image',
        image: { id: mediaId, mime_type: 'image/jpeg', sha256: 'x', caption: 'The red one' },
      },
    })
    assert.equal(res.status, 200)
    // The message is stored in the webhook's transaction, before any download.
    const stored = (await messagesOf(contactId)).find((m) => m.type === 'image')
    assert.equal(stored.text, 'The red one')
    const done = await waitFor(
      async () => {
        const m = await message(stored.id)
        return m.content.media.download === 'done' && m
      },
      15_000,
      'media download',
    )
    const file = await owner.client.get(`${ws}/files/${done.content.media.fileId}`)
    assert.equal(file.status, 200)
    const { rows } = await server.ctx.database.query<{ sha256: string; storage_key: string }>(
      'SELECT sha256, storage_key FROM files WHERE workspace_id = $1 AND id = $2',
      [owner.workspaceId, done.content.media.fileId],
    )
    assert.deepEqual(await server.ctx.storage.read(rows[0]!.storage_key), jpeg)
    assert.equal(rows[0]!.sha256, createHash('sha256').update(jpeg).digest('hex'))
    assert.equal(done.content.media.mimeType, 'image/jpeg')
    // The simulator saw GET /{media-id} and the download, both with the token.
    assert.ok(sim.received.some((r) => r.path.startsWith(`/v21.0/${mediaId}`) && r.status === 200))
    assert.ok(
      sim.received.some((r) => r.path.startsWith('/whatsapp_business/attachments/') && r.status === 200),
    )

    for (const file of ['document.json', 'audio.json', 'video.json', 'sticker.json']) {
      assert.equal(await sim.postWebhook('whatsapp', fixture(DIR, file)), 200)
    }
    const contact = (await contactByPhone('+16505551234'))!
    const types = (await messagesOf(contact.id)).map((m) => m.type)
    for (const t of ['file', 'audio', 'video', 'sticker']) assert.ok(types.includes(t), t)
    const doc = (await messagesOf(contact.id)).find((m) => m.type === 'file')
    assert.equal(doc.content.media.fileName, 'receipt-2025.pdf')
    // Media the simulator does not have (the fixtures' ids) fails for good, and says so.
    const failed = await waitFor(
      async () => {
        const m = await message(doc.id)
        return m.content.media.download === 'failed' && m
      },
      15_000,
      'failed download',
    )
    assert.ok(failed.content.media.error)
  })
})

describe('WhatsApp outbound through the simulator', () => {
  const sentBody = async (id: number) => {
    const m = await waitFor(
      async () => {
        const x = await message(id)
        return x.status !== 'pending' && x
      },
      10_000,
      `message ${id} handed over`,
    )
    const providerId = (
      await server.ctx.database.query<{ p: string }>(
        'SELECT provider_message_id AS p FROM messages WHERE workspace_id = $1 AND id = $2',
        [owner.workspaceId, id],
      )
    ).rows[0]!.p
    const item = sim
      .thread(String((await contactPhone(m.contactId)).slice(1)))
      .find((t) => t.id === providerId)
    return { message: m, body: item?.payload as any, providerId }
  }

  test('text, media by signed link, location, buttons, list and a template with parameters', async () => {
    const { waId, contactId } = await customer()
    const upload = await owner.client.request('POST', `${ws}/files?name=menu.pdf`, '%PDF-1.4 menu', {
      'content-type': 'application/pdf',
    })
    assert.equal(upload.status, 201)
    const cases: [Record<string, unknown>, (b: any) => void][] = [
      [
        { type: 'text', text: 'مرحبا، كيف أساعدك؟' },
        (b) => assert.deepEqual(b.text, { preview_url: false, body: 'مرحبا، كيف أساعدك؟' }),
      ],
      [
        { type: 'file', fileId: upload.body.id, caption: 'Our menu' },
        (b) => {
          assert.equal(b.type, 'document')
          assert.match(
            b.document.link,
            new RegExp(`/files/${owner.workspaceId}/${upload.body.id}\\?exp=\\d+&sig=`),
          )
          assert.equal(b.document.filename, 'menu.pdf')
          assert.equal(b.document.caption, 'Our menu')
        },
      ],
      [
        { type: 'image', url: 'https://cdn.example/p.jpg', caption: 'Red' },
        (b) => assert.deepEqual(b.image, { link: 'https://cdn.example/p.jpg', caption: 'Red' }),
      ],
      [
        { type: 'audio', url: 'https://cdn.example/a.ogg' },
        (b) => assert.deepEqual(b.audio, { link: 'https://cdn.example/a.ogg' }),
      ],
      [
        { type: 'video', url: 'https://cdn.example/v.mp4' },
        (b) => assert.equal(b.video.link, 'https://cdn.example/v.mp4'),
      ],
      [
        { type: 'location', latitude: 24.7136, longitude: 46.6753, name: 'Riyadh office' },
        (b) => assert.deepEqual(b.location, { latitude: 24.7136, longitude: 46.6753, name: 'Riyadh office' }),
      ],
      [
        {
          type: 'interactive',
          interactive: {
            kind: 'buttons',
            body: 'Pick one',
            buttons: [
              { id: 'yes', title: 'Yes' },
              { id: 'no', title: 'No' },
            ],
          },
        },
        (b) => {
          assert.equal(b.interactive.type, 'button')
          assert.deepEqual(b.interactive.action.buttons[1], {
            type: 'reply',
            reply: { id: 'no', title: 'No' },
          })
        },
      ],
      [
        {
          type: 'interactive',
          interactive: {
            kind: 'list',
            body: 'Shipping?',
            button: 'Options',
            sections: [{ title: 'Speed', rows: [{ id: 'fast', title: 'Express', description: '1 day' }] }],
          },
        },
        (b) => {
          assert.equal(b.interactive.type, 'list')
          assert.equal(b.interactive.action.button, 'Options')
          assert.equal(b.interactive.action.sections[0].rows[0].id, 'fast')
        },
      ],
    ]
    for (const [msg, check] of cases) {
      const res = await send(contactId, { message: msg })
      assert.equal(res.status, 201, res.text)
      const { message: m, body } = await sentBody(res.body.id)
      assert.ok(
        ['sent', 'delivered', 'read'].includes(m.status),
        `${msg.type}: ${m.status} ${JSON.stringify(m.error)}`,
      )
      assert.equal(body.messaging_product, 'whatsapp')
      assert.equal(body.to, waId)
      check(body)
    }
    // Statuses move forward to read (sent → delivered → read webhooks from the simulator).
    const first = (await messagesOf(contactId)).find((m) => m.text === 'مرحبا، كيف أساعدك؟')
    const read = await waitFor(
      async () => (await message(first.id)).status === 'read' && (await message(first.id)),
      10_000,
      'read',
    )
    assert.ok(read.deliveredAt && read.readAt)
  })

  test('templates: synced from the provider (paginated), sent with header, body and button parameters', async () => {
    const sync = await owner.client.post(`${ws}/channels/${channel.id}/templates/sync`)
    assert.equal(sync.status, 202)
    const list = await waitFor(
      async () => {
        const r = await owner.client.get(`${ws}/channels/${channel.id}/templates`)
        return r.body.length === sim.templates.length && r.body
      },
      15_000,
      'templates synced',
    )
    // Four templates, two per page: the job followed paging.next.
    assert.ok(sim.received.filter((r) => r.path.includes('/message_templates')).length >= 2)
    assert.equal(list.find((t: any) => t.name === 'spring_sale').status, 'PAUSED')

    const { waId, contactId } = await customer('Omar')
    const res = await send(contactId, {
      message: {
        type: 'template',
        template: {
          name: 'order_update',
          language: 'en',
          header: ['#1001'],
          body: ['Omar', 'on its way'],
          buttons: [
            { index: 0, value: 'thanks' },
            { index: 1, value: '1001' },
          ],
        },
      },
    })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.body.text, 'Order #1001\n\nHi Omar, your order is on its way.')
    const { message: m, body } = await sentBody(res.body.id)
    assert.notEqual(m.status, 'failed', JSON.stringify(m.error))
    assert.equal(body.to, waId)
    assert.equal(body.template.name, 'order_update')
    assert.deepEqual(body.template.language, { code: 'en' })
    assert.deepEqual(body.template.components[0], {
      type: 'header',
      parameters: [{ type: 'text', text: '#1001' }],
    })

    // A template the provider removed is disabled on the next sync.
    const removed = sim.templates.findIndex((t) => t.name === 'spring_sale')
    sim.templates.splice(removed, 1)
    await owner.client.post(`${ws}/channels/${channel.id}/templates/sync`)
    await waitFor(
      async () => {
        const r = await owner.client.get(`${ws}/channels/${channel.id}/templates`)
        return r.body.find((t: any) => t.name === 'spring_sale')?.status === 'DISABLED'
      },
      15_000,
      'removed template disabled',
    )
  })

  test('the simulator enforces documented limits: a wrong parameter count is refused with 132000', async () => {
    const { contactId } = await customer()
    // The local template row is edited so our own check passes and Meta's (the simulator's) refuses.
    await server.ctx.database.query(
      `UPDATE message_templates SET components = '[{"type":"BODY","text":"Hi {{1}}"}]' WHERE workspace_id = $1 AND name = 'order_update' AND language = 'ar'`,
      [owner.workspaceId],
    )
    const res = await send(contactId, {
      message: { type: 'template', template: { name: 'order_update', language: 'ar', body: ['Omar'] } },
    })
    assert.equal(res.status, 201, res.text)
    const failed = await waitFor(
      async () => (await message(res.body.id)).status === 'failed' && (await message(res.body.id)),
      10_000,
      'failed',
    )
    assert.equal(failed.error.code, '132000')
    assert.match(failed.error.title, /parameter count does not match/)
  })
})

describe('WhatsApp error codes and the 24-hour window', () => {
  const failedWith = async (id: number) =>
    waitFor(
      async () => {
        const m = await message(id)
        return m.status === 'failed' && m
      },
      20_000,
      `message ${id} failed`,
    )

  test('131047 from the API: permanent, with a clear message about the 24-hour window', async () => {
    const { contactId } = await customer()
    sim.failNext({
      code: 131047,
      message: 'Re-engagement message',
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    })
    const res = await send(contactId, { message: { type: 'text', text: 'Still there?' } })
    const m = await failedWith(res.body.id)
    assert.equal(m.error.code, '131047')
    assert.match(m.error.title, /more than 24 hours have passed since the customer last wrote/)
    assert.match(m.error.detail, /more than 24 hours/)
  })

  test('131047 in a failed status webhook (the way Cloud API reports it) marks the message failed', async () => {
    const { waId, contactId } = await customer()
    sim.setLastInbound('whatsapp', waId, new Date(server.clock.now().getTime() - 30 * HOUR))
    const res = await send(contactId, { message: { type: 'text', text: 'Hello again' } })
    const m = await failedWith(res.body.id)
    assert.equal(m.error.code, '131047')
    assert.match(m.error.title, /Re-engagement required/)
    // The Meta example of a failed status, replayed later, changes nothing (forward only).
    const body = fixture(DIR, 'status-read.json')
    const { providerId } = {
      providerId: (
        await server.ctx.database.query<{ p: string }>(
          'SELECT provider_message_id AS p FROM messages WHERE workspace_id = $1 AND id = $2',
          [owner.workspaceId, m.id],
        )
      ).rows[0]!.p,
    }
    body.entry[0].changes[0].value.statuses[0].id = providerId
    assert.equal(await sim.postWebhook('whatsapp', body), 200)
    assert.equal((await message(m.id)).status, 'failed')
  })

  test('131026 is permanent; 131056 and 130429 are retried until they pass', async () => {
    const { contactId } = await customer()
    sim.failNext({ code: 131026, message: 'Message Undeliverable' })
    const undeliverable = await failedWith(
      (await send(contactId, { message: { type: 'text', text: 'a' } })).body.id,
    )
    assert.equal(undeliverable.error.code, '131026')
    assert.match(undeliverable.error.title, /undeliverable/i)

    sim.failNext({ code: 131056, message: '(Business Account, Consumer Account) pair rate limit hit' })
    sim.failNext({ code: 130429, status: 429, message: 'Rate limit hit' })
    const retried = await send(contactId, { message: { type: 'text', text: 'b' } })
    const ok = await waitFor(
      async () => {
        const m = await message(retried.body.id)
        return m.status !== 'pending' && m
      },
      30_000,
      'retried send',
    )
    assert.notEqual(ok.status, 'failed', JSON.stringify(ok.error))
  })

  test('100 invalid parameter is permanent', async () => {
    const { contactId } = await customer()
    sim.failNext({ code: 100, message: 'Invalid parameter' })
    const m = await failedWith((await send(contactId, { message: { type: 'text', text: 'x' } })).body.id)
    assert.equal(m.error.code, '100')
  })

  test('free text is refused after 24 h with a clear 422; an approved template still goes out', async () => {
    const { contactId } = await customer()
    server.clock.advance(25 * HOUR)
    try {
      const refused = await send(contactId, { message: { type: 'text', text: 'Are you there?' } })
      assert.equal(refused.status, 422)
      assert.equal(refused.body.error.code, 'window_closed')
      assert.match(
        refused.body.error.message,
        /WhatsApp 24-hour window closed .* ago: send an approved template\./,
      )
      const template = await send(contactId, {
        message: { type: 'template', template: { name: 'hello_world', language: 'en_US' } },
      })
      assert.equal(template.status, 201, template.text)
      const m = await waitFor(
        async () =>
          (await message(template.body.id)).status !== 'pending' && (await message(template.body.id)),
        10_000,
        'template sent',
      )
      assert.notEqual(m.status, 'failed', JSON.stringify(m.error))
    } finally {
      server.clock.advance(-25 * HOUR)
    }
  })

  test('190: the message fails and the channel is marked error until new credentials are saved', async () => {
    const { contactId } = await customer()
    sim.expireToken()
    const m = await failedWith((await send(contactId, { message: { type: 'text', text: 'token?' } })).body.id)
    assert.equal(m.error.code, '190')
    const ch = await owner.client.get(`${ws}/channels/${channel.id}`)
    assert.equal(ch.body.status, 'error')
    assert.match(ch.body.lastError, /access token has expired/)
    const refused = await send(contactId, { message: { type: 'text', text: 'again' } })
    assert.equal(refused.status, 422)
    assert.equal(refused.body.error.code, 'channel_error')
    const fixed = await owner.client.patch(`${ws}/channels/${channel.id}`, {
      secrets: { accessToken: 'EAAG-a-brand-new-token-000' },
    })
    assert.equal(fixed.body.status, 'active')
    assert.equal(fixed.body.lastError, null)
  })
})
