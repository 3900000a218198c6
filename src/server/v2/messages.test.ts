import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiV2Client, assertError, assertShape, ident } from '../test/api-v2'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildContact, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { connectMetaChannel, startMetaFor } from '../test/meta'
import * as docs from './fixtures/respondio-v2-docs'

/** Sends go out through a job; on a loaded 2-core machine one took over 10 s to show as sent. */
const DELIVERY_MS = 30_000

/** Contract tests: sending and reading messages (developers.respond.io sendmessage, listmessages, getmessage). */
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let api: TestClient
let dest: Awaited<ReturnType<typeof startDestination>>
let custom: Awaited<ReturnType<typeof connectCustomChannel>>
let sim: Awaited<ReturnType<typeof startMetaFor>>
let whatsapp: Awaited<ReturnType<typeof connectMetaChannel>>
let seq = 0
const HOUR = 3600_000

before(async () => {
  server = await startTestServer({ listen: true })
  owner = await setupOwner(server)
  api = (await apiV2Client(server, owner.client, owner.workspaceId)).client
  dest = await startDestination()
  custom = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
  sim = await startMetaFor(server)
  whatsapp = await connectMetaChannel(owner.client, server, owner.workspaceId, sim, 'whatsapp_cloud')
})
after(async () => {
  await sim.close()
  await dest.close()
  await server.close()
})

const ws = () => `/api/v1/workspaces/${owner.workspaceId}`
const messageCount = async () =>
  (
    await server.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1',
      [owner.workspaceId],
    )
  ).rows[0]!.n

/** A contact who wrote on the custom channel (so it is their last interacted channel). */
async function customContact() {
  const phone = `+9665${String(10_000_000 + ++seq)}`
  assert.equal((await inbound(server, custom, { from: phone, text: 'Hello' })).status, 200)
  const res = await api.get(`/v2/contact/${ident(`phone:${phone}`)}`)
  return { id: res.body.id as number, phone }
}

/** A contact who wrote on WhatsApp through the simulator. */
async function whatsappContact() {
  const waId = `9665${String(20_000_000 + ++seq)}`
  assert.equal((await sim.sendInbound({ from: waId, name: 'Layla', text: 'Hi' })).status, 200)
  const id = await waitFor(
    async () => (await api.get(`/v2/contact/${ident(`phone:+${waId}`)}`)).body.id,
    DELIVERY_MS,
    'contact',
  )
  return { id: id as number, waId }
}

