import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { request } from 'undici'
import { apiV2Client, ident } from '../test/api-v2'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildContact, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import * as docs from './fixtures/respondio-v2-docs'

/** Sends go out through a job; on a loaded 2-core machine one took over 10 s to show as sent. */
const DELIVERY_MS = 30_000

/**
 * End to end over real HTTP with undici (an npm client, not our code) against a listening
 * server: a whole integration flow, authentication, workspace isolation, payload limits and the
 * OpenAPI document.
 */
let server: TestServer
let a: Awaited<ReturnType<typeof setupOwner>> & { token: string }
let b: { workspaceId: number; token: string }
let dest: Awaited<ReturnType<typeof startDestination>>

before(async () => {
  server = await startTestServer({ listen: true })
  const owner = await setupOwner(server)
  a = { ...owner, token: (await apiV2Client(server, owner.client, owner.workspaceId)).token }
  const other = await buildWorkspace(server)
  b = {
    workspaceId: other.workspaceId,
    token: (await apiV2Client(server, other.owner.client, other.workspaceId)).token,
  }
  dest = await startDestination()
})
after(async () => {
  await dest.close()
  await server.close()
})

type Call = { status: number; body: any; headers: Record<string, string | string[] | undefined> }

/** One HTTP call with undici; `token: null` sends no Authorization header. */
async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  o: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Call> {
  const token = o.token === undefined ? a.token : o.token
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body))
  const res = await request(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    ...(payload !== undefined ? { body: payload } : {}),
  })
  const text = await res.body.text()
  const json = String(res.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text
  return { status: res.statusCode, body: json, headers: res.headers }
}

function isError(res: Call, status: number, message?: RegExp) {
  assert.equal(res.status, status, JSON.stringify(res.body))
  assert.ok(docs.errorBody.safeParse(res.body).success, JSON.stringify(res.body))
  assert.equal(res.body.code, status)
  if (message) assert.match(res.body.message, message)
}

describe('an integration over HTTP', () => {
  test('a contact writes in, the integration reads, tags, answers, follows delivery and closes', async () => {
    const channel = await connectCustomChannel(a.client, a.workspaceId, dest.url)
    assert.equal(
      (await inbound(server, channel, { from: '+966505550000', text: 'Where is my order?' })).status,
      200,
    )
    const phone = ident('phone:+966505550000')

    const contact = await call('GET', `/v2/contact/${phone}`)
    assert.equal(contact.status, 200)
    assert.ok(docs.contact.safeParse(contact.body).success)
    assert.equal(contact.body.status, 'open')
    const id = contact.body.id as number

    assert.equal(
      (await call('PUT', `/v2/contact/${phone}`, { body: { firstName: 'Khalid' } })).body.contactId,
      id,
    )
    assert.equal((await call('POST', `/v2/contact/id:${id}/tag`, { body: ['order-question'] })).status, 200)
    const sent = await call('POST', `/v2/contact/id:${id}/message`, {
      body: { message: { type: 'text', text: 'It ships today.' } },
    })
    assert.equal(sent.status, 200, JSON.stringify(sent.body))
    const { messageId } = docs.messageSent.parse(sent.body)
    await waitFor(
      async () => dest.received.some((r) => r.body.message.text === 'It ships today.'),
      DELIVERY_MS,
      'delivered',
    )
    const msg = await waitFor(
      async () => {
        const m = await call('GET', `/v2/contact/id:${id}/message/${messageId}`)
        return m.body.status?.some((s: any) => s.value === 'sent') && m.body
      },
      DELIVERY_MS,
      'sent status',
    )
    assert.ok(docs.message.safeParse(msg).success)
    assert.equal(
      (await call('POST', `/v2/contact/id:${id}/comment`, { body: { text: 'Shipped.' } })).status,
      200,
    )
    assert.equal(
      (await call('POST', `/v2/contact/id:${id}/conversation/status`, { body: { status: 'close' } })).body
        .contactId,
      id,
    )
    const list = await call('POST', '/v2/contact/list', {
      body: {
        filter: {
          $and: [{ category: 'contactTag', field: null, operator: 'hasAllOf', value: ['order-question'] }],
        },
      },
    })
    assert.ok(docs.contactList.safeParse(list.body).success)
    assert.deepEqual(
      list.body.items.map((c: any) => [c.id, c.firstName, c.status]),
      [[id, 'Khalid', 'closed']],
    )
  })
})

