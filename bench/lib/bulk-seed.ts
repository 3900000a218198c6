import pg from 'pg'
import type { Database } from '../../src/server/db/database'
import { load } from './stats'

/**
 * The bulk seed of the inbox benchmarks (issue 3's 1M contacts / 10M messages), shared by
 * `bench/inbox.ts` and `bench/inbox-ui.ts`.
 *
 * Contacts and messages are written with INSERT … SELECT FROM generate_series on a connection with
 * foreign-key triggers off, with the two tables' secondary indexes dropped during the load and
 * rebuilt afterwards from their own definitions (pg_indexes), then ANALYZE. Contacts: 10% open (a
 * fifth of them unread), 5% snoozed, the rest closed; a third assigned to the owner; names from
 * small Arabic and Latin lists, Saudi phone numbers; the newest activity is the seed's start, older
 * ones 13 s apart. Messages spread over the contacts, the newest at the seed's start.
 *
 * With `conversations`, every open and snoozed contact also gets its open conversation (as ingest
 * would have made it), so the inbox rows point at one like real rows do.
 */
export type BulkSeed = {
  workspaceId: number
  channelId: number
  ownerId: number
  contacts: number
  messages: number
  conversations?: boolean
}

const FIRST = [
  'أحمد',
  'محمد',
  'فاطمة',
  'نورة',
  'خالد',
  'سارة',
  'Omar',
  'Lina',
  'Yusuf',
  'Maria',
  'John',
  'Aisha',
]
const LAST = [
  'العتيبي',
  'القحطاني',
  'الشهري',
  'Hassan',
  'Saleh',
  'Smith',
  'Garcia',
  'Nasser',
  'Haddad',
  'Khan',
]
const sqlArray = (a: string[]) => `ARRAY[${a.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')}]`

/** Drops a table's secondary indexes (not the primary key, not unique constraints' backing) and returns how to rebuild them. */
export async function dropIndexes(database: Database, table: string): Promise<string[]> {
  const { rows } = await database.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = $1
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [table],
  )
  for (const r of rows) await database.exec(`DROP INDEX ${r.name}`)
  return rows.map((r) => r.def)
}

export async function timed(label: string, fn: () => Promise<unknown>) {
  const t = Date.now()
  await fn()
  console.log(`  ${label}: ${((Date.now() - t) / 1000).toFixed(1)} s (load ${load()})`)
}

/** Seeds the workspace in bulk (see above); returns the seeded contacts' id range. */
export async function bulkSeed(database: Database, url: string, s: BulkSeed) {
  const { workspaceId: ws, channelId, ownerId, contacts: n, messages: m } = s
  const [stage] = (
    await database.query<{ id: number }>(
      'SELECT id FROM lifecycle_stages WHERE workspace_id = $1 AND is_default',
      [ws],
    )
  ).rows
  const contactIdx = await dropIndexes(database, 'contacts')
  const messageIdx = await dropIndexes(database, 'messages')
  // The rows are valid by construction (contacts in range, the channel exists): the load runs with
  // foreign-key triggers off (session_replication_role) on its own connection.
  const loader = new pg.Client({ connectionString: url })
  await loader.connect()
  await loader.query("SET session_replication_role = 'replica'")
  const CHUNK = 100_000
  await timed(`${n} contacts`, async () => {
    for (let from = 0; from < n; from += CHUNK) {
      await loader.query(
        `INSERT INTO contacts (workspace_id, first_name, last_name, phone, country, lifecycle_stage_id,
           assignee_user_id, last_interacted_channel_id, inbox_status, last_message_at, last_incoming_at,
           last_message_preview, last_message_direction, unread, created_at)
         SELECT $1, (${sqlArray(FIRST)})[1 + g % ${FIRST.length}], (${sqlArray(LAST)})[1 + (g / 7) % ${LAST.length}],
           '+9665' || lpad(((g::bigint * 7919) % 100000000)::text, 8, '0'), 'SA', $2,
           CASE WHEN g % 3 = 0 THEN $3::bigint END, $4,
           CASE WHEN g % 20 < 2 THEN 'open' WHEN g % 20 = 2 THEN 'snoozed' ELSE 'closed' END,
           now() - make_interval(secs => g * 13), now() - make_interval(secs => g * 13),
           'Message ' || g, CASE WHEN g % 2 = 0 THEN 'in' ELSE 'out' END, g % 20 = 0,
           now() - make_interval(secs => g * 17)
         FROM generate_series($5::int, $6::int) g`,
        [ws, stage?.id ?? null, ownerId, channelId, from, Math.min(from + CHUNK, n) - 1],
      )
    }
  })
  const { rows: range } = await database.query<{ lo: string; hi: string }>(
    'SELECT min(id) AS lo, max(id) AS hi FROM contacts WHERE workspace_id = $1',
    [ws],
  )
  const lo = Number(range[0]!.lo)
  if (s.conversations) {
    await timed('open conversations of the open and snoozed contacts', async () => {
      await loader.query(
        `INSERT INTO conversations (workspace_id, contact_id, status, opened_at, opened_source,
           opened_channel_id, first_assignee_user_id, last_assignee_user_id, snoozed_until,
           incoming_count, last_message_at)
         SELECT workspace_id, id, 'open', last_message_at - interval '10 minutes', 'contact',
           last_interacted_channel_id, assignee_user_id, assignee_user_id,
           CASE WHEN inbox_status = 'snoozed' THEN now() + interval '1 day' END, 1, last_message_at
         FROM contacts WHERE workspace_id = $1 AND inbox_status IN ('open', 'snoozed')`,
        [ws],
      )
      await loader.query(
        `UPDATE contacts c SET conversation_id = v.id FROM conversations v
         WHERE c.workspace_id = $1 AND v.workspace_id = $1 AND v.contact_id = c.id AND v.status = 'open'`,
        [ws],
      )
    })
  }
  const CHUNK_M = 500_000
  await timed(`${m} messages`, async () => {
    for (let from = 0; from < m; from += CHUNK_M) {
      await loader.query(
        `INSERT INTO messages (workspace_id, contact_id, channel_id, direction, author_kind, author_id, type, text,
           status, provider_message_id, created_at, sent_at)
         SELECT $1, $2::bigint + g % $3::int, $4, CASE WHEN g % 3 = 0 THEN 'out' ELSE 'in' END,
           CASE WHEN g % 3 = 0 THEN 'user' ELSE 'contact' END, NULL, 'text', 'Hello, message number ' || g,
           CASE WHEN g % 3 = 0 THEN 'read' ELSE 'received' END, 'seed-' || g,
           now() - make_interval(secs => ($5::int - g)), now() - make_interval(secs => ($5::int - g))
         FROM generate_series($6::int, $7::int) g`,
        [ws, lo, n, channelId, m, from, Math.min(from + CHUNK_M, m) - 1],
      )
    }
  })
  await loader.end()
  await timed(`rebuild ${contactIdx.length} contacts indexes`, async () => {
    for (const def of contactIdx) await database.exec(def)
  })
  await timed(`rebuild ${messageIdx.length} messages indexes`, async () => {
    for (const def of messageIdx) await database.exec(def)
  })
  await timed('ANALYZE', () =>
    database.exec(`ANALYZE contacts; ANALYZE messages${s.conversations ? '; ANALYZE conversations' : ''}`),
  )
  return { lo, hi: Number(range[0]!.hi) }
}
