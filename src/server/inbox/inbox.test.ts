import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Restrictions } from '../../shared/permissions'
import { TestClient } from '../test/client'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let ws: number
let base: string
const users: Record<string, { client: TestClient; userId: number }> = {}
const contact: Record<string, number> = {}
let teamA: number
let teamB: number

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000)

async function comment(contactId: number, mentions: number[]) {
  await server.ctx.database.query(
    `INSERT INTO comments (workspace_id, contact_id, author_kind, author_id, body, mentions)
     VALUES ($1, $2, 'user', $3, 'see this', $4::jsonb)`,
    [ws, contactId, users.owner!.userId, JSON.stringify(mentions)],
  )
}

before(async () => {
  server = await startTestServer()
  const owner = await setupOwner(server)
  ws = owner.workspaceId
  base = `/api/v1/workspaces/${ws}`
  users.owner = owner
  teamA = (await owner.client.post(`${base}/teams`, { name: 'Sales' })).body.id
  teamB = (await owner.client.post(`${base}/teams`, { name: 'Support' })).body.id
  const persona = async (
    name: string,
    role: 'manager' | 'agent',
    teamId?: number,
    restrictions: Partial<Restrictions> = {},
  ) => {
    users[name] = await buildUser(server, ws, role, {
      restrictions,
      ...(teamId ? { teamId } : {}),
      name: `${name} user`,
    })
  }
  await persona('manager', 'manager')
  await persona('agentA', 'agent', teamA)
  await persona('agentTeam', 'agent', teamA, { contactVisibility: 'team' })
  await persona('agentOwn', 'agent', teamA, { contactVisibility: 'own' })
  await persona('agentB', 'agent', teamB)
  await persona('agentNoTeam', 'agent')

  const make = async (
    key: string,
    o: {
      assignee?: string
      team?: number
      status?: 'open' | 'closed' | 'snoozed'
      unread?: boolean
      blocked?: boolean
      at: number
    },
  ) => {
    const c = await buildContact(server, ws, {
      firstName: key,
      inboxStatus: o.status ?? 'open',
      lastMessageAt: minutesAgo(o.at),
      lastMessagePreview: `hello from ${key}`,
      lastMessageDirection: 'in',
      unread: o.unread ?? false,
      assigneeUserId: o.assignee ? users[o.assignee]!.userId : null,
      assigneeTeamId: o.team ?? null,
      blockedAt: o.blocked ? minutesAgo(o.at) : null,
    })
    contact[key] = c.id
  }
  await make('unassigned', { unread: true, at: 1 })
  await make('ofAgentA', { assignee: 'agentA', team: teamA, at: 2 })
  await make('ofAgentTeam', { assignee: 'agentTeam', team: teamA, unread: true, at: 3 })
  await make('ofAgentOwn', { assignee: 'agentOwn', team: teamA, at: 4 })
  await make('ofAgentB', { assignee: 'agentB', team: teamB, unread: true, at: 5 })
  await make('ofManager', { assignee: 'manager', at: 6, unread: true })
  await make('closedOwn', { assignee: 'agentOwn', team: teamA, status: 'closed', at: 7 })
  await make('snoozedA', { assignee: 'agentA', team: teamA, status: 'snoozed', at: 8 })
  await make('blockedOwn', { assignee: 'agentOwn', team: teamA, blocked: true, unread: true, at: 9 })
  await make('blockedFree', { blocked: true, at: 10 })
  await comment(contact.ofAgentB!, [users.agentA!.userId, users.agentOwn!.userId])
  await comment(contact.ofAgentOwn!, [users.agentOwn!.userId])
})
after(() => server.close())

const names = (rows: { contactId: number }[]) =>
  rows.map((r) => Object.entries(contact).find(([, id]) => id === r.contactId)?.[0] ?? `#${r.contactId}`)

async function view(who: string, v: string, query = '') {
  return users[who]!.client.get(`${base}/inbox?view=${encodeURIComponent(v)}${query}`)
}

