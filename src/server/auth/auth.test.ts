import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestClient } from '../test/client'
import { buildUser, buildWorkspace, setupOwner, TEST_PASSWORD } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { countUsers } from '../users/users.repo'

describe('first-run setup', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer()
  })
  after(() => server.close())

  test('rejects bad input precisely and creates nothing', async () => {
    const c = new TestClient(server.app)
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'body.email'],
      [{ password: 'short' }, 'body.password'],
      [{ password: 'password1234' }, 'body.password'], // common
      [{ password: 'aaaaabbbbbaaaaa' }, 'body.password'], // too few distinct characters
      [{ name: 'x'.repeat(101) }, 'body.name'],
      [{ organizationName: '' }, 'body.organizationName'],
      [{ isAdmin: true }, 'body.isAdmin'],
      [{ language: 'fr' }, 'body.language'],
    ]
    for (const [override, path] of cases) {
      const res = await c.post('/api/v1/setup', {
        organizationName: 'Acme',
        workspaceName: 'Support',
        name: 'Olivia',
        email: 'olivia@acme.test',
        password: TEST_PASSWORD,
        ...override,
      })
      assert.equal(res.status, 400, JSON.stringify(override))
      assert.equal(res.body.error.code, 'validation_failed')
      assert.ok(
        res.body.error.fields.some((f: { path: string }) => f.path === path),
        `${path} in ${JSON.stringify(res.body.error.fields)}`,
      )
    }
    const withEmailName = await c.post('/api/v1/setup', {
      organizationName: 'Acme',
      workspaceName: 'Support',
      name: 'Olivia',
      email: 'olivia@acme.test',
      password: 'olivia-is-great-42',
    })
    assert.equal(withEmailName.status, 400)
    assert.equal(withEmailName.body.error.fields[0].path, 'password')
    const malformed = await c.request('POST', '/api/v1/setup', '{"organizationName": "Acme",', {})
    assert.equal(malformed.status, 400)
    assert.equal(malformed.body.error.code, 'invalid_json')
    assert.equal(await countUsers(server.ctx.db), 0)
    assert.deepEqual((await c.get('/api/v1/setup')).body, { needsSetup: true })
  })

  test('creates organization, workspace and owner once, and signs the owner in', async () => {
    const { client, workspaceId } = await setupOwner(server)
    const cookie = client.cookies.get('tawasul_session')
    assert.ok(cookie)
    const session = await client.get('/api/v1/auth/session')
    assert.equal(session.status, 200)
    assert.deepEqual(session.body.workspaces, [{ id: workspaceId, name: 'Support', role: 'owner' }])
    assert.deepEqual((await client.get('/api/v1/setup')).body, { needsSetup: false })

    const again = await new TestClient(server.app).post('/api/v1/setup', {
      organizationName: 'Evil',
      workspaceName: 'Takeover',
      name: 'Mallory',
      email: 'mallory@evil.test',
      password: TEST_PASSWORD,
    })
    assert.equal(again.status, 409)
    assert.equal(again.body.error.code, 'already_set_up')
    assert.equal(await countUsers(server.ctx.db), 1)
  })
})