describe('authentication', () => {
  test('no token, a malformed header, an unknown or revoked token, a session cookie alone: 401 before the body is read', async () => {
    isError(await call('GET', '/v2/space/user', { token: null }), 401, /Authorization: Bearer/)
    isError(
      await call('GET', '/v2/space/user', { token: null, headers: { authorization: 'Basic abc' } }),
      401,
    )
    isError(
      await call('GET', '/v2/space/user', { token: `tws_${a.workspaceId}_notarealtoken` }),
      401,
      /invalid or has been revoked/,
    )
    isError(await call('POST', '/v2/contact/list', { token: null, raw: '{"broken' }), 401)

    const t = await apiV2Client(server, a.client, a.workspaceId)
    assert.equal((await call('GET', '/v2/space/user', { token: t.token })).status, 200)
    assert.equal(
      (await a.client.delete(`/api/v1/workspaces/${a.workspaceId}/api-tokens/${t.tokenId}`)).status,
      200,
    )
    isError(await call('GET', '/v2/space/user', { token: t.token }), 401, /invalid or has been revoked/)

    const cookie = [...a.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    isError(await call('GET', '/v2/space/user', { token: null, headers: { cookie } }), 401)
  })
})

describe('workspace isolation', () => {
  test("another workspace's token sees none of this workspace's contacts, users, channels or templates, and changes nothing", async () => {
    const contact = await buildContact(server, a.workspaceId, {
      firstName: 'Private',
      email: 'private@example.com',
    })
    const channel = await connectCustomChannel(a.client, a.workspaceId, dest.url)
    const asB = { token: b.token }
    isError(await call('GET', `/v2/contact/id:${contact.id}`, asB), 404, /^Contact not found$/)
    isError(await call('GET', `/v2/contact/${ident('email:private@example.com')}`, asB), 404)
    isError(await call('PUT', `/v2/contact/id:${contact.id}`, { ...asB, body: { firstName: 'Hacked' } }), 404)
    isError(await call('DELETE', `/v2/contact/id:${contact.id}`, asB), 404)
    isError(
      await call('POST', `/v2/contact/id:${contact.id}/message`, {
        ...asB,
        body: { message: { type: 'text', text: 'x' } },
      }),
      404,
    )
    isError(await call('POST', `/v2/contact/id:${contact.id}/tag`, { ...asB, body: ['x'] }), 404)
    isError(await call('GET', `/v2/contact/id:${contact.id}/message/list`, asB), 404, /^Contact not found$/)
    isError(
      await call('POST', `/v2/contact/id:${contact.id}/conversation/status`, {
        ...asB,
        body: { status: 'open' },
      }),
      404,
    )
    isError(
      await call('POST', '/v2/contact/merge', { ...asB, body: { contactIds: [contact.id, contact.id + 1] } }),
      404,
    )
    isError(await call('GET', `/v2/space/user/${a.userId}`, asB), 404, /^User not found$/)
    isError(await call('GET', `/v2/space/channel/${channel.id}/template`, asB), 404, /^Channel not found$/)
    // B's own contact, sent through A's channel: refused, nothing sent.
    const own = await buildContact(server, b.workspaceId, { firstName: 'B contact' })
    isError(
      await call('POST', `/v2/contact/id:${own.id}/message`, {
        ...asB,
        body: { channelId: channel.id, message: { type: 'text', text: 'x' } },
      }),
      404,
      /^Channel not found$/,
    )
    const listed = await call('POST', '/v2/contact/list?limit=100', asB)
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.deepEqual(
      listed.body.items.map((c: any) => c.id),
      [own.id],
    )
    assert.deepEqual((await call('GET', '/v2/space/channel', asB)).body.items, [])
    const still = await call('GET', `/v2/contact/id:${contact.id}`)
    assert.equal(still.body.firstName, 'Private')
  })
})

describe('payloads and routes', () => {
  test('oversize, malformed and non-JSON bodies; unknown routes; /api/v1 keeps its own error shape', async () => {
    const count = async () =>
      (await server.ctx.database.query<{ n: number }>('SELECT count(*)::int AS n FROM contacts')).rows[0]!.n
    const before = await count()
    const huge = { firstName: 'Big', custom_fields: [{ name: 'notes', value: 'x'.repeat(1024 * 1024) }] }
    isError(
      await call('POST', `/v2/contact/${ident('email:big@example.com')}`, { body: huge }),
      413,
      /too large/,
    )
    isError(
      await call('POST', `/v2/contact/${ident('email:bad@example.com')}`, { raw: '{"firstName": ' }),
      400,
      /not valid JSON/,
    )
    isError(
      await call('POST', `/v2/contact/${ident('email:txt@example.com')}`, {
        raw: 'firstName=x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    )
    assert.equal(await count(), before)

    isError(await call('GET', '/v2/nothing/here'), 404, /No route for GET \/v2\/nothing\/here/)
    const v1 = await call('GET', '/api/v1/nothing', { token: null })
    assert.deepEqual(v1.body, { error: { code: 'not_found', message: 'No route for GET /api/v1/nothing.' } })
    const v1Invalid = await call('PATCH', `/api/v1/workspaces/${a.workspaceId}`, { body: { name: 42 } })
    assert.equal(v1Invalid.status, 400)
    assert.equal(v1Invalid.body.error.code, 'validation_failed')
    // A DELETE with Content-Type: application/json and no body is "no body" (no 400 for an empty JSON body).
    const c = await buildContact(server, a.workspaceId, { firstName: 'Delete me' })
    const del = await call('DELETE', `/v2/contact/id:${c.id}`, {
      headers: { 'content-type': 'application/json' },
    })
    assert.deepEqual(del.body, { contactId: c.id })
  })
})

describe('OpenAPI document (/api/docs)', () => {
  test('every documented respond.io operation is there, under its own tag, with descriptions and examples', async () => {
    const doc = (await call('GET', '/api/docs/json', { token: null })).body
    for (const [method, path, statuses] of docs.OPERATIONS) {
      const op = doc.paths[`/v2${path}`]?.[method.toLowerCase()]
      assert.ok(op, `${method} /v2${path} documented`)
      assert.deepEqual(op.tags, ['Developer API v2 (respond.io compatible)'])
      assert.ok(op.summary && op.description, `${method} ${path} described`)
      for (const s of [200, 429, ...statuses])
        assert.ok(op.responses[String(s)], `${method} ${path} answers ${s}`)
    }
    const v2Paths = Object.keys(doc.paths).filter((p) => p.startsWith('/v2/'))
    assert.equal(v2Paths.length, new Set(docs.OPERATIONS.map(([, p]) => p)).size)
    const get = doc.paths['/v2/contact/{identifier}'].get
    assert.match(get.description, /developers\.respond\.io/)
    assert.ok(JSON.stringify(get.responses['200']).includes('+966501234567'), 'an example contact')
    const status = doc.paths['/v2/contact/{identifier}/conversation/status'].post
    assert.match(status.description, /does not document .*closing a closed one: we answer 400/)
    assert.ok(doc.paths['/api/v1/workspaces/{workspaceId}/contacts'], '/api/v1 still documented')
  })
})