describe('inbox views × roles and restrictions (rules 43–47, 102)', () => {
  const OPEN_ALL = ['unassigned', 'ofAgentA', 'ofAgentTeam', 'ofAgentOwn', 'ofAgentB', 'ofManager']
  const matrix: Record<string, Record<string, string[] | 403>> = {
    owner: {
      all: OPEN_ALL,
      mine: [],
      unassigned: ['unassigned'],
      'team:A': ['ofAgentA', 'ofAgentTeam', 'ofAgentOwn'],
      'team:B': ['ofAgentB'],
      mentioned: [],
      blocked: ['blockedOwn', 'blockedFree'],
    },
    manager: {
      all: OPEN_ALL,
      mine: ['ofManager'],
      unassigned: ['unassigned'],
      'team:A': ['ofAgentA', 'ofAgentTeam', 'ofAgentOwn'],
      'team:B': ['ofAgentB'],
      mentioned: [],
      blocked: ['blockedOwn', 'blockedFree'],
    },
    agentA: {
      all: OPEN_ALL,
      mine: ['ofAgentA'],
      unassigned: ['unassigned'],
      'team:A': ['ofAgentA', 'ofAgentTeam', 'ofAgentOwn'],
      'team:B': 403,
      mentioned: ['ofAgentB'],
      blocked: ['blockedOwn', 'blockedFree'],
    },
    agentTeam: {
      all: 403,
      mine: ['ofAgentTeam'],
      unassigned: 403,
      'team:A': ['ofAgentA', 'ofAgentTeam', 'ofAgentOwn'],
      'team:B': 403,
      mentioned: [],
      blocked: ['blockedOwn'],
    },
    agentOwn: {
      all: 403,
      mine: ['ofAgentOwn'],
      unassigned: 403,
      'team:A': 403,
      'team:B': 403,
      // Mentioned on ofAgentB too, but an "own" agent never sees another's contact (rule 102).
      mentioned: ['ofAgentOwn'],
      blocked: ['blockedOwn'],
    },
    agentNoTeam: {
      all: OPEN_ALL,
      mine: [],
      unassigned: ['unassigned'],
      'team:A': 403,
      'team:B': 403,
      mentioned: [],
      blocked: ['blockedOwn', 'blockedFree'],
    },
  }
  for (const [who, views] of Object.entries(matrix)) {
    test(`${who}: every view`, async () => {
      for (const [v, expected] of Object.entries(views)) {
        const name = v.replace('team:A', `team:${teamA}`).replace('team:B', `team:${teamB}`)
        const res = await view(who, name)
        if (expected === 403) {
          assert.equal(res.status, 403, `${who} × ${v}: ${res.text}`)
          assert.equal(res.body.error.code, 'forbidden')
          assert.match(res.body.error.message, /rule/)
          continue
        }
        assert.equal(res.status, 200, `${who} × ${v}: ${res.text}`)
        assert.deepEqual(names(res.body.rows), expected, `${who} × ${v}`)
      }
    })
  }

  test('403 messages say why', async () => {
    const own = await view('agentOwn', 'all')
    assert.equal(
      own.body.error.message,
      'Your contact visibility is restricted, so you see only the Mine inbox; the All inbox is not available to you (rules 44, 102).',
    )
    const team = await view('agentTeam', 'unassigned')
    assert.match(team.body.error.message, /only the Mine inbox and your team's inbox; the Unassigned inbox/)
    const other = await view('agentA', `team:${teamB}`)
    assert.equal(other.body.error.message, "Agents see only their own team's inbox (rule 45).")
  })

  test('status, sort and the slim row', async () => {
    const closed = await view('owner', 'mine', '&status=closed')
    assert.deepEqual(names(closed.body.rows), [])
    assert.deepEqual(names((await view('agentOwn', 'mine', '&status=closed')).body.rows), ['closedOwn'])
    assert.deepEqual(names((await view('owner', 'all', '&status=snoozed')).body.rows), ['snoozedA'])
    const oldest = await view('owner', 'all', '&sort=oldest')
    assert.deepEqual(names(oldest.body.rows), [...OPEN_ALL].reverse())
    const row = (await view('agentA', 'mine')).body.rows[0]
    assert.deepEqual(Object.keys(row).sort(), [
      'assigneeTeamId',
      'assigneeUserId',
      'avatarUrl',
      'blocked',
      'channel',
      'contactId',
      'conversationId',
      'direction',
      'displayName',
      'lastMessageAt',
      'preview',
      'status',
      'unread',
    ])
    assert.equal(row.displayName, 'ofAgentA')
    assert.equal(row.preview, 'hello from ofAgentA')
    assert.equal(row.assigneeUserId, users.agentA!.userId)
    assert.equal(row.status, 'open')
  })

  test('bad requests: unknown view, unknown team, foreign cursor, limit, API tokens on personal views', async () => {
    assert.equal((await view('owner', 'everything')).status, 400)
    assert.equal((await view('owner', 'team:999999')).status, 404)
    assert.equal((await view('owner', 'all', '&limit=101')).status, 400)
    const page = await view('owner', 'all', '&limit=2')
    const cursor = page.body.nextCursor
    assert.ok(cursor)
    const wrongSort = await view('owner', 'all', `&limit=2&sort=oldest&cursor=${cursor}`)
    assert.equal(wrongSort.status, 400)
    assert.equal(wrongSort.body.error.fields[0].path, 'querystring.cursor')
    assert.equal((await view('owner', 'blocked', `&cursor=${cursor}`)).status, 400)
    assert.equal((await view('owner', 'all', '&cursor=bm90LWpzb24')).status, 400)

    const token = await users.owner!.client.post(`${base}/api-tokens`, { name: 'inbox' })
    const api = new TestClient(server.app)
    api.bearer = token.body.token
    assert.equal((await api.get(`${base}/inbox?view=all`)).status, 200)
    const mine = await api.get(`${base}/inbox?view=mine`)
    assert.equal(mine.status, 403)
    assert.match(mine.body.error.message, /API tokens cannot open it/)
  })
})

describe('views list and blue dots (rules 46–48)', () => {
  test('each persona gets the views it may open, with counts and the most specific dot', async () => {
    const owner = (await users.owner!.client.get(`${base}/inbox/views`)).body
    assert.deepEqual(owner.standard, [
      // unassigned, ofAgentTeam, ofAgentB, ofManager are unread and open; blockedOwn is not counted.
      { view: 'all', unread: 4, dot: true },
      { view: 'mine', unread: 0, dot: false },
      { view: 'unassigned', unread: 1, dot: true },
      { view: 'mentioned', unread: null, dot: false },
    ])
    assert.deepEqual(
      owner.teams.map((t: any) => [t.name, t.unread, t.dot]),
      [
        ['Sales', 1, true],
        ['Support', 1, true],
      ],
    )
    assert.deepEqual(owner.blocked, { view: 'blocked' })

    const manager = (await users.manager!.client.get(`${base}/inbox/views`)).body
    // ofManager is the manager's own: the dot sits on Mine, not on All.
    assert.deepEqual(
      manager.standard.map((s: any) => [s.view, s.unread, s.dot]),
      [
        ['all', 4, false],
        ['mine', 1, true],
        ['unassigned', 1, true],
        ['mentioned', null, false],
      ],
    )

    const agentA = (await users.agentA!.client.get(`${base}/inbox/views`)).body
    assert.deepEqual(
      agentA.teams.map((t: any) => t.teamId),
      [teamA],
    )

    const team = (await users.agentTeam!.client.get(`${base}/inbox/views`)).body
    assert.deepEqual(
      team.standard.map((s: any) => [s.view, s.unread, s.dot]),
      [
        ['mine', 1, true],
        ['mentioned', null, false],
      ],
    )
    assert.deepEqual(
      team.teams.map((t: any) => [t.teamId, t.unread, t.dot]),
      [[teamA, 1, false]],
    )
    assert.deepEqual(team.blocked, { view: 'blocked' })

    const own = (await users.agentOwn!.client.get(`${base}/inbox/views`)).body
    assert.deepEqual(
      own.standard.map((s: any) => s.view),
      ['mine', 'mentioned'],
    )
    assert.deepEqual(own.teams, [])
  })

  test('Blocked shows only when a blocked contact is visible to the user (rule 47)', async () => {
    const agentB = (await users.agentB!.client.get(`${base}/inbox/views`)).body
    assert.deepEqual(agentB.blocked, { view: 'blocked' }, 'unrestricted: blockedFree is visible')
    const other = await buildWorkspace(server)
    const restricted = await buildUser(server, other.workspaceId, 'agent', {
      restrictions: { contactVisibility: 'own' },
    })
    await buildContact(server, other.workspaceId, { blockedAt: new Date(), inboxStatus: 'open' })
    const ownerViews = await other.owner.client.get(`/api/v1/workspaces/${other.workspaceId}/inbox/views`)
    assert.deepEqual(ownerViews.body.blocked, { view: 'blocked' })
    const agentViews = await restricted.client.get(`/api/v1/workspaces/${other.workspaceId}/inbox/views`)
    assert.equal(agentViews.body.blocked, null, "someone else's blocked contact does not show the view")
    const empty = await buildWorkspace(server)
    const none = await empty.owner.client.get(`/api/v1/workspaces/${empty.workspaceId}/inbox/views`)
    assert.equal(none.body.blocked, null, 'no blocked contact, no Blocked inbox')
  })
})

describe('marking read (rule 48)', () => {
  test('clears the dot once, records contact.read, and hides nothing it should not', async () => {
    const url = `${base}/contacts/${contact.ofAgentB}/read`
    assert.equal((await users.agentOwn!.client.post(url)).status, 404, 'invisible contact')
    const first = await users.agentB!.client.post(url)
    assert.deepEqual(first.body, { changed: true })
    assert.deepEqual(await users.agentB!.client.post(url).then((r) => r.body), { changed: false })
    const row = (await view('agentB', 'mine')).body.rows[0]
    assert.equal(row.unread, false)
    const { rows } = await server.ctx.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND type = 'contact.read' AND contact_id = $2",
      [ws, contact.ofAgentB],
    )
    assert.equal(rows[0]!.n, 1)
    const csrf = await users.agentB!.client.post(url, {}, { 'x-csrf-token': 'nope' })
    assert.equal(csrf.status, 403)
  })
})