describe('sessions', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  before(async () => {
    server = await startTestServer()
    owner = await setupOwner(server)
  })
  after(() => server.close())

  test('the session cookie is httpOnly, SameSite=Lax and path-wide', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'owner@acme.test', password: TEST_PASSWORD },
    })
    const setCookie = String(res.headers['set-cookie'])
    assert.match(setCookie, /tawasul_session=[A-Za-z0-9_-]{43}/)
    assert.match(setCookie, /HttpOnly/)
    assert.match(setCookie, /SameSite=Lax/)
    assert.match(setCookie, /Path=\//)
  })

  test('wrong password and unknown email get the same 401', async () => {
    const c = new TestClient(server.app)
    const wrong = await c.post('/api/v1/auth/login', {
      email: 'owner@acme.test',
      password: 'not-the-password',
    })
    const unknown = await c.post('/api/v1/auth/login', {
      email: 'nobody@acme.test',
      password: 'not-the-password',
    })
    assert.equal(wrong.status, 401)
    assert.deepEqual(wrong.body, unknown.body)
    assert.equal(wrong.body.error.message, 'Email or password is incorrect.')
    assert.equal(c.cookies.size, 0)
  })

  test('cookie-authenticated writes need the CSRF header', async () => {
    const url = `/api/v1/workspaces/${owner.workspaceId}`
    const none = await owner.client.request('PATCH', url, { name: 'Renamed' }, { 'x-csrf-token': '' })
    assert.equal(none.status, 403)
    assert.equal(none.body.error.code, 'csrf_failed')
    const wrong = await owner.client.request('PATCH', url, { name: 'Renamed' }, { 'x-csrf-token': 'forged' })
    assert.equal(wrong.status, 403)
    assert.equal((await owner.client.get(url)).body.workspace.name, 'Support')
    const ok = await owner.client.patch(url, { name: 'Renamed' })
    assert.equal(ok.status, 200)
    assert.equal(ok.body.name, 'Renamed')
  })

  test('sign-out ends the session', async () => {
    const { client } = await buildUser(server, owner.workspaceId, 'agent')
    assert.equal((await client.get('/api/v1/auth/session')).status, 200)
    const cookie = client.cookies.get('tawasul_session')!
    assert.equal((await client.post('/api/v1/auth/logout')).status, 200)
    const replay = new TestClient(server.app)
    replay.cookies.set('tawasul_session', cookie)
    assert.equal((await replay.get('/api/v1/auth/session')).status, 401)
  })

  test('sessions expire after SESSION_TTL_HOURS without use', async () => {
    const { client } = await buildUser(server, owner.workspaceId, 'agent')
    server.clock.advance(server.ctx.config.sessionTtlMs - 60_000)
    assert.equal((await client.get('/api/v1/auth/session')).status, 200, 'still valid just before expiry')
    server.clock.advance(server.ctx.config.sessionTtlMs + 60_000)
    const res = await client.get('/api/v1/auth/session')
    assert.equal(res.status, 401)
    assert.equal(res.body.error.code, 'unauthenticated')
    server.clock.offsetMs = 0
  })

  test('changing the password checks the current one and signs out other sessions', async () => {
    const { client, email } = await buildUser(server, owner.workspaceId, 'manager')
    const other = new TestClient(server.app)
    await other.post('/api/v1/auth/login', { email, password: TEST_PASSWORD })
    const wrong = await client.post('/api/v1/me/password', {
      currentPassword: 'nope',
      newPassword: 'A-much-better-pass-77',
    })
    assert.equal(wrong.status, 401)
    const weak = await client.post('/api/v1/me/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'short',
    })
    assert.equal(weak.status, 400)
    const ok = await client.post('/api/v1/me/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'A-much-better-pass-77',
    })
    assert.equal(ok.status, 200)
    assert.equal((await client.get('/api/v1/auth/session')).status, 200, 'this session stays')
    assert.equal((await other.get('/api/v1/auth/session')).status, 401, 'other sessions end')
    const relogin = await new TestClient(server.app).post('/api/v1/auth/login', {
      email,
      password: 'A-much-better-pass-77',
    })
    assert.equal(relogin.status, 200)
  })

  test('profile updates validate and apply to the signed-in user only', async () => {
    const { client } = await buildUser(server, owner.workspaceId, 'agent')
    const bad = await client.patch('/api/v1/me', { locale: 'de' })
    assert.equal(bad.status, 400)
    const ok = await client.patch('/api/v1/me', { name: 'نورة', locale: 'ar', status: 'away' })
    assert.equal(ok.status, 200)
    assert.deepEqual([ok.body.name, ok.body.locale, ok.body.status], ['نورة', 'ar', 'away'])
  })
})

