/**
 * Inbox read paths at scale (issue 3): an inbox page, a partial contact search and a contact's
 * latest messages, against a PostgreSQL seeded in bulk.
 *
 *   npm run bench -- inbox
 *
 *   BENCH_CONTACTS=1000000  contacts seeded (the issue asks 1M)
 *   BENCH_MESSAGES=10000000 messages seeded (the issue asks 10M), spread over the contacts
 *   BENCH_SAMPLES=300       measured calls per query kind (after 30 warm-up calls)
 *
 * Seeding: one workspace with its owner and a channel made through the API, then contacts and
 * messages in bulk (bench/lib/bulk-seed.ts: INSERT … SELECT FROM generate_series, the two tables'
 * secondary indexes dropped during the load and rebuilt afterwards, then ANALYZE). Contacts: 10%
 * open (a fifth of them unread), 5% snoozed, the rest closed; a third assigned to the owner; names
 * from small Arabic and Latin lists, Saudi phone numbers.
 *
 * Measured (each p95 over BENCH_SAMPLES calls, one at a time):
 *   list_p95_ms    an inbox page (50 rows) of the All, Mine or Unassigned view, open, newest first:
 *                  the statement the Inbox API runs (listInboxPage), first pages and pages
 *                  further down through the cursor
 *   search_p95_ms  a partial search (rule 49) on name or phone fragments, frequent and rare: the
 *                  Contacts API's page (searchOf + listContactsPage; contacts_created in order for
 *                  frequent terms, the trigram index contacts_search for rare ones)
 *   history_p95_ms the latest 50 messages of a contact (listContactMessages, index
 *                  messages_contact_history), as the messages API reads them
 * The same three through HTTP (the Fastify app, session auth, presenters) are printed on their own
 * line for reference. EXPLAIN (ANALYZE, BUFFERS) of one call of each is printed at the end.
 *
 * RESULT inbox list_p95_ms=N search_p95_ms=N history_p95_ms=N messages=N
 */
import { listContactsPage } from '../src/server/contacts/search.repo'
import { searchOf } from '../src/server/contacts/search.service'
import { inboxPageQuery, listInboxPage, type PageQuery } from '../src/server/inbox/inbox.repo'
import { listContactMessages } from '../src/server/messages/messages.repo'
import { startPgServer } from '../src/server/test/pg-server'
import { bulkSeed } from './lib/bulk-seed'
import { benchOwner } from './lib/owner'
import { startBenchServer } from './lib/server'
import { load, percentile, round } from './lib/stats'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)

async function measure(label: string, samples: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 30; i++) await fn(i)
  const ms: number[] = []
  for (let i = 0; i < samples; i++) {
    const t = performance.now()
    await fn(i)
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  console.log(
    `${label}: p50 ${round(percentile(ms, 50), 2)} ms, p95 ${round(percentile(ms, 95), 2)} ms, max ${round(ms.at(-1)!, 2)} ms (load ${load()})`,
  )
  return percentile(ms, 95)
}