describe('send (developers.respond.io sendmessage)', () => {
  test('text on a given channel and on the last interacted channel; the destination receives it', async () => {
    const c = await customContact()
    const res = await api.post(`/v2/contact/id:${c.id}/message`, {
      channelId: custom.id,
      message: { type: 'text', text: 'There has been an update in your account...' },
    })
    const { messageId } = assertShape(docs.messageSent, res)
    const last = assertShape(
      docs.messageSent,
      await api.post(`/v2/contact/${ident(`phone:${c.phone}`)}/message`, {
        channelId: null,
        message: { type: 'text', text: 'Second' },
      }),
    )
    // Two send jobs: neither waits for the other, so wait for both.
    await waitFor(
      async () =>
        dest.received.some((r) => r.body.message.text === 'Second') &&
        dest.received.some((r) => r.body.message.text === 'There has been an update in your account...'),
      DELIVERY_MS,
      'delivered',
    )
    const got = dest.received.find(
      (r) => r.body.message.text === 'There has been an update in your account...',
    )
    assert.deepEqual(got?.body, {
      channelId: String(custom.id),
      contactId: c.phone,
      message: { type: 'text', text: 'There has been an update in your account...' },
    })
    assert.ok(last.messageId > messageId)
  })

  test('get a message with its delivery statuses, sender and content', async () => {
    const c = await customContact()
    const { messageId } = (
      await api.post(`/v2/contact/id:${c.id}/message`, { message: { type: 'text', text: 'Track me' } })
    ).body
    const sent = await waitFor(
      async () => {
        const m = (await api.get(`/v2/contact/id:${c.id}/message/${messageId}`)).body
        return m.status?.some((s: any) => s.value === 'sent') && m
      },
      DELIVERY_MS,
      'sent',
    )
    const m = docs.message.parse(sent)
    assert.deepEqual(
      { ...m, status: m.status!.map((s) => s.value), channelMessageId: typeof m.channelMessageId },
      {
        messageId,
        channelMessageId: 'string',
        contactId: c.id,
        channelId: custom.id,
        traffic: 'outgoing',
        message: { type: 'text', text: 'Track me' },
        status: ['pending', 'sent'],
        sender: { source: 'api' },
      },
    )
    // The contact's own message: incoming, no statuses.
    const { rows } = await server.ctx.database.query<{ id: number }>(
      "SELECT id FROM messages WHERE workspace_id = $1 AND contact_id = $2 AND direction = 'in'",
      [owner.workspaceId, c.id],
    )
    const incoming = assertShape(docs.message, await api.get(`/v2/contact/id:${c.id}/message/${rows[0]!.id}`))
    assert.equal(incoming.traffic, 'incoming')
    assert.equal(incoming.status, undefined)
    assert.deepEqual(incoming.message, { type: 'text', text: 'Hello' })

    const other = await customContact()
    assertError(await api.get(`/v2/contact/id:${other.id}/message/${messageId}`), 404, /^Message not found$/)
    assertError(await api.get(`/v2/contact/id:${c.id}/message/999999999`), 404, /^Message not found$/)
    assertError(await api.get(`/v2/contact/id:${c.id}/message/abc`), 400, /messageId/)
  })

  test('list a contact’s messages, newest first, paging by cursorId both ways (listmessages)', async () => {
    const c = await customContact()
    const sent: number[] = []
    for (const text of ['One', 'Two', 'Three']) {
      sent.push(
        assertShape(
          docs.messageSent,
          await api.post(`/v2/contact/id:${c.id}/message`, { message: { type: 'text', text } }),
        ).messageId,
      )
    }
    const { rows } = await server.ctx.database.query<{ id: number }>(
      "SELECT id FROM messages WHERE workspace_id = $1 AND contact_id = $2 AND direction = 'in'",
      [owner.workspaceId, c.id],
    )
    const incomingId = rows[0]!.id
    const pathOf = (url: string) => {
      const u = new URL(url)
      return u.pathname + u.search
    }

    const first = assertShape(
      docs.messageList,
      await api.get(`/v2/contact/${ident(`phone:${c.phone}`)}/message/list?limit=3`),
    )
    assert.deepEqual(
      first.items.map((m) => m.messageId),
      [...sent].reverse(),
    )
    assert.deepEqual(
      first.items.map((m) => [m.traffic, m.contactId, m.channelId, m.message]),
      ['Three', 'Two', 'One'].map((text) => ['outgoing', c.id, custom.id, { type: 'text', text }]),
    )
    assert.equal(first.pagination.previous, '')
    assert.equal(
      pathOf(first.pagination.next),
      `/v2/contact/id:${c.id}/message/list?limit=3&cursorId=${sent[0]}`,
    )

    const second = assertShape(docs.messageList, await api.get(pathOf(first.pagination.next)))
    assert.deepEqual(
      second.items.map((m) => [m.messageId, m.traffic, m.message]),
      [[incomingId, 'incoming', { type: 'text', text: 'Hello' }]],
    )
    assert.equal(second.pagination.next, '')
    assert.equal(
      pathOf(second.pagination.previous),
      `/v2/contact/id:${c.id}/message/list?limit=3&cursorId=-${incomingId}`,
    )

    const back = assertShape(docs.messageList, await api.get(pathOf(second.pagination.previous)))
    assert.deepEqual(
      back.items.map((m) => m.messageId),
      [...sent].reverse(),
    )
    assert.equal(back.pagination.previous, '')
    assert.equal(pathOf(back.pagination.next), pathOf(first.pagination.next))

    // Default page size 10 (all four); respond.io's maximum is 50.
    assert.equal(
      assertShape(docs.messageList, await api.get(`/v2/contact/id:${c.id}/message/list`)).items.length,
      4,
    )
    assert.equal(
      (await api.get(`/v2/contact/id:${c.id}/message/list?limit=${docs.MESSAGE_LIST_MAX_LIMIT}`)).status,
      200,
    )
    assertError(
      await api.get(`/v2/contact/id:${c.id}/message/list?limit=${docs.MESSAGE_LIST_MAX_LIMIT + 1}`),
      400,
      /limit/,
    )
    assertError(await api.get(`/v2/contact/id:${c.id}/message/list?cursorId=abc`), 400, /cursorId/)
    assertError(await api.get('/v2/contact/id:999999999/message/list'), 404, /^Contact not found$/)
    // Another contact's messages are not in this list.
    const other = await customContact()
    assert.deepEqual(
      assertShape(docs.messageList, await api.get(`/v2/contact/id:${other.id}/message/list`)).items.map(
        (m) => m.contactId,
      ),
      [other.id],
    )
  })

  test('attachment by URL', async () => {
    const c = await customContact()
    const res = await api.post(`/v2/contact/id:${c.id}/message`, {
      message: { type: 'attachment', attachment: { type: 'image', url: 'https://cdn.example/cat.png' } },
    })
    const { messageId } = assertShape(docs.messageSent, res)
    const got = await waitFor(
      async () =>
        dest.received.find((r) => r.body.contactId === c.phone && r.body.message.type === 'attachment'),
      DELIVERY_MS,
      'attachment',
    )
    assert.deepEqual(got.body.message.attachment, { type: 'image', url: 'https://cdn.example/cat.png' })
    const m = assertShape(docs.message, await api.get(`/v2/contact/id:${c.id}/message/${messageId}`))
    assert.deepEqual(m.message, {
      type: 'attachment',
      attachment: { type: 'image', url: 'https://cdn.example/cat.png' },
    })
  })

  test('refusals are precise 400s and send nothing', async () => {
    const c = await customContact()
    const noChannel = await buildContact(server, owner.workspaceId, { firstName: 'Nowhere' })
    const before = await messageCount()
    const send = (id: number, body: unknown) => api.post(`/v2/contact/id:${id}/message`, body)
    const text = { type: 'text', text: 'Hi' }
    assertError(await send(noChannel.id, { message: text }), 400, /no channel to reply on yet/)
    assertError(
      await send(c.id, { channelId: whatsapp.id, message: text }),
      400,
      /no identity on the channel/,
    )
    assertError(await send(c.id, { channelId: 999999, message: text }), 404, /^Channel not found$/)
    assertError(
      await send(c.id, { message: { type: 'custom_payload', payload: { a: 1 } } }),
      400,
      /custom_payload is not supported/,
    )
    assertError(
      await send(c.id, { message: { type: 'email', text: 'Hi', subject: 'S' } }),
      400,
      /cannot send email messages/,
    )
    assertError(
      await send(c.id, { message: { type: 'email', text: 'Hi', cc: ['a@b.c'] } }),
      400,
      /Email cc are not supported/,
    )
    assertError(
      await send(c.id, { message: { type: 'quick_reply', title: 'Pick', replies: ['a', 'b', 'c', 'd'] } }),
      400,
      /message\.interactive\.buttons/,
    )
    assertError(
      await send(c.id, { message: { type: 'quick_reply', title: 'Pick', replies: ['a', 'b'] } }),
      400,
      /cannot send interactive messages/,
    )
    assertError(await send(c.id, { message: { type: 'text', text: '' } }), 400, /Text is required/)
    assertError(
      await send(c.id, { message: { type: 'sms', text: 'x' } }),
      400,
      /Validation error: body\.message/,
    )
    assertError(await send(999999, { message: text }), 404, /^Contact not found$/)
    assert.equal(await messageCount(), before)
  })

  test('Idempotency-Key: a retried request returns the first message and sends once', async () => {
    const c = await customContact()
    const body = { message: { type: 'text', text: 'Only once' } }
    const key = { 'idempotency-key': `order-${c.id}-confirmation` }
    const a = await api.post(`/v2/contact/id:${c.id}/message`, body, key)
    const b = await api.post(`/v2/contact/id:${c.id}/message`, body, key)
    assert.equal(assertShape(docs.messageSent, b).messageId, assertShape(docs.messageSent, a).messageId)
    await waitFor(
      async () => dest.received.some((r) => r.body.message.text === 'Only once'),
      DELIVERY_MS,
      'sent',
    )
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(dest.received.filter((r) => r.body.message.text === 'Only once').length, 1)
  })
})