describe('rate limits', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer({ config: { rateLimitAuth: { max: 3, windowMs: 60_000 } } })
  })
  after(() => server.close())

  test('login answers 429 with Retry-After once the limit is used up', async () => {
    const c = new TestClient(server.app)
    const statuses: number[] = []
    let last: Awaited<ReturnType<typeof c.post<any>>> | undefined
    for (let i = 0; i < 5; i++) {
      last = await c.post('/api/v1/auth/login', { email: 'x@acme.test', password: 'wrong-password' })
      statuses.push(last.status)
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429])
    assert.ok(Number(last!.headers['retry-after']) > 0)
    assert.equal(last!.body.error.code, 'rate_limited')
  })

  test('setup is rate-limited too', async () => {
    const c = new TestClient(server.app)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await c.post('/api/v1/setup', { email: 'bad' })).status)
    assert.deepEqual(statuses, [400, 400, 400, 429])
  })
})

describe('API tokens', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  before(async () => {
    server = await startTestServer()
    owner = await setupOwner(server)
  })
  after(() => server.close())

  test('a token is shown once, stored hashed, works as Bearer and stops working when revoked', async () => {
    const created = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-tokens`, {
      name: 'Zapier',
    })
    assert.equal(created.status, 201)
    const token: string = created.body.token
    assert.match(token, new RegExp(`^tws_${owner.workspaceId}_[A-Za-z0-9_-]{43}$`))
    assert.equal(created.headers['cache-control'], 'no-store')
    const list = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/api-tokens`)
    assert.equal(list.body.length, 1)
    assert.ok(!JSON.stringify(list.body).includes(token.slice(-20)), 'the token is never listed')
    assert.equal(list.body[0].tokenPrefix, `${token.slice(0, `tws_${owner.workspaceId}_`.length + 4)}…`)
    const { rows } = await server.ctx.database.query<{ token_hash: string }>(
      'SELECT token_hash FROM api_tokens',
    )
    assert.ok(!rows[0]!.token_hash.includes(token.slice(-20)))

    const api = new TestClient(server.app)
    api.bearer = token
    const ws = await api.get(`/api/v1/workspaces/${owner.workspaceId}`)
    assert.equal(ws.status, 200)
    const write = await api.patch(`/api/v1/workspaces/${owner.workspaceId}`, { timezone: 'Asia/Riyadh' })
    assert.equal(write.status, 200, 'bearer writes need no CSRF token')
    const people = await api.get(`/api/v1/workspaces/${owner.workspaceId}/users`)
    assert.equal(people.status, 403, 'tokens cannot manage users')

    const revoke = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/api-tokens/${created.body.id}`,
    )
    assert.equal(revoke.status, 200)
    const again = await owner.client.delete(
      `/api/v1/workspaces/${owner.workspaceId}/api-tokens/${created.body.id}`,
    )
    assert.equal(again.status, 410)
    const after = await api.get(`/api/v1/workspaces/${owner.workspaceId}`)
    assert.equal(after.status, 401)
    assert.match(after.body.error.message, /revoked/)
  })

  test("a token never reaches another workspace's data", async () => {
    const other = await buildWorkspace(server)
    const created = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-tokens`, {
      name: 'Mine',
    })
    const api = new TestClient(server.app)
    api.bearer = created.body.token
    const res = await api.get(`/api/v1/workspaces/${other.workspaceId}`)
    assert.equal(res.status, 404)
    const forged = new TestClient(server.app)
    forged.bearer = created.body.token.replace(`tws_${owner.workspaceId}_`, `tws_${other.workspaceId}_`)
    assert.equal((await forged.get(`/api/v1/workspaces/${other.workspaceId}`)).status, 401)
  })

  test('malformed Authorization headers are rejected', async () => {
    for (const header of ['Basic abc', 'Bearer', 'Bearer not-a-token', 'tws_1_x']) {
      const res = await server.app.inject({
        method: 'GET',
        url: `/api/v1/workspaces/${owner.workspaceId}`,
        headers: { authorization: header },
      })
      assert.equal(res.statusCode, 401, header)
    }
  })
})