export default async function main() {
  const n = num(process.env.BENCH_CONTACTS, 1_000_000)
  const m = num(process.env.BENCH_MESSAGES, 10_000_000)
  const samples = num(process.env.BENCH_SAMPLES, 300)
  console.log(`load average at start: ${load()}; ${n} contacts, ${m} messages`)
  const pgServer = await startPgServer({
    extraSettings: { maintenance_work_mem: '1GB', max_wal_size: '8GB', work_mem: '16MB' },
  })
  const { server, stop } = await startBenchServer(pgServer.url())
  try {
    const { owner, ws, ownerId } = await benchOwner(server)
    const ch = await owner.post(`/api/v1/workspaces/${ws}/channels`, {
      type: 'custom',
      name: 'Gateway',
      config: { idType: 'phone', destinationUrl: 'http://127.0.0.1:9/never-called' },
    })
    if (ch.status !== 201) throw new Error(`channel: ${ch.status} ${ch.text}`)
    const database = server.ctx.database
    const db = server.ctx.db
    console.log('seeding:')
    const { lo, hi } = await bulkSeed(database, pgServer.url(), {
      workspaceId: ws,
      channelId: ch.body.id as number,
      ownerId,
      contacts: n,
      messages: m,
    })
    const { rows: counted } = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')
    const messages = counted[0]!.n

    // Inbox pages: views × (first page, then up to 4 pages down by cursor), cycling.
    const views: PageQuery['scope'][] = [
      { kind: 'all' },
      { kind: 'mine', userId: ownerId },
      { kind: 'unassigned' },
    ]
    const pageQuery = (scope: PageQuery['scope'], after: PageQuery['after']): PageQuery => ({
      scope,
      visibility: { kind: 'all' },
      status: 'open',
      sort: 'newest',
      after,
      limit: 50,
    })
    let cursor: PageQuery['after'] = null
    const list = await measure('inbox page (listInboxPage)', samples, async (i) => {
      const scope = views[Math.floor(i / 5) % views.length]!
      if (i % 5 === 0) cursor = null
      const page = await listInboxPage(db, ws, pageQuery(scope, cursor))
      cursor = page.next
    })

    const terms = [
      'أحم',
      'ahm',
      'omar',
      'القحط',
      'sale',
      'lina',
      'haddad',
      '95512',
      '0550',
      'فاطم',
      'garc',
      'yus',
    ]
    const search = await measure('partial search (listContactsPage)', samples, (i) =>
      listContactsPage(db, ws, { search: searchOf(terms[i % terms.length]!, []) }, null, 50),
    )
    const pick = (i: number) => lo + ((i * 104_729) % (hi - lo + 1))
    const history = await measure('latest 50 messages (listContactMessages)', samples, (i) =>
      listContactMessages(db, ws, pick(i), { limit: 50 }),
    )

    // The same through HTTP, for reference.
    const api = `/api/v1/workspaces/${ws}`
    const httpList = await measure('HTTP GET /inbox', Math.min(samples, 100), async (i) => {
      const view = ['all', 'mine', 'unassigned'][i % 3]
      const r = await owner.get(`${api}/inbox?view=${view}&limit=50`)
      if (r.status !== 200) throw new Error(`inbox: ${r.status} ${r.text}`)
    })
    const httpSearch = await measure('HTTP GET /contacts?search=', Math.min(samples, 100), async (i) => {
      const r = await owner.get(`${api}/contacts?q=${encodeURIComponent(terms[i % terms.length]!)}&limit=50`)
      if (r.status !== 200) throw new Error(`search: ${r.status} ${r.text}`)
    })
    const httpHistory = await measure(
      'HTTP GET /contacts/:id/messages',
      Math.min(samples, 100),
      async (i) => {
        const r = await owner.get(`${api}/contacts/${pick(i)}/messages?limit=50`)
        if (r.status !== 200) throw new Error(`messages: ${r.status} ${r.text}`)
      },
    )
    console.log(
      `HTTP p95: list ${round(httpList, 1)} ms, search ${round(httpSearch, 1)} ms, history ${round(httpHistory, 1)} ms`,
    )

    // The plans, one call of each.
    const explain = async (label: string, q: { toSQL: () => { sql: string; params: unknown[] } }) => {
      const { sql, params } = q.toSQL()
      const { rows } = await database.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
        params,
      )
      console.log(`\n-- ${label}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`)
    }
    const first = await listInboxPage(db, ws, pageQuery({ kind: 'all' }, null))
    await explain(
      'inbox page: All, open, newest, first page',
      inboxPageQuery(db, ws, pageQuery({ kind: 'all' }, null), 'dated', null, 51),
    )
    await explain(
      'inbox page: All, open, newest, next page (cursor)',
      inboxPageQuery(db, ws, pageQuery({ kind: 'all' }, first.next), 'dated', first.next, 51),
    )
    await explain(
      'inbox page: Mine',
      inboxPageQuery(db, ws, pageQuery({ kind: 'mine', userId: ownerId }, null), 'dated', null, 51),
    )
    await explain(
      'inbox page: Unassigned',
      inboxPageQuery(db, ws, pageQuery({ kind: 'unassigned' }, null), 'dated', null, 51),
    )
    const { contactPageQuery } = await import('../src/server/contacts/search.repo')
    await explain(
      'search "القحط" (frequent: 10% of the contacts)',
      contactPageQuery(db, ws, { search: searchOf('القحط', []) }, null, 51),
    )
    await explain(
      'search "0550" (phone digits, a few hundred matches)',
      contactPageQuery(db, ws, { search: searchOf('0550', []) }, null, 51),
    )
    await explain(
      'search "95512" (phone digits)',
      contactPageQuery(db, ws, { search: searchOf('95512', []) }, null, 51),
    )
    const { messages: messagesTable } = await import('../src/server/db/schema')
    const { and, desc, eq } = await import('drizzle-orm')
    await explain(
      'latest 50 messages of a contact',
      db
        .select()
        .from(messagesTable)
        .where(and(eq(messagesTable.workspaceId, ws), eq(messagesTable.contactId, pick(1))))
        .orderBy(desc(messagesTable.id))
        .limit(50),
    )
    console.log(
      `\nRESULT inbox list_p95_ms=${round(list, 2)} search_p95_ms=${round(search, 2)} history_p95_ms=${round(history, 2)} messages=${messages}`,
    )
  } finally {
    await stop()
    pgServer.stop()
  }
}
