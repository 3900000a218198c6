import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import { LIMITS } from './webchat.routes'
import { identityHash } from './webchat.token'

const SITE = 'https://shop.example'
const widgetDir = mkdtempSync(path.join(tmpdir(), 'tawasul-widget-'))
writeFileSync(path.join(widgetDir, 'widget.js'), 'console.log("مرحبا")\n')

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string
let chat: { id: number; key: string; identitySecret: string }
let seq = 0
const visitorId = () => `visitor${process.pid}x${++seq}xxxxxxxx`

async function connect(config: Record<string, unknown>) {
  const res = await owner.client.post(`${ws}/channels`, { type: 'webchat', name: 'Website', config })
  assert.equal(res.status, 201, res.text)
  const key = /data-channel="([^"]+)"/.exec(res.body.embedCode)![1]!
  return { id: res.body.id as number, key, identitySecret: res.body.credentials.identitySecret as string }
}

before(async () => {
  server = await startTestServer({ listen: true, config: { widgetDistDir: widgetDir } })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  chat = await connect({ allowedOrigins: [SITE], title: 'Help', preChat: { enabled: false } })
})
after(async () => {
  await server?.close()
})

type Opts = { origin?: string | null; token?: string; body?: unknown; ip?: string }
async function call(method: 'GET' | 'POST' | 'OPTIONS', url: string, o: Opts = {}) {
  const headers: Record<string, string> = {}
  if (o.origin !== null) headers.origin = o.origin ?? SITE
  if (o.token) headers.authorization = `Bearer ${o.token}`
  if (o.body !== undefined) headers['content-type'] = 'application/json'
  const res = await server.app.inject({
    method,
    url,
    headers,
    ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
    ...(o.ip ? { remoteAddress: o.ip } : {}),
  })
  return {
    status: res.statusCode,
    headers: res.headers,
    body: res.body ? JSON.parse(res.body || 'null') : null,
  }
}
const api = (key = chat.key) => `/widget/v1/${key}`
async function session(o: { visitor?: string; user?: Record<string, string> } = {}) {
  const res = await call('POST', `${api()}/session`, {
    body: { visitorId: o.visitor ?? visitorId(), ...(o.user ? { user: o.user } : {}) },
  })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body as { token: string; verified: boolean }
}

describe('origin checks and CORS (every visitor endpoint)', () => {
  test('an allowed origin gets the config with CORS headers for that origin only', async () => {
    const res = await call('GET', `${api()}/config`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['access-control-allow-origin'], SITE)
    assert.equal(res.body.title, 'Help')
    assert.equal(res.body.position, 'end')
  })

  test('a disallowed or missing origin is refused with 403 and no CORS header', async () => {
    for (const origin of ['https://evil.example', 'http://shop.example', null]) {
      for (const [method, url] of [
        ['GET', `${api()}/config`],
        ['POST', `${api()}/session`],
        ['GET', `${api()}/messages`],
        ['GET', `${api()}/stream?token=x`],
        ['OPTIONS', `${api()}/messages`],
      ] as const) {
        const res = await call(method, url, {
          origin,
          body: method === 'POST' ? { visitorId: visitorId() } : undefined,
        })
        assert.equal(res.status, 403, `${method} ${url} from ${origin}`)
        assert.equal(res.headers['access-control-allow-origin'], undefined)
      }
    }
  })

  test('the preflight answers the allowed origin, methods and headers', async () => {
    const res = await call('OPTIONS', `${api()}/messages`)
    assert.equal(res.status, 204)
    assert.equal(res.headers['access-control-allow-origin'], SITE)
    assert.match(String(res.headers['access-control-allow-headers']), /authorization/)
  })

  test('an unknown or wrong widget key is not found', async () => {
    const [w, c] = chat.key.split('.')
    for (const key of [
      `${w}.${c}.AAAAAAAAAAAAAAAAAAAAAAAA`,
      `${w}.999.${chat.key.split('.')[2]}`,
      'nonsense',
    ]) {
      assert.equal((await call('GET', `${api(key)}/config`)).status, 404)
    }
  })

  test('widget.js is served as UTF-8 JavaScript (STACK.md gotcha 21)', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/widget.js' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-type'], 'application/javascript; charset=utf-8')
    assert.match(res.body, /مرحبا/)
  })
})

