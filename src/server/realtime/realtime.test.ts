import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { EVENTS_CHANNEL } from '../events'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, TEST_DB, type TestServer } from '../test/harness'
import { RealtimeTestClient } from '../test/realtime-client'

let server: TestServer
let dest: Awaited<ReturnType<typeof startDestination>>
let owner: Awaited<ReturnType<typeof setupOwner>>
let channel: Awaited<ReturnType<typeof connectCustomChannel>>
let ws: number
let base: string
let teamA: number
let phoneSeq = 0
const nextPhone = () => `+9665${String(20_000_000 + ++phoneSeq).slice(-8)}`
const sockets: RealtimeTestClient[] = []

async function connect(
  client: TestClient | null,
  opts: Parameters<typeof RealtimeTestClient.connect>[2] = {},
) {
  const rt = await RealtimeTestClient.connect(server.url, client, opts)
  sockets.push(rt)
  return rt
}

async function contactOf(phone: string): Promise<number> {
  const { rows } = await server.ctx.database.query<{ id: number }>(
    'SELECT id FROM contacts WHERE workspace_id = $1 AND phone = $2',
    [ws, phone],
  )
  return Number(rows[0]!.id)
}

/** An event every member receives; what a socket got before it is all it will get of earlier events. */
let barrierSeq = 0
async function barrier(...clients: RealtimeTestClient[]) {
  const timezone = ++barrierSeq % 2 ? 'Asia/Riyadh' : 'Africa/Cairo'
  assert.equal((await owner.client.patch(base, { timezone })).status, 200)
  const { rows } = await server.ctx.database.query<{ id: number }>(
    "SELECT max(id) AS id FROM events WHERE workspace_id = $1 AND type = 'workspace.updated'",
    [ws],
  )
  const id = Number(rows[0]!.id)
  await Promise.all(clients.map((c) => c.next((f) => f.id === id)))
}
const lastId = (c: RealtimeTestClient) => c.events().at(-1)?.id

before(async () => {
  server = await startTestServer({ listen: true, realtime: { pingMs: 2500 } })
  dest = await startDestination()
  owner = await setupOwner(server)
  ws = owner.workspaceId
  base = `/api/v1/workspaces/${ws}`
  channel = await connectCustomChannel(owner.client, ws, dest.url)
  teamA = (await owner.client.post(`${base}/teams`, { name: 'Sales' })).body.id
})
after(async () => {
  for (const s of sockets) s.close()
  await server.close()
  await dest.close()
})

describe('handshake', () => {
  test('needs a session and a same-site Origin', async () => {
    await assert.rejects(connect(null), { status: 401 })
    await assert.rejects(connect(owner.client, { origin: 'https://evil.example' }), (err: any) => {
      assert.equal(err.status, 403)
      assert.match(
        JSON.parse(err.body).error.message,
        /WebSocket connections from https:\/\/evil.example are refused/,
      )
      return true
    })
    await assert.rejects(connect(owner.client, { cookie: 'tawasul_session=forged' }), { status: 401 })
    const same = await connect(owner.client)
    assert.equal(same.frames[0]!.type, 'hello')
    assert.equal(same.frames[0]!.userId, owner.userId)
    const configured = await connect(owner.client, { origin: server.ctx.config.publicUrl })
    const noOrigin = await connect(owner.client, { origin: null })
    assert.ok(configured && noOrigin)
  })

  test('subscribing needs membership; bad messages get an error frame', async () => {
    const stranger = await buildUser(server, ws, 'agent')
    const rt = await connect(stranger.client)
    const denied = await rt.subscribe(ws + 1000)
    assert.deepEqual(denied, { type: 'error', code: 'not_found', message: 'Workspace was not found.' })
    rt.socket.send('not json')
    assert.equal((await rt.next((f) => f.code === 'invalid_json')).type, 'error')
    rt.send({ type: 'subscribe', workspaceId: 'x' })
    assert.equal((await rt.next((f) => f.code === 'validation_failed')).type, 'error')
    rt.send({ type: 'ping' })
    await rt.next((f) => f.type === 'pong')
    const ok = await rt.subscribe(ws)
    assert.equal(ok.type, 'subscribed')
    assert.equal(typeof ok.lastEventId, 'number')
  })
})

