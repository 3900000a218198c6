import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { openContactCounts, openContactCountsQuery } from '../presence/presence.repo'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, TEST_DB, type TestServer } from '../test/harness'
import type { Cursor } from './cursor'
import { compileFilter } from './custom-filter.repo'
import { inboxPageQuery, type PageQuery, unreadGroups, type ViewScope } from './inbox.repo'

/**
 * The inbox queries on PostgreSQL with 100,000 contacts: each view's page is a range scan of its
 * index in index order (no sort, no filtering of skipped rows), on the first page and deep down.
 * TAWASUL_PRINT_PLANS=1 prints the plans.
 */
const SKIP =
  TEST_DB === 'postgres' ? false : 'query plans are checked on PostgreSQL (PGlite has no statistics worth it)'

let server: TestServer
let ws: number
let ownerId: number
let agents: number[] = []
const teams: number[] = []

async function explain(query: { toSQL: () => { sql: string; params: unknown[] } }): Promise<string> {
  const { sql: text, params } = query.toSQL()
  const { rows } = await server.ctx.database.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${text}`,
    params,
  )
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n')
  if (process.env.TAWASUL_PRINT_PLANS) console.log(`\n${plan}\n`)
  return plan
}

function page(scope: ViewScope, extra: Partial<PageQuery> = {}): PageQuery {
  return {
    scope,
    visibility: { kind: 'all' },
    status: 'open',
    sort: 'newest',
    after: null,
    limit: 50,
    ...extra,
  }
}

/** An index scan that feeds the limit directly: no Sort node, no rows thrown away by a filter. */
function assertRangeScan(plan: string, index: string) {
  assert.match(plan, new RegExp(`Index Scan (Backward )?using ${index} on contacts`), plan)
  assert.doesNotMatch(plan, /\bSort\b/, plan)
  const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1]))
  assert.ok(
    removed.every((n) => n < 100),
    `rows filtered out: ${removed}\n${plan}`,
  )
}

describe('inbox query plans (PostgreSQL, 100k contacts)', () => {
  before(async () => {
    if (SKIP) return
    server = await startTestServer()
    const owner = await setupOwner(server)
    ws = owner.workspaceId
    ownerId = owner.userId
    for (let t = 0; t < 4; t++) {
      teams.push((await owner.client.post(`/api/v1/workspaces/${ws}/teams`, { name: `Team ${t}` })).body.id)
    }
    agents = []
    for (let i = 0; i < 12; i++)
      agents.push((await buildUser(server, ws, 'agent', { teamId: teams[i % 4]! })).userId)
    const other = await server.ctx.database.query<{ id: number }>(
      "INSERT INTO workspaces (organization_id, name) SELECT organization_id, 'Noise' FROM workspaces WHERE id = $1 RETURNING id",
      [ws],
    )
    const db = server.ctx.db
    // 70,000 contacts here and 30,000 in another workspace: 70% closed, 25% open, 5% snoozed;
    // a third unassigned; some unread, some blocked, a few conversations without messages yet.
    await db.execute(sql`
      INSERT INTO contacts (workspace_id, first_name, inbox_status, last_message_at, assignee_user_id,
                            assignee_team_id, unread, blocked_at, last_message_preview, last_incoming_at)
      SELECT ${ws}, 'c' || g,
             CASE WHEN g % 20 < 14 THEN 'closed' WHEN g % 20 < 19 THEN 'open' ELSE 'snoozed' END,
             CASE WHEN g % 97 = 0 THEN NULL ELSE now() - (g % 525600) * interval '1 minute' - (g % 1000) * interval '1 microsecond' END,
             a.user_id, a.team_id, g % 23 = 0,
             CASE WHEN g % 211 = 0 THEN now() - g * interval '1 second' END, 'hello',
             now() - (g % 525600) * interval '1 minute' - (g % 5) * interval '1 hour'
      FROM generate_series(1, 70000) g
      LEFT JOIN LATERAL (
        SELECT (${JSON.stringify(agents)}::jsonb ->> (g % 12))::bigint AS user_id,
               (${JSON.stringify(agents.map((_, i) => teams[i % 4]))}::jsonb ->> (g % 12))::bigint AS team_id
        WHERE g % 3 <> 0
      ) a ON true`)
    await db.execute(sql`
      INSERT INTO contacts (workspace_id, first_name, inbox_status, last_message_at)
      SELECT ${Number(other.rows[0]!.id)}, 'n' || g, 'open', now() - g * interval '1 minute'
      FROM generate_series(1, 30000) g`)
    await db.execute(sql`
      INSERT INTO comments (workspace_id, contact_id, author_kind, body, mentions)
      SELECT ${ws}, id, 'user', 'note', jsonb_build_array((${JSON.stringify(agents)}::jsonb ->> (id % 12)::int)::bigint)
      FROM contacts WHERE workspace_id = ${ws} AND id % 7 = 0`)
    await db.execute(sql`ANALYZE contacts`)
    await db.execute(sql`ANALYZE comments`)
  })
  after(() => server?.close())

  test('All, newest first: first page, a deep page, oldest first', { skip: SKIP }, async () => {
    assertRangeScan(
      await explain(inboxPageQuery(server.ctx.db, ws, page({ kind: 'all' }), 'dated', null, 51)),
      'contacts_inbox_all',
    )
    // A cursor 10,000 rows down: the scan starts there.
    const { rows } = await server.ctx.database.query<{ at: string; id: number }>(
      `SELECT to_char(last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id FROM contacts
       WHERE workspace_id = $1 AND inbox_status = 'open' AND blocked_at IS NULL AND last_message_at IS NOT NULL
       ORDER BY last_message_at DESC, id DESC OFFSET 10000 LIMIT 1`,
      [ws],
    )
    const deep: Cursor = { phase: 'dated', at: rows[0]!.at, id: Number(rows[0]!.id) }
    const plan = await explain(
      inboxPageQuery(server.ctx.db, ws, page({ kind: 'all' }, { after: deep }), 'dated', deep, 51),
    )
    assertRangeScan(plan, 'contacts_inbox_all')
    assert.match(plan, /Index Cond: .*ROW\(last_message_at, id\) < ROW/, plan)
    assertRangeScan(
      await explain(
        inboxPageQuery(
          server.ctx.db,
          ws,
          page({ kind: 'all' }, { sort: 'oldest', after: deep }),
          'dated',
          deep,
          51,
        ),
      ),
      'contacts_inbox_all',
    )
    assertRangeScan(
      await explain(inboxPageQuery(server.ctx.db, ws, page({ kind: 'all' }), 'undated', null, 51)),
      'contacts_inbox_all',
    )
  })

  test('Mine, Team, Unassigned, Blocked: each on its own index', { skip: SKIP }, async () => {
    const q = (scope: ViewScope, extra: Partial<PageQuery> = {}) =>
      explain(inboxPageQuery(server.ctx.db, ws, page(scope, extra), 'dated', null, 51))
    assertRangeScan(await q({ kind: 'mine', userId: agents[1]! }), 'contacts_inbox_assignee')
    assertRangeScan(
      await q({ kind: 'mine', userId: agents[1]! }, { status: 'closed' }),
      'contacts_inbox_assignee',
    )
    assertRangeScan(await q({ kind: 'team', teamId: teams[2]! }), 'contacts_inbox_team')
    assertRangeScan(
      await q(
        { kind: 'team', teamId: teams[2]! },
        { visibility: { kind: 'team', userId: agents[2]!, teamId: teams[2]! } },
      ),
      'contacts_inbox_team',
    )
    assertRangeScan(await q({ kind: 'unassigned' }), 'contacts_inbox_unassigned')
    assertRangeScan(await q({ kind: 'blocked' }), 'contacts_blocked')
  })

  test('Mentioned and custom inboxes', { skip: SKIP }, async () => {
    // Often mentioned: walk the inbox index, probing each contact's comments.
    const often = await explain(
      inboxPageQuery(server.ctx.db, ws, page({ kind: 'mentioned', userId: agents[2]! }), 'dated', null, 51),
    )
    assert.match(often, /Index Scan using contacts_inbox_all/, often)
    assert.doesNotMatch(often, /Seq Scan on comments/, often)
    // Rarely mentioned: the few comments come from the GIN index, then their contacts by key.
    await server.ctx.database.query(
      `INSERT INTO comments (workspace_id, contact_id, author_kind, body, mentions)
       SELECT workspace_id, id, 'user', 'note', jsonb_build_array($2::bigint) FROM contacts
       WHERE workspace_id = $1 AND inbox_status = 'open' ORDER BY id LIMIT 3`,
      [ws, ownerId],
    )
    await server.ctx.database.query('ANALYZE comments')
    const rare = await explain(
      inboxPageQuery(server.ctx.db, ws, page({ kind: 'mentioned', userId: ownerId }), 'dated', null, 51),
    )
    assert.match(rare, /Bitmap Index Scan on comments_mentions/, rare)
    const filter = compileFilter(
      {
        op: 'and',
        conditions: [
          { field: 'assignee', operator: 'exists' },
          { field: 'time_since_last_incoming', operator: 'less_than', value: { amount: 30, unit: 'days' } },
        ],
      },
      { viewerUserId: agents[0]!, now: new Date(), customFieldTypes: new Map() },
    )
    const custom = await explain(
      inboxPageQuery(server.ctx.db, ws, page({ kind: 'custom', filter }), 'dated', null, 51),
    )
    assert.match(custom, /contacts_inbox_all/, custom)
  })

  test('blue-dot counts and open contacts per member read small index ranges', { skip: SKIP }, async () => {
    const unread = await explain(unreadGroups(server.ctx.db, ws, { kind: 'all' }))
    assert.match(unread, /contacts_inbox_unread/, unread)
    const restricted = await explain(
      unreadGroups(server.ctx.db, ws, { kind: 'team', userId: agents[0]!, teamId: teams[0]! }),
    )
    assert.match(restricted, /contacts_inbox_unread/, restricted)
    const open = await explain(openContactCountsQuery(server.ctx.db, ws))
    assert.match(open, /contacts_inbox_assignee/, open)
    assert.equal((await openContactCounts(server.ctx.db, ws)).size, 13)
  })
})