describe('visitors', () => {
  test('an anonymous visitor writes: contact and conversation are created through ingest; history and retries are idempotent', async () => {
    const s = await session()
    assert.equal(s.verified, false)
    const body = {
      clientId: 'c1aaaaaaaa',
      text: 'مرحبا، هل الطلب متوفر؟',
      name: 'سارة',
      email: 'sara@mail.example',
    }
    const first = await call('POST', `${api()}/messages`, { token: s.token, body })
    assert.equal(first.status, 201, JSON.stringify(first.body))
    assert.equal(first.headers['access-control-allow-origin'], SITE)
    const again = await call('POST', `${api()}/messages`, { token: s.token, body })
    assert.equal(again.status, 201)
    assert.equal(again.body.id, first.body.id, 'a retried POST is stored once')
    const { rows } = await server.ctx.database.query<{ id: number; first_name: string; email: string }>(
      'SELECT id, first_name, email FROM contacts WHERE workspace_id = $1 AND email = $2',
      [owner.workspaceId, 'sara@mail.example'],
    )
    assert.equal(rows.length, 1)
    assert.equal(rows[0]!.first_name, 'سارة')
    const conv = await owner.client.get(`${ws}/contacts/${rows[0]!.id}/conversation`)
    assert.equal(conv.body.conversation.openedSource, 'contact')
    const history = await call('GET', `${api()}/messages`, { token: s.token })
    assert.deepEqual(
      history.body.messages.map((m: any) => [m.from, m.text]),
      [['visitor', 'مرحبا، هل الطلب متوفر؟']],
    )
  })

  test("a token is the visitor's alone: missing, forged, expired or another channel's tokens are refused", async () => {
    const s = await session()
    assert.equal((await call('GET', `${api()}/messages`)).status, 401)
    const [body, mac] = s.token.split('.')
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), i: 'v_someoneelse' })).toString('base64url')}.${mac}`
    assert.equal((await call('GET', `${api()}/messages`, { token: forged })).status, 401)
    const other = await connect({ allowedOrigins: [SITE] })
    assert.equal((await call('GET', `${api(other.key)}/messages`, { token: s.token })).status, 401)
    server.clock.advance(3601_000)
    try {
      assert.equal((await call('GET', `${api()}/messages`, { token: s.token })).status, 401)
    } finally {
      server.clock.advance(-3601_000)
    }
  })

  test('identity verification: a user signed with the identity secret chats as that user; a bad signature is refused', async () => {
    const user = { id: 'cust-42', email: 'khalid@shop.example', name: 'خالد' }
    const good = await session({ user: { ...user, hash: identityHash(chat.identitySecret, user) } })
    assert.equal(good.verified, true)
    const sent = await call('POST', `${api()}/messages`, {
      token: good.token,
      body: { clientId: 'u1aaaaaaaa', text: 'hello', email: 'attacker@evil.example' },
    })
    assert.equal(sent.status, 201)
    const { rows } = await server.ctx.database.query<{ identifier: string; email: string }>(
      `SELECT cc.identifier, c.email FROM contact_channels cc JOIN contacts c ON c.workspace_id = cc.workspace_id AND c.id = cc.contact_id
       WHERE cc.workspace_id = $1 AND cc.channel_id = $2 AND cc.identifier = 'u_cust-42'`,
      [owner.workspaceId, chat.id],
    )
    assert.deepEqual(
      rows,
      [{ identifier: 'u_cust-42', email: 'khalid@shop.example' }],
      'the signed email wins',
    )
    // Another device of the same user sees the same history.
    const other = await session({ user: { ...user, hash: identityHash(chat.identitySecret, user) } })
    const h = await call('GET', `${api()}/messages`, { token: other.token })
    assert.deepEqual(
      h.body.messages.map((m: any) => m.text),
      ['hello'],
    )
    for (const hash of [
      identityHash('x'.repeat(43), user),
      identityHash(chat.identitySecret, { ...user, email: 'other@shop.example' }),
    ]) {
      const bad = await call('POST', `${api()}/session`, {
        body: { visitorId: visitorId(), user: { ...user, hash } },
      })
      assert.equal(bad.status, 401)
    }
  })

  test('a required pre-chat email is enforced', async () => {
    const strict = await connect({ allowedOrigins: [SITE], preChat: { enabled: true, requireEmail: true } })
    const res0 = await call('POST', `${api(strict.key)}/session`, { body: { visitorId: visitorId() } })
    const res = await call('POST', `${api(strict.key)}/messages`, {
      token: res0.body.token,
      body: { clientId: 'p1aaaaaaaa', text: 'hi' },
    })
    assert.equal(res.status, 400)
    assert.equal(res.body.error.fields[0].path, 'email')
  })

  test('an agent reply is delivered to the open stream (NOTIFY), and the widget acknowledges it read', async () => {
    const s = await session()
    const sent = await call('POST', `${api()}/messages`, {
      token: s.token,
      body: { clientId: 's1aaaaaaaa', text: 'ping' },
    })
    const contactId = sent.body && (await owner.client.get(`${ws}/messages/${sent.body.id}`)).body.contactId
    const controller = new AbortController()
    const res = await fetch(`${server.url}${api()}/stream?token=${encodeURIComponent(s.token)}`, {
      headers: { origin: SITE },
      signal: controller.signal,
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    assert.equal(res.headers.get('access-control-allow-origin'), SITE)
    const reader = res.body!.getReader()
    let received = ''
    const readUntil = async (needle: string) => {
      while (!received.includes(needle)) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        received += new TextDecoder().decode(value)
      }
    }
    await readUntil(': connected')
    const reply = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'أهلًا! كيف أساعدك؟' },
    })
    assert.equal(reply.status, 201, reply.text)
    await readUntil('أهلًا! كيف أساعدك؟')
    const event = JSON.parse(/event: message\ndata: (.*)\n/.exec(received)![1]!)
    assert.equal(event.id, reply.body.id)
    assert.equal(event.from, 'agent')
    controller.abort()
    await waitFor(
      async () => (await owner.client.get(`${ws}/messages/${reply.body.id}`)).body.status === 'sent',
    )
    const ack = await call('POST', `${api()}/ack`, {
      token: s.token,
      body: { messageIds: [reply.body.id, sent.body.id], status: 'read' },
    })
    assert.equal(ack.status, 200)
    assert.equal(ack.body.acknowledged, 1, "only the agent's message is acknowledged")
    const read = await owner.client.get(`${ws}/messages/${reply.body.id}`)
    assert.equal(read.body.status, 'read')
    // A visitor cannot acknowledge someone else's messages.
    const stranger = await session()
    const none = await call('POST', `${api()}/ack`, {
      token: stranger.token,
      body: { messageIds: [reply.body.id], status: 'read' },
    })
    assert.equal(none.body.acknowledged, 0)
  })
})

describe('rate limits (429)', () => {
  test('per visitor: sending messages', async () => {
    const s = await session()
    let status = 0
    for (let i = 0; i <= LIMITS.messagesPerVisitorPerMinute; i++) {
      const r = await call('POST', `${api()}/messages`, {
        token: s.token,
        body: { clientId: `rl${i}aaaaaaaa`, text: `m${i}` },
      })
      status = r.status
      if (i < LIMITS.messagesPerVisitorPerMinute) assert.equal(r.status, 201)
      else assert.ok(Number(r.headers['retry-after']) > 0)
    }
    assert.equal(status, 429)
    // Another visitor is not affected.
    const other = await session()
    assert.equal(
      (
        await call('POST', `${api()}/messages`, {
          token: other.token,
          body: { clientId: 'okaaaaaaaa', text: 'hi' },
        })
      ).status,
      201,
    )
  })

  test('per IP: every endpoint, and starting sessions', async () => {
    const ip = '203.0.113.9'
    let last = 0
    for (let i = 0; i <= LIMITS.sessionsPerIpPerMinute; i++) {
      last = (await call('POST', `${api()}/session`, { ip, body: { visitorId: visitorId() } })).status
    }
    assert.equal(last, 429)
    const ip2 = '203.0.113.10'
    for (let i = 0; i < LIMITS.perIpPerMinute; i++) {
      assert.equal((await call('GET', `${api()}/config`, { ip: ip2 })).status, 200)
    }
    const limited = await call('GET', `${api()}/config`, { ip: ip2 })
    assert.equal(limited.status, 429)
    assert.equal(limited.headers['access-control-allow-origin'], SITE, 'the widget can read the 429')
    assert.equal((await call('GET', `${api()}/config`, { ip: '203.0.113.11' })).status, 200)
  })
})