describe('keyset pagination', () => {
  let other: Awaited<ReturnType<typeof buildWorkspace>>
  let ids: number[]
  const url = (q: string) => `/api/v1/workspaces/${other.workspaceId}/inbox?view=all&limit=7${q}`

  before(async () => {
    other = await buildWorkspace(server)
    ids = []
    const t0 = Date.now() - 3_600_000
    for (let i = 0; i < 30; i++) {
      // Groups of three share a timestamp, so ties are broken by id.
      const c = await buildContact(server, other.workspaceId, {
        firstName: `p${i}`,
        inboxStatus: 'open',
        lastMessageAt: new Date(t0 + Math.floor(i / 3) * 1000),
      })
      ids.push(c.id)
    }
    // Microsecond precision that a JS Date cannot hold, and conversations opened before any message.
    await server.ctx.database.query(
      `UPDATE contacts SET last_message_at = last_message_at + interval '123 microseconds'
       WHERE workspace_id = $1 AND id = ANY($2)`,
      [other.workspaceId, ids.slice(0, 6)],
    )
    for (let i = 0; i < 4; i++) {
      const c = await buildContact(server, other.workspaceId, { firstName: `u${i}`, inboxStatus: 'open' })
      ids.push(c.id)
    }
  })

  async function walk(client: TestClient, sort: string, between?: (page: number) => Promise<void>) {
    const seen: number[] = []
    let cursor: string | null = null
    for (let page = 0; page < 20; page++) {
      const res: any = await client.get(url(`&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`))
      assert.equal(res.status, 200, res.text)
      seen.push(...res.body.rows.map((r: any) => r.contactId))
      cursor = res.body.nextCursor
      if (!cursor) return seen
      await between?.(page)
    }
    throw new Error('did not finish')
  }

  test('pages follow the order of the whole list exactly, both ways, undated rows included', async () => {
    const { rows } = await server.ctx.database.query<{ id: number }>(
      `SELECT id FROM contacts WHERE workspace_id = $1 AND inbox_status = 'open'
       ORDER BY last_message_at DESC NULLS LAST, id DESC`,
      [other.workspaceId],
    )
    const expected = rows.map((r) => Number(r.id))
    assert.equal(expected.length, 34)
    assert.deepEqual(await walk(other.owner.client, 'newest'), expected)
    assert.deepEqual(await walk(other.owner.client, 'oldest'), [...expected].reverse())
  })

  test('no duplicates and no skips while new messages arrive between pages', async () => {
    const touched = new Set<number>()
    const seen = await walk(other.owner.client, 'newest', async (page) => {
      // New activity on a row already seen and on one not yet reached: both jump to the top.
      const { rows } = await server.ctx.database.query<{ id: number }>(
        `UPDATE contacts SET last_message_at = now(), unread = true
         WHERE workspace_id = $1 AND id = ANY($2) RETURNING id`,
        [other.workspaceId, [ids[29 - page]!, ids[page * 2]!]],
      )
      for (const r of rows) touched.add(Number(r.id))
    })
    assert.equal(new Set(seen).size, seen.length, 'no contact appears twice')
    const untouched = ids.filter((id) => !touched.has(id))
    for (const id of untouched) assert.ok(seen.includes(id), `contact ${id} was skipped`)
  })
})

