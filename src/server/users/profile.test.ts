import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { RealtimeTestClient } from '../test/realtime-client'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string
const sockets: RealtimeTestClient[] = []

before(async () => {
  server = await startTestServer({ listen: true })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
})
after(async () => {
  for (const s of sockets) s.close()
  await server.close()
})

// A 1×1 transparent PNG, and a JPEG header: the server sniffs the bytes, not the Content-Type.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

async function upload(client: TestClient, data: Buffer, type = 'image/png') {
  const res = await server.app.inject({
    method: 'PUT',
    url: '/api/v1/me/avatar',
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-csrf-token': client.csrf ?? '',
      'content-type': type,
    },
    payload: data,
  })
  return { status: res.statusCode, body: res.json() }
}

describe('profile: notification preferences (issue 6 item 7)', () => {
  test('defaults are all on; a partial change keeps the other switches', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const me = await agent.client.get('/api/v1/auth/session')
    assert.deepEqual(me.body.user.notificationPrefs, {
      mention: { inApp: true, browser: true },
      assignment: { inApp: true, browser: true },
    })
    const res = await agent.client.patch('/api/v1/me', { notificationPrefs: { mention: { browser: false } } })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(res.body.notificationPrefs, {
      mention: { inApp: true, browser: false },
      assignment: { inApp: true, browser: true },
    })
    const again = await agent.client.patch('/api/v1/me', {
      notificationPrefs: { assignment: { inApp: false } },
    })
    assert.deepEqual(again.body.notificationPrefs, {
      mention: { inApp: true, browser: false },
      assignment: { inApp: false, browser: true },
    })
    const bad = await agent.client.patch('/api/v1/me', { notificationPrefs: { email: { inApp: true } } })
    assert.equal(bad.status, 400)
    const notBool = await agent.client.patch('/api/v1/me', {
      notificationPrefs: { mention: { inApp: 'no' } },
    })
    assert.equal(notBool.status, 400)
  })

  test('in-app switched off for assignments: assigning creates no notification; mentions still do', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    await agent.client.patch('/api/v1/me', { notificationPrefs: { assignment: { inApp: false } } })
    const contact = await buildContact(server, owner.workspaceId)
    const assigned = await owner.client.put(`${ws}/contacts/${contact.id}/assignee`, { userId: agent.userId })
    assert.equal(assigned.status, 200, assigned.text)
    assert.equal((await agent.client.get(`${ws}/notifications/unread-count`)).body.count, 0)

    const comment = await owner.client.post(`${ws}/contacts/${contact.id}/comments`, {
      body: `please look {{@user.${agent.userId}}}`,
    })
    assert.equal(comment.status, 201, comment.text)
    const list = await agent.client.get(`${ws}/notifications`)
    assert.deepEqual(
      list.body.notifications.map((n: { kind: string }) => n.kind),
      ['mention'],
    )

    // Switched back on, the next assignment notifies again.
    await agent.client.patch('/api/v1/me', { notificationPrefs: { assignment: { inApp: true } } })
    await owner.client.put(`${ws}/contacts/${contact.id}/assignee`, { userId: null })
    await owner.client.put(`${ws}/contacts/${contact.id}/assignee`, { userId: agent.userId })
    assert.equal((await agent.client.get(`${ws}/notifications/unread-count`)).body.count, 2)
  })
})

describe('profile: availability is pushed as presence (docs/realtime.md)', () => {
  test('going away and back online reaches teammates as presence frames and in assignable-users', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const agentSocket = await RealtimeTestClient.connect(server.url, agent.client)
    sockets.push(agentSocket)
    await agentSocket.subscribe(owner.workspaceId)
    const watcher = await RealtimeTestClient.connect(server.url, owner.client)
    sockets.push(watcher)
    await watcher.subscribe(owner.workspaceId)
    const presenceOf = async () =>
      (await owner.client.get(`${ws}/assignable-users`)).body.find(
        (u: { userId: number }) => u.userId === agent.userId,
      ).presence
    assert.equal(await presenceOf(), 'online')

    const from = watcher.frames.length
    assert.equal((await agent.client.patch('/api/v1/me', { status: 'away' })).status, 200)
    const away = await watcher.next((f) => f.type === 'presence' && f.userId === agent.userId, 10_000, from)
    assert.equal(away.state, 'away')
    assert.equal(await presenceOf(), 'away')

    const from2 = watcher.frames.length
    await agent.client.patch('/api/v1/me', { status: 'online' })
    const back = await watcher.next((f) => f.type === 'presence' && f.userId === agent.userId, 10_000, from2)
    assert.equal(back.state, 'online')

    // The same status again is no change: nothing is announced.
    const from3 = watcher.frames.length
    await agent.client.patch('/api/v1/me', { status: 'online', name: 'Agent Renamed' })
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(
      watcher.frames.slice(from3).filter((f) => f.type === 'presence' && f.userId === agent.userId).length,
      0,
    )
  })
})

describe('profile picture', () => {
  test('upload, show to teammates only, replace and remove', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const up = await upload(agent.client, PNG)
    assert.equal(up.status, 200)
    const url: string = up.body.avatarUrl
    assert.match(url, new RegExp(`^/api/v1/users/${agent.userId}/avatar\\?v=[0-9a-f]{12}$`))

    // Teammates get it with the members list the assignment dropdown uses.
    const list = await owner.client.get(`${ws}/assignable-users`)
    assert.equal(list.body.find((u: { userId: number }) => u.userId === agent.userId).avatarUrl, url)
    assert.equal(list.body.find((u: { userId: number }) => u.userId === owner.userId).avatarUrl, null)

    const seen = await owner.client.get(url)
    assert.equal(seen.status, 200)
    assert.equal(seen.headers['content-type'], 'image/png')
    assert.equal(seen.headers['x-content-type-options'], 'nosniff')
    assert.equal(Buffer.from(seen.text, 'latin1').length > 0, true)

    // Someone from another workspace shares no workspace with the agent.
    const stranger = await buildWorkspace(server)
    assert.equal((await stranger.owner.client.get(url)).status, 404)
    const anonymous = await server.app.inject({ method: 'GET', url })
    assert.equal(anonymous.statusCode, 401)

    // A new picture is a new URL (caches never show the old one).
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32)])
    const replaced = await upload(agent.client, jpeg, 'image/jpeg')
    assert.equal(replaced.status, 200)
    assert.notEqual(replaced.body.avatarUrl, url)
    assert.equal((await owner.client.get(replaced.body.avatarUrl)).headers['content-type'], 'image/jpeg')

    const removed = await agent.client.delete('/api/v1/me/avatar')
    assert.equal(removed.status, 200)
    assert.equal(removed.body.avatarUrl, null)
    assert.equal((await owner.client.get(replaced.body.avatarUrl)).status, 404)
  })

  test('only images, not empty, at most 2 MB; the type comes from the bytes', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const html = await upload(
      agent.client,
      Buffer.from('<html><script>alert(1)</script></html>'),
      'image/png',
    )
    assert.equal(html.status, 422)
    assert.equal(html.body.error.code, 'unsupported_type')
    const empty = await upload(agent.client, Buffer.alloc(0))
    assert.equal(empty.status, 422)
    assert.equal(empty.body.error.code, 'empty_file')
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)])
    assert.equal((await upload(agent.client, big)).status, 413)
    const me = await agent.client.get('/api/v1/auth/session')
    assert.equal(me.body.user.avatarUrl, null)
  })
})
