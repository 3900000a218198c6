/**
 * Inbound webhook ingest throughput and latency (issue 3), against a baseline measured in the same
 * run on the same PostgreSQL server (the machine is shared and noisy: compare ratios).
 *
 *   npm run bench -- ingest             PostgreSQL 15 (durable: fsync on), started here
 *   npm run bench -- ingest --pglite    embedded PGlite (file data directory), no baseline
 *
 *   BENCH_SECONDS=10 measured seconds per phase   BENCH_CONCURRENCY=32 requests in flight
 *   BENCH_CONTACTS=10000 contacts, BENCH_NEW=0.2 of the messages from contacts never seen before
 *
 * Workload: a WhatsApp Cloud channel; (1 − new) × contacts exist before the run (identity, open
 * conversation, inbox row), and each message comes from a contact never seen before with
 * probability `new` (contact, identity and conversation created), otherwise from a random
 * existing contact. Webhooks are signed (X-Hub-Signature-256) and posted over HTTP by a load
 * generator in its own process (bench/lib/ingest-load.ts).
 *
 * Phases: baseline A → ingest at peak (closed loop, BENCH_CONCURRENCY in flight) → baseline B →
 * ingest at half the peak rate (open loop) for latency.
 *   msgs_per_s        acknowledged webhooks per second at peak (a 200 is sent only after commit)
 *   baseline_tx_per_s the same mix through a 4-statement transaction (contact upsert, conversation
 *                     open-if-none, message insert, event insert) driven directly with `pg`
 *                     (prepared statements) at the same concurrency, on copies of the tables
 *                     (same columns and indexes); the mean of A and B
 *   p50_ms, p99_ms    latency at half the peak rate: scheduled send → the message.received frame
 *                     on an agent's realtime WebSocket (the message visible in the inbox); the
 *                     latency to the webhook's acknowledgement is printed too
 *
 * RESULT ingest msgs_per_s=N baseline_tx_per_s=N ratio=R p50_ms=N p99_ms=N
 */
import { fork } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import type { Database } from '../src/server/db/database'
import { groupCommitOf } from '../src/server/ingest/ingest'
import { startPgServer } from '../src/server/test/pg-server'
import { startMetaSimulator } from '../src/simulators/meta/meta-simulator'
import { EXISTING_PREFIX, type LoadSetup, NEW_PREFIX, type Phase, type PhaseResult } from './lib/ingest-load'
import { benchOwner } from './lib/owner'
import { startBenchServer } from './lib/server'
import { load, percentile, round } from './lib/stats'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)

type LoadGenerator = {
  setup: (s: LoadSetup) => Promise<void>
  run: (p: Phase) => Promise<PhaseResult>
  stop: () => void
}