describe('WhatsApp: templates and the 24-hour window', () => {
  test('whatsapp_template with header, body and button parameters; missing variables are a 400', async () => {
    assert.equal((await owner.client.post(`${ws()}/channels/${whatsapp.id}/templates/sync`)).status, 202)
    await waitFor(
      async () =>
        (await owner.client.get(`${ws()}/channels/${whatsapp.id}/templates`)).body.length ===
        sim.templates.length,
      15_000,
      'templates synced',
    )
    const c = await whatsappContact()
    const template = (components: unknown[]) => ({
      channelId: whatsapp.id,
      message: {
        type: 'whatsapp_template',
        template: { name: 'order_update', languageCode: 'en', components },
      },
    })
    const before = await messageCount()
    assertError(
      await api.post(
        `/v2/contact/id:${c.id}/message`,
        template([{ type: 'body', parameters: [{ type: 'text', text: 'Layla' }] }]),
      ),
      400,
      /Template variables missing: .*\{\{2\}\}/,
    )
    assertError(
      await api.post(`/v2/contact/id:${c.id}/message`, {
        channelId: whatsapp.id,
        message: { type: 'whatsapp_template', template: { name: 'nope', languageCode: 'en' } },
      }),
      404,
      /Template "nope" \(en\) on this channel not found/,
    )
    assert.equal(await messageCount(), before)

    const res = await api.post(
      `/v2/contact/id:${c.id}/message`,
      template([
        { type: 'header', parameters: [{ type: 'text', text: '#1001' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Layla' },
            { type: 'text', text: 'on its way' },
          ],
        },
        {
          type: 'buttons',
          buttons: [
            { type: 'quick_reply', parameters: [{ type: 'payload', payload: 'thanks' }] },
            { type: 'url', parameters: [{ type: 'text', text: '1001' }] },
          ],
        },
      ]),
    )
    const { messageId } = assertShape(docs.messageSent, res)
    const item = await waitFor(
      async () => sim.thread(c.waId).find((t) => (t.payload as any)?.type === 'template'),
      DELIVERY_MS,
      'template at the simulator',
    )
    const sent = item.payload as any
    assert.equal(sent.template.name, 'order_update')
    assert.deepEqual(sent.template.components, [
      { type: 'header', parameters: [{ type: 'text', text: '#1001' }] },
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Layla' },
          { type: 'text', text: 'on its way' },
        ],
      },
      {
        type: 'button',
        sub_type: 'quick_reply',
        index: '0',
        parameters: [{ type: 'payload', payload: 'thanks' }],
      },
      { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: '1001' }] },
    ])
    const m = assertShape(docs.message, await api.get(`/v2/contact/id:${c.id}/message/${messageId}`))
    assert.equal(m.message.type, 'whatsapp_template')
    assert.equal((m.message as any).template.name, 'order_update')
    assert.equal((m.message as any).template.languageCode, 'en')
  })

  test('after 24 hours free text is refused (400) and an approved template still goes out', async () => {
    const c = await whatsappContact()
    server.clock.advance(25 * HOUR)
    try {
      assertError(
        await api.post(`/v2/contact/id:${c.id}/message`, { message: { type: 'text', text: 'Late' } }),
        400,
        /WhatsApp 24-hour window closed/,
      )
      const res = await api.post(`/v2/contact/id:${c.id}/message`, {
        message: { type: 'whatsapp_template', template: { name: 'hello_world', languageCode: 'en_US' } },
      })
      assertShape(docs.messageSent, res)
    } finally {
      server.clock.advance(-25 * HOUR)
    }
  })
})
