import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  startTelegramSimulator,
  type TelegramSimulator,
} from '../../../simulators/telegram/telegram.simulator'
import {
  type ConnectedChannel,
  channelMessages,
  connectChannel,
  sendMessage,
  startListeningServer,
  waitForMessage,
} from '../../test/channels'
import { waitFor } from '../../test/custom-channel'
import { buildUser, setupOwner } from '../../test/factories'
import type { TestServer } from '../../test/harness'
import callbackFixture from './fixtures/callback-query.json'
import editedFixture from './fixtures/edited-message.json'
import errors from './fixtures/errors.json'
import documentFixture from './fixtures/message-document.json'
import textFixture from './fixtures/message-text.json'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: TelegramSimulator
let tg: ConnectedChannel
let secretToken: string

async function post(body: unknown, secret: string | null = secretToken) {
  const res = await fetch(tg.webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return res.status
}
const stored = async (id: string) =>
  (await channelMessages(server, tg.id)).find((m) => m.provider_message_id === id)
const channelRow = async (id: number) =>
  (await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/channels/${id}`)).body

before(async () => {
  server = await startListeningServer()
  owner = await setupOwner(server)
  sim = await startTelegramSimulator()
  tg = await connectChannel(owner.client, owner.workspaceId, {
    type: 'telegram',
    config: { apiBaseUrl: sim.url },
    secrets: { botToken: sim.bot.token },
  })
  const hook = await waitFor(async () => sim.webhookOf(), 15_000, 'setWebhook')
  secretToken = hook.secretToken!
})
after(async () => {
  await server.close()
  await sim.close()
})

describe('setup', () => {
  test('connecting checks the token (getMe) and registers the webhook with a generated secret_token and allowed_updates', async () => {
    const hook = sim.webhookOf()!
    assert.equal(hook.url, tg.webhookUrl)
    assert.match(hook.secretToken!, /^[A-Za-z0-9_-]{32,}$/)
    assert.deepEqual(hook.allowedUpdates, ['message', 'edited_message', 'callback_query'])
    assert.ok(sim.received.some((c) => c.method === 'getMe'))
    const row = await waitFor(async () => {
      const c = await channelRow(tg.id)
      return c.status === 'active' ? c : undefined
    })
    assert.equal(row.lastError, null)
  })

  test('POST …/setup registers again; a wrong token marks the channel in error with the reason', async () => {
    const calls = sim.received.filter((c) => c.method === 'setWebhook').length
    const res = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/channels/${tg.id}/setup`)
    assert.equal(res.status, 202)
    await waitFor(async () => sim.received.filter((c) => c.method === 'setWebhook').length > calls)

    const bad = await connectChannel(owner.client, owner.workspaceId, {
      type: 'telegram',
      config: { apiBaseUrl: sim.url },
      secrets: { botToken: `123456:${'x'.repeat(35)}` },
    })
    const row = await waitFor(async () => {
      const c = await channelRow(bad.id)
      return c.status === 'error' ? c : undefined
    })
    assert.match(row.lastError, /rejected the bot token/)
  })

  test('setup needs the channel-settings permission; an unknown channel is 404', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const res = await agent.client.post(`/api/v1/workspaces/${owner.workspaceId}/channels/${tg.id}/setup`)
    assert.equal(res.status, 403)
    const missing = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/channels/999999/setup`)
    assert.equal(missing.status, 404)
  })
})

describe('webhook security and parsing', () => {
  test('the published sample update is stored; its redelivery is not stored twice', async () => {
    assert.equal(await post(textFixture), 200)
    assert.equal(await post(textFixture), 200)
    const rows = (await channelMessages(server, tg.id)).filter(
      (m) => m.provider_message_id === '1111111:1365',
    )
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.text, '/start')
  })

  test('a missing or wrong X-Telegram-Bot-Api-Secret-Token is 401 and stores nothing', async () => {
    const before = (await channelMessages(server, tg.id)).length
    const update = { ...textFixture, update_id: 20000, message: { ...textFixture.message, message_id: 9001 } }
    assert.equal(await post(update, null), 401)
    assert.equal(await post(update, 'not-the-secret'), 401)
    assert.equal((await channelMessages(server, tg.id)).length, before)
  })

  test('malformed updates are 400 and store nothing', async () => {
    const before = (await channelMessages(server, tg.id)).length
    assert.equal(await post('{"update_id": 1, "message": '), 400)
    assert.equal(await post({ message: textFixture.message }), 400, 'no update_id')
    assert.equal(await post({ update_id: 3, message: { text: 'no chat' } }), 400)
    assert.equal((await channelMessages(server, tg.id)).length, before)
  })

  test('edited messages are kept as a new message pointing at the original (documented sample)', async () => {
    assert.equal(await post(editedFixture), 200)
    const edit = await stored('1111111:1365:edit:1441646600')
    assert.equal(edit?.text, 'Edited text')
    assert.equal(edit?.content.editOf, '1111111:1365')
    assert.equal((await stored('1111111:1365'))?.text, '/start', 'the original stays')
  })

  test('documents, locations, contacts and the largest photo size', async () => {
    assert.equal(await post(documentFixture), 200)
    const doc = await stored('1111111:1366')
    assert.equal(doc?.type, 'file')
    assert.equal(doc?.content.media.fileName, 'Testfile.pdf')
    assert.equal(doc?.content.media.mimeType, 'application/pdf')

    const u = sim.addUser({ first_name: 'Omar', last_name: 'Saleh', language_code: 'ar' })
    const loc = await sim.sendLocation(u, 21.4225, 39.8262)
    const contact = await sim.sendContact(u, '+966500000001', 'Omar')
    assert.equal(loc.delivery?.status, 200)
    assert.equal(contact.delivery?.status, 200)
    const rows = (await channelMessages(server, tg.id)).filter((m) =>
      m.provider_message_id?.startsWith(`${u.id}:`),
    )
    assert.deepEqual(
      rows.map((r) => r.type),
      ['location', 'contacts'],
    )
    assert.equal(rows[0]!.content.location.latitude, 21.4225)
    assert.equal(rows[1]!.content.contacts[0].phone, '+966500000001')

    const big = Buffer.from('the-1280x960-jpeg-bytes')
    const photo = await sim.sendPhoto(u, big, 'receipt')
    const msg = photo.update.message as { message_id: number }
    const row = (await stored(`${u.id}:${msg.message_id}`))!
    assert.equal(row.type, 'image')
    assert.equal(row.text, 'receipt')
    assert.equal(row.content.media.width, 1280)
    const done = await waitForMessage(
      server,
      row.id,
      (m) => Boolean(m.content.media?.fileId),
      'photo download',
    )
    const file = await server.ctx.database.query<{ storage_key: string }>(
      'SELECT storage_key FROM files WHERE id = $1',
      [done.content.media.fileId],
    )
    assert.deepEqual(await server.ctx.storage.read(file.rows[0]!.storage_key), big)
    assert.ok(sim.received.some((c) => c.method === 'getFile'))
  })

  test('the published callback_query sample becomes an interactive reply', async () => {
    assert.equal(await post(callbackFixture), 200)
    const m = await stored('cb:4382bfdwdsb323b2d9')
    assert.equal(m?.type, 'interactive')
    assert.equal(m?.content.interactive.id, 'Data from button callback')
  })
})

describe('outbound', () => {
  let user: ReturnType<TelegramSimulator['addUser']>
  let contactId: number
  before(async () => {
    user = sim.addUser({ first_name: 'Noura' })
    const { update } = await sim.sendText(user, 'Hi')
    const msg = update.message as { message_id: number }
    contactId = (await stored(`${user.id}:${msg.message_id}`))!.contact_id
  })
  const lastCall = (method: string) => sim.received.filter((c) => c.method === method).at(-1)!

  test('text, photo, document and location go to their Bot API methods', async () => {
    const cases: [Record<string, unknown>, string, (p: Record<string, unknown>) => void][] = [
      [{ type: 'text', text: 'أهلاً' }, 'sendMessage', (p) => assert.equal(p.text, 'أهلاً')],
      [
        { type: 'image', url: 'https://example.com/a.jpg', caption: 'cap' },
        'sendPhoto',
        (p) => assert.deepEqual([p.photo, p.caption], ['https://example.com/a.jpg', 'cap']),
      ],
      [
        { type: 'file', url: 'https://example.com/a.pdf' },
        'sendDocument',
        (p) => assert.equal(p.document, 'https://example.com/a.pdf'),
      ],
      [
        { type: 'location', latitude: 24.7, longitude: 46.6 },
        'sendLocation',
        (p) => assert.deepEqual([p.latitude, p.longitude], [24.7, 46.6]),
      ],
    ]
    for (const [message, method, check] of cases) {
      const res = await sendMessage(owner.client, owner.workspaceId, contactId, message)
      assert.equal(res.status, 201, JSON.stringify(res.body))
      const m = await waitForMessage(server, res.body.id, (x) => x.status !== 'pending')
      assert.equal(m.status, 'sent', JSON.stringify(m.error))
      assert.match(m.provider_message_id!, new RegExp(`^${user.id}:\\d+$`))
      const call = lastCall(method)
      assert.equal(String(call.params.chat_id), String(user.id))
      check(call.params)
    }
  })

  test('buttons become an inline keyboard; a press comes back as an interactive reply and is answered', async () => {
    const res = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'interactive',
      interactive: {
        kind: 'buttons',
        body: 'Was this helpful?',
        buttons: [
          { id: 'yes', title: 'Yes' },
          { id: 'no', title: 'No' },
        ],
      },
    })
    const m = await waitForMessage(server, res.body.id, (x) => x.status === 'sent')
    assert.deepEqual(lastCall('sendMessage').params.reply_markup, {
      inline_keyboard: [
        [
          { text: 'Yes', callback_data: 'yes' },
          { text: 'No', callback_data: 'no' },
        ],
      ],
    })
    const botMessageId = Number(m.provider_message_id!.split(':')[1])
    const press = await sim.pressButton(user, botMessageId, 'no')
    assert.equal(press.delivery?.status, 200)
    const q = press.update.callback_query as { id: string }
    const reply = (await stored(`cb:${q.id}`))!
    assert.equal(reply.type, 'interactive')
    assert.equal(reply.text, 'No')
    assert.deepEqual(reply.content.interactive, { kind: 'button_reply', id: 'no', title: 'No' })
    await waitFor(async () =>
      sim.received.some((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === q.id),
    )
  })

  test('error answers: 429 retry_after is retried, 400 is permanent, 403 blocked is permanent', async () => {
    sim.failNext(errors.flood.error_code, errors.flood.description, errors.flood.parameters.retry_after)
    const r1 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'after flood',
    })
    assert.equal((await waitForMessage(server, r1.body.id, (x) => x.status !== 'pending')).status, 'sent')

    sim.failNext(errors.badRequest.error_code, errors.badRequest.description)
    const r2 = await sendMessage(owner.client, owner.workspaceId, contactId, { type: 'text', text: 'bad' })
    const f2 = await waitForMessage(server, r2.body.id, (x) => x.status === 'failed')
    assert.equal(f2.error.code, '400')
    assert.match(f2.error.title, /chat not found/)

    sim.block(user.id)
    const r3 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'blocked?',
    })
    const f3 = await waitForMessage(server, r3.body.id, (x) => x.status === 'failed')
    assert.equal(f3.error.code, 'blocked')
    assert.equal(f3.error.detail, errors.blocked.description)
  })
})