/** The load generator runs in its own process; phases are requested over IPC, one at a time. */
function startLoadGenerator(): LoadGenerator {
  const child = fork(path.join(import.meta.dirname, 'lib/ingest-load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let waiting: ((m: { result?: PhaseResult }) => void) | null = null
  child.on('message', (m: { result?: PhaseResult }) => waiting?.(m))
  const ask = (msg: { setup: LoadSetup } | { phase: Phase }) =>
    new Promise<{ result?: PhaseResult }>((resolve) => {
      waiting = resolve
      child.send(msg)
    })
  return {
    setup: async (setup) => {
      await ask({ setup })
    },
    run: async (phase) => (await ask({ phase })).result!,
    stop: () => child.connected && child.send({ stop: true }),
  }
}

/** Existing contacts as ingest would have left them: contact with inbox row, identity, open conversation. */
async function seedExisting(
  database: Database,
  t: { contacts: string; identities?: string; conversations: string; messages: string },
  ws: number,
  channelId: number,
  n: number,
) {
  const [stage] = (
    await database.query<{ id: number }>(
      'SELECT id FROM lifecycle_stages WHERE workspace_id = $1 AND is_default',
      [ws],
    )
  ).rows
  await database.query(
    `INSERT INTO ${t.contacts} (workspace_id, first_name, phone, country, lifecycle_stage_id, last_interacted_channel_id,
       inbox_status, last_message_at, last_incoming_at, last_message_preview, last_message_direction, unread)
     SELECT $1, 'Customer', '+' || ($4::bigint + g), 'SA', $2, $3, 'open', now(), now(), 'Hello', 'in', true
     FROM generate_series(0, $5::int - 1) g`,
    [ws, stage?.id ?? null, channelId, EXISTING_PREFIX, n],
  )
  if (t.identities)
    await database.query(
      `INSERT INTO ${t.identities} (workspace_id, contact_id, channel_id, identifier, display_name, last_incoming_at)
       SELECT workspace_id, id, $2, phone, 'Customer', now() FROM ${t.contacts} WHERE workspace_id = $1`,
      [ws, channelId],
    )
  await database.query(
    `INSERT INTO ${t.conversations} (workspace_id, contact_id, status, opened_source, opened_channel_id, incoming_count, last_message_at)
     SELECT workspace_id, id, 'open', 'contact', $2, 1, now() FROM ${t.contacts} WHERE workspace_id = $1`,
    [ws, channelId],
  )
  // Each existing conversation holds the message that opened it: a store that has been in use,
  // and table statistics (ANALYZE after seeding) that know the messages table is not empty.
  await database.query(
    `INSERT INTO ${t.messages} (workspace_id, contact_id, conversation_id, channel_id, direction, author_kind,
       author_id, type, text, status, provider_message_id)
     SELECT workspace_id, contact_id, id, $2, 'in', 'contact', contact_id, 'text', 'Hello', 'received', 'wamid.seed-' || id
     FROM ${t.conversations} WHERE workspace_id = $1`,
    [ws, channelId],
  )
  await database.query(
    `UPDATE ${t.contacts} k SET conversation_id = v.id FROM ${t.conversations} v
     WHERE k.workspace_id = $1 AND v.workspace_id = $1 AND v.contact_id = k.id AND v.status = 'open'`,
    [ws],
  )
}

/**
 * The baseline: what one inbound message minimally costs — a 4-statement transaction driven with
 * pg at the given concurrency, on bench_* copies of the tables (same columns and indexes, no
 * foreign keys) holding the same existing contacts.
 */
async function createBaseline(database: Database, ws: number, channelId: number, existing: number) {
  await database.exec(`
    DROP TABLE IF EXISTS bench_contacts, bench_conversations, bench_messages, bench_events;
    CREATE TABLE bench_contacts (LIKE contacts INCLUDING ALL);
    CREATE UNIQUE INDEX bench_contacts_phone_key ON bench_contacts (workspace_id, phone);
    CREATE TABLE bench_conversations (LIKE conversations INCLUDING ALL);
    CREATE TABLE bench_messages (LIKE messages INCLUDING ALL);
    CREATE TABLE bench_events (LIKE events INCLUDING ALL);`)
  await seedExisting(
    database,
    { contacts: 'bench_contacts', conversations: 'bench_conversations', messages: 'bench_messages' },
    ws,
    channelId,
    existing,
  )
  await database.exec('ANALYZE bench_contacts; ANALYZE bench_conversations; ANALYZE bench_messages')
}

let baselineNew = 0
let baselineSeq = 0
async function runBaseline(
  url: string,
  o: {
    ws: number
    channelId: number
    existing: number
    newFraction: number
    concurrency: number
    seconds: number
  },
): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: o.concurrency })
  const upsertContact = {
    name: 'bench_upsert_contact',
    text: `INSERT INTO bench_contacts (workspace_id, first_name, phone, last_interacted_channel_id, inbox_status,
             last_message_at, last_incoming_at, last_message_preview, last_message_direction, unread)
           VALUES ($1, $2, $3, $4, 'open', now(), now(), $5, 'in', true)
           ON CONFLICT (workspace_id, phone) DO UPDATE SET last_message_at = excluded.last_message_at,
             last_incoming_at = excluded.last_incoming_at, last_message_preview = excluded.last_message_preview,
             last_message_direction = 'in', unread = true, updated_at = now()
           RETURNING id`,
  }
  const openConversation = {
    name: 'bench_open_conversation',
    text: `WITH ins AS (
             INSERT INTO bench_conversations (workspace_id, contact_id, status, opened_source, opened_channel_id, incoming_count, last_message_at)
             VALUES ($1, $2, 'open', 'contact', $3, 1, now())
             ON CONFLICT (workspace_id, contact_id) WHERE status = 'open' DO NOTHING RETURNING id)
           SELECT id FROM ins UNION ALL
           SELECT id FROM bench_conversations WHERE workspace_id = $1 AND contact_id = $2 AND status = 'open'
           LIMIT 1`,
  }
  const insertMessage = {
    name: 'bench_insert_message',
    text: `INSERT INTO bench_messages (workspace_id, contact_id, conversation_id, channel_id, direction, author_kind,
             author_id, type, text, status, provider_message_id, sent_at)
           VALUES ($1, $2, $3, $4, 'in', 'contact', $2, 'text', $5, 'received', $6, now()) RETURNING id`,
  }
  const insertEvent = {
    name: 'bench_insert_event',
    text: `INSERT INTO bench_events (workspace_id, type, actor_kind, actor_id, payload, contact_id, conversation_id)
           VALUES ($1, 'message.received', 'contact', $2, $3, $2, $4)`,
  }
  let done = 0
  const until = Date.now() + o.seconds * 1000
  const worker = async () => {
    const client = await pool.connect()
    try {
      while (Date.now() < until) {
        const isNew = Math.random() < o.newFraction
        const phone = `+${isNew ? NEW_PREFIX + baselineNew++ : EXISTING_PREFIX + Math.floor(Math.random() * o.existing)}`
        const mid = `wamid.baseline-${baselineSeq++}`
        await client.query('BEGIN')
        const c = await client.query({
          ...upsertContact,
          values: [o.ws, 'Customer', phone, o.channelId, 'Hello'],
        })
        const contactId = c.rows[0].id
        const v = await client.query({ ...openConversation, values: [o.ws, contactId, o.channelId] })
        const conversationId = v.rows[0].id
        const m = await client.query({
          ...insertMessage,
          values: [o.ws, contactId, conversationId, o.channelId, `Hello, I have a question ${mid}`, mid],
        })
        await client.query({
          ...insertEvent,
          values: [
            o.ws,
            contactId,
            JSON.stringify({ contactId, conversationId, messageId: m.rows[0].id, channelId: o.channelId }),
            conversationId,
          ],
        })
        await client.query('COMMIT')
        done++
      }
    } finally {
      client.release()
    }
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  const seconds = (Date.now() - started) / 1000
  await pool.end()
  return done / seconds
}

