import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TestClient } from '../test/client'
import { buildUser, setupOwner, TEST_PASSWORD } from '../test/factories'
import { startTestServer, TEST_DB, type TestServer } from '../test/harness'

describe('HTTP platform', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  before(async () => {
    server = await startTestServer()
    owner = await setupOwner(server)
  })
  after(() => server.close())

  test('health and readiness', async () => {
    const health = await server.app.inject({ url: '/healthz' })
    assert.deepEqual(health.json(), { status: 'ok' })
    const ready = await server.app.inject({ url: '/readyz' })
    assert.deepEqual(ready.json(), { status: 'ready', database: TEST_DB })
  })

  test('the OpenAPI document is generated from the route schemas', async () => {
    const doc = (await server.app.inject({ url: '/api/docs/json' })).json()
    assert.equal(doc.openapi, '3.0.3')
    for (const p of [
      '/api/v1/setup',
      '/api/v1/auth/login',
      '/api/v1/workspaces/{workspaceId}/users',
      '/api/v1/workspaces/{workspaceId}/teams',
    ]) {
      assert.ok(doc.paths[p], `${p} documented`)
    }
    const invite = doc.paths['/api/v1/workspaces/{workspaceId}/invitations'].post
    assert.ok(invite.requestBody.content['application/json'].schema.properties.email)
    assert.ok(invite.responses['403'], 'error responses documented')
    const ui = await server.app.inject({ url: '/api/docs/' })
    assert.equal(ui.statusCode, 200)
    assert.match(ui.headers['content-type'] as string, /text\/html/)
  })

  test('bad requests get precise 4xx answers', async () => {
    const c = owner.client
    const ws = `/api/v1/workspaces/${owner.workspaceId}`
    const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
      ['malformed JSON', () => c.request('PATCH', ws, '{"name": ', {}), 400, 'invalid_json'],
      ['wrong type', () => c.patch(ws, { name: 42 }), 400, 'validation_failed'],
      ['overlong string', () => c.patch(ws, { name: 'x'.repeat(101) }), 400, 'validation_failed'],
      ['unknown field', () => c.patch(ws, { plan: 'enterprise' }), 400, 'validation_failed'],
      ['bad time zone', () => c.patch(ws, { timezone: 'Mars/Olympus' }), 400, 'validation_failed'],
      ['non-numeric id', () => c.get('/api/v1/workspaces/abc'), 400, 'validation_failed'],
      [
        'unsupported media type',
        () => c.request('PATCH', ws, 'name=x', { 'content-type': 'text/plain' }),
        415,
        'unsupported_media_type',
      ],
      ['body too large', () => c.patch(ws, { name: 'x'.repeat(1_100_000) }), 413, 'payload_too_large'],
      ['unknown API route', () => c.get('/api/v1/nothing-here'), 404, 'not_found'],
      ['unknown workspace', () => c.get('/api/v1/workspaces/987654'), 404, 'not_found'],
      ['not signed in', () => new TestClient(server.app).get(ws), 401, 'unauthenticated'],
    ]
    for (const [label, call, status, code] of cases) {
      const res = await call()
      assert.equal(res.status, status, `${label}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.error.code, code, label)
      assert.ok(res.body.error.message.length > 5, label)
    }
    const typed = await c.patch(ws, { name: 42 })
    assert.deepEqual(typed.body.error.fields, [
      { path: 'body.name', message: 'Invalid input: expected string, received number' },
    ])
    const param = await c.get('/api/v1/workspaces/abc')
    assert.equal(param.body.error.fields[0].path, 'params.workspaceId')
    assert.equal((await c.get(ws)).body.workspace.name, 'Support', 'nothing changed')
  })

  test('logs never contain passwords, tokens, cookies or secrets', async () => {
    const c = new TestClient(server.app)
    await c.post('/api/v1/auth/login', { email: 'owner@acme.test', password: TEST_PASSWORD })
    await c.post('/api/v1/auth/login', { email: 'owner@acme.test', password: 'Wrong-But-Secret-99' })
    const token = (
      await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/api-tokens`, { name: 'log-test' })
    ).body.token
    const api = new TestClient(server.app)
    api.bearer = token
    await api.get(`/api/v1/workspaces/${owner.workspaceId}?token=${token}`)
    const invite = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      email: 'logs@acme.test',
      role: 'agent',
    })
    const inviteToken = new URL(invite.body.inviteUrl).hash.slice(7)
    await new TestClient(server.app).post('/api/v1/invitations/accept', {
      token: inviteToken,
      name: 'Logs',
      password: 'Another-Secret-Pass-1',
    })
    const { client: agent } = await buildUser(server, owner.workspaceId, 'agent')
    await agent.get('/api/v1/auth/session')
    server.ctx.log.info({ body: { password: 'Planted-Password-123', token: 'planted-token' } }, 'planted')

    const logs = server.logs()
    assert.ok(logs.includes('"url":"/api/v1/auth/login"'), 'requests are logged')
    assert.ok(logs.includes('planted'))
    const secrets = [
      TEST_PASSWORD,
      'Wrong-But-Secret-99',
      'Another-Secret-Pass-1',
      'Planted-Password-123',
      'planted-token',
      token,
      token.slice(-43),
      inviteToken,
      owner.client.cookies.get('tawasul_session')!,
      agent.cookies.get('tawasul_session')!,
      owner.client.csrf!,
      server.ctx.config.secret,
    ]
    for (const secret of secrets)
      assert.ok(!logs.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 6)}…`)
  })
})