describe('team inboxes follow team membership (rule 45)', () => {
  test('joining, leaving, deleting a team and revoking with reassignment keep team views right', async () => {
    const other = await buildWorkspace(server)
    const o = other.owner.client
    const b = `/api/v1/workspaces/${other.workspaceId}`
    const t1 = (await o.post(`${b}/teams`, { name: 'One' })).body.id
    const t2 = (await o.post(`${b}/teams`, { name: 'Two' })).body.id
    const x = await buildUser(server, other.workspaceId, 'agent')
    const y = await buildUser(server, other.workspaceId, 'agent', { teamId: t2 })
    const c = await buildContact(server, other.workspaceId, {
      inboxStatus: 'open',
      lastMessageAt: new Date(),
      assigneeUserId: x.userId,
    })
    const inTeam = async (teamId: number) =>
      (await o.get(`${b}/inbox?view=team:${teamId}`)).body.rows.map((r: any) => r.contactId)

    assert.equal((await o.put(`${b}/teams/${t1}/members/${x.userId}`)).status, 200)
    assert.deepEqual(await inTeam(t1), [c.id], "joining a team brings one's contacts into its inbox")
    assert.equal((await o.delete(`${b}/teams/${t1}/members/${x.userId}`)).status, 200)
    assert.deepEqual(await inTeam(t1), [], 'leaving takes them out')
    await o.put(`${b}/teams/${t1}/members/${x.userId}`)
    assert.equal((await o.delete(`${b}/teams/${t1}`)).status, 200)
    const { rows } = await server.ctx.database.query<{ team: number | null }>(
      'SELECT assignee_team_id AS team FROM contacts WHERE workspace_id = $1 AND id = $2',
      [other.workspaceId, c.id],
    )
    assert.equal(rows[0]!.team, null, 'a deleted team leaves no contacts behind')

    assert.equal((await o.delete(`${b}/users/${x.userId}`, { reassignContactsTo: y.userId })).status, 200)
    assert.deepEqual(await inTeam(t2), [c.id], "revoking moves the contacts to the new assignee's team")
    const mine = await y.client.get(`${b}/inbox?view=mine`)
    assert.deepEqual(
      mine.body.rows.map((r: any) => r.contactId),
      [c.id],
    )
  })
})

describe('the Mentioned view with real comments (rule 43 proposal, rule 50)', () => {
  test('a comment mentioning a user puts the contact in their Mentioned view, and only theirs', async () => {
    const other = await buildWorkspace(server)
    const b = `/api/v1/workspaces/${other.workspaceId}`
    const agent = await buildUser(server, other.workspaceId, 'agent')
    const c = await buildContact(server, other.workspaceId, {
      inboxStatus: 'open',
      lastMessageAt: new Date(),
    })
    const before = await agent.client.get(`${b}/inbox?view=mentioned`)
    assert.deepEqual(before.body.rows, [])
    const posted = await other.owner.client.post(`${b}/contacts/${c.id}/comments`, {
      body: `Can you take this one, {{@user.${agent.userId}}}?`,
    })
    assert.equal(posted.status, 201, posted.text)
    const after = await agent.client.get(`${b}/inbox?view=mentioned`)
    assert.deepEqual(
      after.body.rows.map((r: any) => r.contactId),
      [c.id],
    )
    const owners = await other.owner.client.get(`${b}/inbox?view=mentioned`)
    assert.deepEqual(owners.body.rows, [], 'only the mentioned user')
  })
})