export default async function main() {
  const pglite = process.argv.includes('--pglite')
  const seconds = num(process.env.BENCH_SECONDS, 10)
  const concurrency = num(process.env.BENCH_CONCURRENCY, 32)
  const contacts = num(process.env.BENCH_CONTACTS, 10_000)
  const newFraction = num(process.env.BENCH_NEW, 0.2)
  const existing = Math.round(contacts * (1 - newFraction))
  console.log(`load average at start: ${load()}`)

  const pgServer = pglite ? null : await startPgServer({ durable: true })
  const sim = await startMetaSimulator()
  const { server, stop } = await startBenchServer(pgServer?.url())
  const loadgen = startLoadGenerator()
  try {
    const { owner, ws } = await benchOwner(server)
    const ch = await owner.post(`/api/v1/workspaces/${ws}/channels`, {
      type: 'whatsapp_cloud',
      name: 'WhatsApp',
      config: {
        phoneNumberId: sim.whatsappAccount.phoneNumberId,
        businessAccountId: sim.whatsappAccount.wabaId,
        apiBaseUrl: sim.url,
      },
      secrets: { accessToken: sim.accessToken, appSecret: sim.appSecret },
    })
    if (ch.status !== 201) throw new Error(`channel: ${ch.status} ${ch.text}`)
    const channelId = ch.body.id as number
    const database = server.ctx.database
    await seedExisting(
      database,
      {
        contacts: 'contacts',
        identities: 'contact_channels',
        conversations: 'conversations',
        messages: 'messages',
      },
      ws,
      channelId,
      existing,
    )
    await database.exec('ANALYZE')
    if (pgServer) await createBaseline(database, ws, channelId, existing)
    await loadgen.setup({
      origin: server.url,
      webhookPath: new URL(ch.body.webhookUrl).pathname,
      appSecret: sim.appSecret,
      account: sim.whatsappAccount,
      existing,
      newFraction,
      connections: concurrency,
      cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      workspaceId: ws,
    })
    const base = { ws, channelId, existing, newFraction, concurrency, seconds }
    const baselineA = pgServer ? await runBaseline(pgServer.url(), base) : Number.NaN
    if (pgServer) console.log(`baseline A: ${round(baselineA)} tx/s (load ${load()})`)

    const peak = await loadgen.run({ kind: 'closed', concurrency, warmSeconds: 2, seconds, tag: 'peak' })
    const peakRate = peak.measured / peak.seconds
    console.log(
      `ingest peak: ${round(peakRate)} msgs/s at ${concurrency} in flight (${peak.acked} acked, ${peak.failed} failed${peak.errors.length ? `: ${peak.errors.join(' | ')}` : ''}) (load ${load()})`,
    )
    console.log(`group commit: ${JSON.stringify(groupCommitOf(server.ctx).stats())}`)
    const baselineB = pgServer ? await runBaseline(pgServer.url(), base) : Number.NaN
    if (pgServer) console.log(`baseline B: ${round(baselineB)} tx/s (load ${load()})`)

    const half = await loadgen.run({ kind: 'open', rate: Math.max(1, peakRate / 2), seconds, tag: 'half' })
    const p50 = percentile(half.visible, 50)
    const p99 = percentile(half.visible, 99)
    console.log(
      `ingest at half peak (${round(peakRate / 2)} msgs/s, open loop): ${half.acked} acked, ${half.failed} failed (load ${load()})
  to acknowledgement: p50 ${round(percentile(half.latencies, 50), 1)} ms, p90 ${round(percentile(half.latencies, 90), 1)} ms, p99 ${round(percentile(half.latencies, 99), 1)} ms, max ${round(half.latencies.at(-1) ?? Number.NaN, 1)} ms
  to the agent's WebSocket: p50 ${round(p50, 1)} ms, p90 ${round(percentile(half.visible, 90), 1)} ms, p99 ${round(p99, 1)} ms, max ${round(half.visible.at(-1) ?? Number.NaN, 1)} ms; ${half.invisible} acknowledged but never shown`,
    )
    if (half.invisible > 0)
      throw new Error(`${half.invisible} acknowledged messages never reached the WebSocket`)
    console.log(`group commit: ${JSON.stringify(groupCommitOf(server.ctx).stats())}`)
    const { rows } = await database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1 AND provider_message_id LIKE 'wamid.bench-%'`,
      [ws],
    )
    if (rows[0]!.n !== peak.acked + half.acked)
      throw new Error(`stored ${rows[0]!.n} messages, acknowledged ${peak.acked + half.acked}`)
    if (pglite) {
      console.log(
        `RESULT ingest-pglite msgs_per_s=${round(peakRate)} p50_ms=${round(p50, 1)} p99_ms=${round(p99, 1)}`,
      )
    } else {
      const baseline = (baselineA + baselineB) / 2
      console.log(
        `RESULT ingest msgs_per_s=${round(peakRate)} baseline_tx_per_s=${round(baseline)} ratio=${round(peakRate / baseline, 2)} p50_ms=${round(p50, 1)} p99_ms=${round(p99, 1)}`,
      )
    }
  } finally {
    loadgen.stop()
    await stop()
    await sim.close()
    pgServer?.stop()
  }
}