describe('delivery and visibility (rule 102)', () => {
  test("an 'own' agent gets only their contacts' frames; others get everything they may see", async () => {
    const ownAgent = await buildUser(server, ws, 'agent', {
      restrictions: { contactVisibility: 'own' },
      teamId: teamA,
    })
    const teamAgent = await buildUser(server, ws, 'agent', {
      restrictions: { contactVisibility: 'team' },
      teamId: teamA,
    })
    const o = await connect(owner.client)
    const own = await connect(ownAgent.client)
    const team = await connect(teamAgent.client)
    for (const s of [o, own, team]) assert.equal((await s.subscribe(ws)).type, 'subscribed')

    // An unassigned contact writes: only the owner sees it (restricted agents never see unassigned).
    const phone = nextPhone()
    await inbound(server, channel, { from: phone, text: 'first' })
    const contactId = await contactOf(phone)
    const received = await o.next((f) => f.type === 'message.received' && f.contactId === contactId)
    assert.equal(received.message.text, 'first')
    assert.equal(received.message.direction, 'in')
    assert.equal(received.contact.contactId, contactId)
    assert.equal(received.contact.unread, true)
    assert.equal(received.contact.preview, 'first')
    assert.deepEqual(received.contact.channel, { id: channel.id, type: 'custom' })
    assert.equal(received.actor.kind, 'contact')
    await barrier(own, team)
    for (const s of [own, team])
      assert.ok(!s.events().some((f) => f.contactId === contactId), 'not visible yet')

    // Assigned to the own agent: they (and their team) now get it, and the assignee alone the notification.
    assert.equal(
      (await owner.client.put(`${base}/contacts/${contactId}/assignee`, { userId: ownAgent.userId })).status,
      200,
    )
    const assigned = await own.next((f) => f.type === 'contact.assignee_updated' && f.contactId === contactId)
    assert.equal(assigned.to, ownAgent.userId)
    assert.equal(assigned.contact.assigneeUserId, ownAgent.userId)
    assert.equal(assigned.contact.assigneeTeamId, teamA)
    const note = await own.next((f) => f.type === 'notification.created')
    assert.equal(note.notification.kind, 'assignment')
    assert.equal(note.notification.contactId, contactId)
    // The contact's name travels with it, for the browser notification the client may show.
    assert.equal(note.notification.contact.id, contactId)
    assert.equal(note.notification.contact.displayName, assigned.contact.displayName)
    await team.next((f) => f.type === 'contact.assignee_updated' && f.contactId === contactId)
    await inbound(server, channel, { from: phone, text: 'second' })
    for (const s of [o, own, team])
      assert.equal(
        (await s.next((f) => f.type === 'message.received' && f.message?.text === 'second')).contactId,
        contactId,
      )
    await barrier(o, team)
    assert.ok(
      !o.events().some((f) => f.type === 'notification.created'),
      'notifications go to their user only',
    )
    assert.ok(!team.events().some((f) => f.type === 'notification.created'))

    // Reassigned to the owner: the own agent is told the contact is gone, then hears nothing more of it.
    await owner.client.put(`${base}/contacts/${contactId}/assignee`, { userId: owner.userId })
    const gone = await own.next(
      (f) => f.type === 'contact.assignee_updated' && f.to === undefined && f.contact === null,
    )
    assert.deepEqual(Object.keys(gone).sort(), ['actor', 'at', 'contact', 'contactId', 'id', 'type'])
    await inbound(server, channel, { from: phone, text: 'third' })
    await o.next((f) => f.message?.text === 'third')
    await barrier(own)
    assert.ok(!own.events().some((f) => f.message?.text === 'third'))
    assert.ok(
      !team.events().some((f) => f.type === 'contact.assignee_updated' && f.to === owner.userId && f.contact),
    )
  })

  test('marking read and outbound sends are pushed to whoever watches the contact', async () => {
    const o = await connect(owner.client)
    await o.subscribe(ws)
    const phone = nextPhone()
    await inbound(server, channel, { from: phone, text: 'hi' })
    const contactId = await contactOf(phone)
    await owner.client.post(`${base}/contacts/${contactId}/read`)
    const read = await o.next((f) => f.type === 'contact.read' && f.contactId === contactId)
    assert.equal(read.contact.unread, false)
    await owner.client.post(`${base}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'hello back' },
    })
    const created = await o.next((f) => f.type === 'message.created' && f.contactId === contactId)
    assert.equal(created.message.status, 'pending')
    assert.equal(created.contact.direction, 'out')
    const sent = await o.next(
      (f) => f.type === 'message.status_updated' && f.messageId === created.message.id,
    )
    assert.equal(sent.message.status, 'sent')
  })

  test('role and team changes apply to live sockets; revoking access closes them', async () => {
    const agent = await buildUser(server, ws, 'agent')
    const rt = await connect(agent.client)
    await rt.subscribe(ws)
    const phone = nextPhone()
    await inbound(server, channel, { from: phone, text: 'visible' })
    await rt.next((f) => f.message?.text === 'visible')

    const restricted = await owner.client.patch(`${base}/users/${agent.userId}`, {
      restrictions: { contactVisibility: 'own' },
    })
    assert.equal(restricted.status, 200)
    await rt.next((f) => f.type === 'member.updated' && f.userId === agent.userId)
    await inbound(server, channel, { from: phone, text: 'hidden now' })
    await barrier(rt)
    assert.ok(!rt.events().some((f) => f.message?.text === 'hidden now'))

    assert.equal((await owner.client.delete(`${base}/users/${agent.userId}`, {})).status, 200)
    const closed = await rt.waitClosed()
    assert.equal(closed.code, 4403)
  })
})

describe('catch-up after reconnect', () => {
  test('replays missed events the user may see, in order, then goes live', async () => {
    const agent = await buildUser(server, ws, 'agent')
    const first = await connect(agent.client)
    const ack = await first.subscribe(ws)
    await barrier(first)
    const last = lastId(first)!
    assert.ok(last >= ack.lastEventId)
    first.close()

    const phone = nextPhone()
    for (const text of ['m1', 'm2', 'm3']) await inbound(server, channel, { from: phone, text })
    const again = await connect(agent.client)
    const from = again.frames.length
    const back = await again.subscribe(ws, last)
    assert.equal(back.type, 'subscribed')
    const replayed = again.frames.slice(from).filter((f) => f.id !== undefined)
    // Frames at or before `last` may come again (the overlap that catches late commits); clients drop them by id.
    const missed = replayed.filter((f) => f.id! > last)
    const texts = missed.filter((f) => f.type === 'message.received').map((f) => f.message.text)
    assert.deepEqual(texts, ['m1', 'm2', 'm3'])
    assert.ok(missed.some((f) => f.type === 'conversation.opened'))
    const ids = replayed.map((f) => f.id!)
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'in order',
    )
    assert.ok(
      again.frames.indexOf(back) > again.frames.indexOf(replayed.at(-1)!),
      'the acknowledgement comes after the replay',
    )
    await inbound(server, channel, { from: phone, text: 'live' })
    await again.next((f) => f.message?.text === 'live')
  })

  test('an own agent is not replayed what they may not see', async () => {
    const ownAgent = await buildUser(server, ws, 'agent', { restrictions: { contactVisibility: 'own' } })
    const rt = await connect(ownAgent.client)
    await rt.subscribe(ws)
    await barrier(rt)
    const last = lastId(rt)!
    rt.close()
    const phone = nextPhone()
    await inbound(server, channel, { from: phone, text: 'not yours' })
    const again = await connect(ownAgent.client)
    await again.subscribe(ws, last)
    assert.ok(!again.events().some((f) => f.message?.text === 'not yours'))
  })

  test('an event that commits after a later one is still replayed', {
    skip: TEST_DB === 'postgres' ? false : 'needs PostgreSQL: PGlite runs one transaction at a time',
  }, async () => {
    const rt = await connect(owner.client)
    await rt.subscribe(ws)
    // A slow transaction takes its event id first and commits last.
    const slow = new pg.Client({ connectionString: server.ctx.database.url })
    await slow.connect()
    try {
      await slow.query('BEGIN')
      const { rows } = await slow.query(
        `INSERT INTO events (workspace_id, type, actor_kind, payload) VALUES ($1, 'team.updated', 'system', $2) RETURNING id`,
        [ws, JSON.stringify({ teamId: teamA, changes: ['late'] })],
      )
      const lateId = Number(rows[0].id)
      await slow.query('SELECT pg_notify($1, $2)', [
        EVENTS_CHANNEL,
        JSON.stringify({
          workspaceId: ws,
          id: lateId,
          type: 'team.updated',
          actor: { kind: 'system', id: null },
        }),
      ])
      await barrier(rt)
      const last = lastId(rt)!
      assert.ok(last > lateId)
      rt.close()
      await slow.query('COMMIT')
      const again = await connect(owner.client)
      await again.subscribe(ws, last)
      assert.ok(again.events().some((f) => f.id === lateId && f.changes[0] === 'late'))
    } finally {
      await slow.end()
    }
  })
})

describe('presence and assignable users', () => {
  test('connected users are online (or away) for every process; closing goes offline', async () => {
    const agent = await buildUser(server, ws, 'agent', { name: 'Layla Hassan', teamId: teamA })
    const watcher = await connect(owner.client)
    await watcher.subscribe(ws)
    const list = async () =>
      (await owner.client.get(`${base}/assignable-users`)).body.find((u: any) => u.userId === agent.userId)
    assert.equal((await list()).presence, 'offline')
    const rt = await connect(agent.client)
    await rt.subscribe(ws)
    const online = await watcher.next((f) => f.type === 'presence' && f.userId === agent.userId)
    assert.equal(online.state, 'online')
    const entry = await list()
    assert.deepEqual(
      { ...entry, lastActiveAt: null },
      {
        userId: agent.userId,
        name: 'Layla Hassan',
        initials: 'LH',
        avatarUrl: null,
        role: 'agent',
        team: { id: teamA, name: 'Sales' },
        presence: 'online',
        lastActiveAt: null,
        openContacts: 0,
      },
    )
    await agent.client.patch('/api/v1/me', { status: 'away' })
    assert.equal((await list()).presence, 'away')
    // The change is pushed too (PATCH /me announces it).
    assert.equal(
      (await watcher.next((f) => f.type === 'presence' && f.userId === agent.userId && f.state !== 'online'))
        .state,
      'away',
    )
    // Agents may read it too (rule 30: they assign).
    assert.equal((await agent.client.get(`${base}/assignable-users`)).status, 200)
    rt.close()
    const offline = await watcher.next(
      (f) => f.type === 'presence' && f.userId === agent.userId && f.state === 'offline',
    )
    assert.ok(offline)
    assert.equal((await list()).presence, 'offline')
  })

  test('quick reconnects leave exactly the live sockets behind', async () => {
    const agent = await buildUser(server, ws, 'agent')
    const rows = async () =>
      (
        await server.ctx.database.query<{ n: number }>(
          'SELECT coalesce(sum(connections), 0)::int AS n FROM user_presence WHERE workspace_id = $1 AND user_id = $2',
          [ws, agent.userId],
        )
      ).rows[0]!.n
    for (let i = 0; i < 5; i++) {
      const rt = await connect(agent.client)
      rt.send({ type: 'subscribe', workspaceId: ws })
      rt.close()
    }
    const kept = await connect(agent.client)
    await kept.subscribe(ws)
    await waitFor(async () => (await rows()) === 1, 5000, 'one live socket counted')
    await new Promise((r) => setTimeout(r, 400))
    assert.equal(await rows(), 1)
    kept.close()
    await waitFor(async () => (await rows()) === 0, 5000, 'no socket counted')
  })

  test('signing out ends the sockets of that session', async () => {
    const agent = await buildUser(server, ws, 'agent')
    const rt = await connect(agent.client)
    await rt.subscribe(ws)
    assert.equal((await agent.client.post('/api/v1/auth/logout')).status < 300, true)
    assert.equal((await rt.waitClosed(15_000)).code, 4401)
  })
})

describe('dead sockets', () => {
  let fast: TestServer
  let fastOwner: Awaited<ReturnType<typeof setupOwner>>
  before(async () => {
    fast = await startTestServer({ listen: true, realtime: { pingMs: 300 } })
    fastOwner = await setupOwner(fast)
  })
  after(() => fast.close())

  test('a socket that stops answering pings is dropped and goes offline', async () => {
    const agent = await buildUser(fast, fastOwner.workspaceId, 'agent')
    const rt = await RealtimeTestClient.connect(fast.url, agent.client)
    await rt.subscribe(fastOwner.workspaceId)
    await waitFor(
      async () =>
        (
          await fast.ctx.database.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM user_presence WHERE workspace_id = $1 AND user_id = $2',
            [fastOwner.workspaceId, agent.userId],
          )
        ).rows[0]!.n === 1,
    )
    // Stop reading: pings go unanswered, as with a vanished laptop.
    ;(rt.socket as any)._socket.pause()
    await waitFor(
      async () =>
        (
          await fast.ctx.database.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM user_presence WHERE workspace_id = $1 AND user_id = $2',
            [fastOwner.workspaceId, agent.userId],
          )
        ).rows[0]!.n === 0,
      5000,
      'the dead socket to be dropped',
    )
    rt.close()
  })
})

describe('limits and shutdown', () => {
  let small: TestServer
  let smallOwner: Awaited<ReturnType<typeof setupOwner>>
  before(async () => {
    small = await startTestServer({ listen: true, realtime: { maxReplay: 3, maxBufferedBytes: 600 } })
    smallOwner = await setupOwner(small)
  })
  after(() => small.close())

  test('too many missed events: the client is told to refetch', async () => {
    const rt = await RealtimeTestClient.connect(small.url, smallOwner.client)
    const ack = await rt.subscribe(smallOwner.workspaceId)
    rt.close()
    for (const tz of ['Asia/Riyadh', 'Africa/Cairo', 'Asia/Dubai', 'Europe/London', 'Asia/Riyadh'])
      await smallOwner.client.patch(`/api/v1/workspaces/${smallOwner.workspaceId}`, { timezone: tz })
    const again = await RealtimeTestClient.connect(small.url, smallOwner.client)
    const back = await again.subscribe(smallOwner.workspaceId, ack.lastEventId)
    assert.equal(back.type, 'resync')
    assert.match(back.reason, /More than 3 events/)
    assert.ok(back.lastEventId > ack.lastEventId)
    assert.equal(again.events().length, 0)
    again.close()
  })

  test('a socket whose frames pile up is dropped (it reconnects and catches up)', async () => {
    const rt = await RealtimeTestClient.connect(small.url, smallOwner.client)
    await rt.subscribe(smallOwner.workspaceId)
    const dests = await startDestination()
    try {
      const ch = await connectCustomChannel(smallOwner.client, smallOwner.workspaceId, dests.url)
      await inbound(small, ch, { from: '+966500000001', text: 'x'.repeat(700) })
      const closed = await rt.waitClosed()
      assert.equal(closed.code, 1006, 'terminated')
    } finally {
      await dests.close()
    }
  })
})

describe('shutdown', () => {
  // Its own server with the default limits: on the small-limits server above, a late frame from
  // the previous test (PostgreSQL NOTIFY arrives asynchronously) can exceed its 600-byte buffer
  // limit and terminate the socket (1006) before shutdown gets to close it.
  test('shutdown closes sockets with 1001 and stays fast', async () => {
    const own = await startTestServer({ listen: true })
    try {
      const owner = await setupOwner(own)
      const rt = await RealtimeTestClient.connect(own.url, owner.client)
      await rt.subscribe(owner.workspaceId)
      const t = Date.now()
      await own.shutdown('test')
      assert.ok(Date.now() - t < 3000, `shutdown took ${Date.now() - t} ms`)
      assert.equal((await rt.waitClosed()).code, 1001)
    } finally {
      await own.close()
    }
  })
})
