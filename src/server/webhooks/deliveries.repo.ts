import { createHash } from 'node:crypto'
import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm'
import { type DbOrTx, rawClientOf } from '../db/database'
import { type WebhookDeliveryStatus, webhookAttempts, webhookDeliveries, webhookPayloads } from '../db/schema'

export type DeliveryRow = typeof webhookDeliveries.$inferSelect
export type AttemptRow = typeof webhookAttempts.$inferSelect
export type PayloadRow = typeof webhookPayloads.$inferSelect

export async function insertPayloads(
  db: DbOrTx,
  rows: (typeof webhookPayloads.$inferInsert)[],
): Promise<{ id: number; eventId: number | null }[]> {
  if (!rows.length) return []
  return db
    .insert(webhookPayloads)
    .values(rows)
    .returning({ id: webhookPayloads.id, eventId: webhookPayloads.eventId })
}

/** Inserts deliveries; one per (endpoint, event) even if asked twice (webhook_deliveries_once). */
export async function insertDeliveries(
  db: DbOrTx,
  rows: (typeof webhookDeliveries.$inferInsert)[],
): Promise<DeliveryRow[]> {
  if (!rows.length) return []
  return db.insert(webhookDeliveries).values(rows).onConflictDoNothing().returning()
}

/** The deliveries of one endpoint about one contact, which go out one at a time in event order. */
export type LineKey = { workspaceId: number; endpointId: number; contactId: number }

const lineId = (k: LineKey) => `${k.workspaceId}:${k.endpointId}:${k.contactId}`

/**
 * Serialises changes to these lines until the transaction ends (advisory locks, taken in key
 * order so two transactions cannot deadlock). Creating, finishing and replaying deliveries all
 * take them before deciding what is `waiting`, so no promotion can be missed in a race.
 */
export async function lockLines(db: DbOrTx, keys: LineKey[]): Promise<void> {
  const ids = lockIds(keys)
  if (!ids.length) return
  await rawClientOf(db).query(`SELECT n FROM (${LOCK_SQL('$1')}) AS l`, [ids])
}

function lockIds(keys: LineKey[]): number[] {
  const ids = [...new Set(keys.map((k) => createHash('sha1').update(lineId(k)).digest().readIntBE(0, 6)))]
  return ids.sort((a, b) => a - b)
}

const LOCK_SQL = (param: string) =>
  `SELECT count(pg_advisory_xact_lock(k)) AS n FROM (SELECT k FROM unnest(${param}::bigint[]) AS k ORDER BY k) AS s`

/**
 * Claims and results commit without waiting for the WAL flush (this transaction only). A crash
 * can lose the last fraction of a second of them; that only means a delivery is claimed, or
 * sent, again — with the same delivery id, which receivers dedupe on — never lost. Fan-out keeps
 * synchronous commits: redone, it would mint new delivery ids.
 */
const ASYNC_COMMIT = `set_config('synchronous_commit', 'off', true)`

/**
 * For each line with nothing being sent (no pending, sending or retrying delivery), makes its
 * earliest waiting delivery (lowest event id) due now. Call with the lines locked.
 */
export async function promoteLines(db: DbOrTx, keys: LineKey[], now: Date): Promise<number> {
  if (!keys.length) return 0
  const unique = [...new Map(keys.map((k) => [lineId(k), k])).values()]
  const { rows } = await rawClientOf(db).query<{ n: number | string }>(
    `WITH lines AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS k("workspaceId" bigint, "endpointId" bigint, "contactId" bigint)
     ), heads AS (
       SELECT DISTINCT ON (w.workspace_id, w.endpoint_id, w.contact_id) w.workspace_id, w.id
       FROM lines l
       JOIN webhook_deliveries w ON w.workspace_id = l."workspaceId" AND w.endpoint_id = l."endpointId"
         AND w.contact_id = l."contactId" AND w.status = 'waiting'
       WHERE NOT EXISTS (
         SELECT 1 FROM webhook_deliveries o
         WHERE o.workspace_id = l."workspaceId" AND o.endpoint_id = l."endpointId" AND o.contact_id = l."contactId"
           AND o.status IN ('pending', 'sending', 'retrying'))
       ORDER BY w.workspace_id, w.endpoint_id, w.contact_id, w.event_id, w.id
     ), promoted AS (
       UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = $2, updated_at = now()
       FROM heads h WHERE d.workspace_id = h.workspace_id AND d.id = h.id
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM promoted`,
    [JSON.stringify(unique), now],
  )
  return Number(rows[0]?.n ?? 0)
}

/** A claimed delivery with everything needed to send it. */
export type Claimed = {
  workspaceId: number
  id: number
  publicId: string
  endpointId: number
  event: string
  contactId: number | null
  /** The fencing token: the result is recorded only if the delivery still has this many attempts. */
  attempts: number
  roundAttempts: number
  url: string
  secretSealed: string
  previousSecretSealed: string | null
  previousSecretExpiresAt: Date | null
  allowPrivate: boolean
  /** The payload's data as stored JSON text, spliced into the envelope unchanged. */
  dataJson: string
  eventCreatedAt: Date
}

const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)))

/**
 * Claims up to `limit` due deliveries for sending (status `sending`, lease until `leaseUntil`).
 * FOR UPDATE SKIP LOCKED lets every process claim concurrently without taking the same row.
 * Deliveries waiting behind an earlier one for the same contact are `waiting`, not due, so this
 * scans only what can be sent. Deliveries of disabled endpoints wait (paused, not dropped).
 */
export async function claimDue(db: DbOrTx, now: Date, limit: number, leaseUntil: Date): Promise<Claimed[]> {
  const { rows } = await rawClientOf(db).query<Record<string, unknown>>(
    `WITH commit_mode AS (SELECT ${ASYNC_COMMIT}),
     due AS (
       SELECT d.workspace_id, d.id, d.endpoint_id, d.payload_id
       FROM commit_mode, webhook_deliveries d
       JOIN webhook_endpoints ep ON ep.workspace_id = d.workspace_id AND ep.id = d.endpoint_id
       WHERE d.status IN ('pending', 'sending', 'retrying') AND d.next_attempt_at <= $1 AND ep.enabled
       ORDER BY d.next_attempt_at, d.id
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d
     SET status = 'sending', attempts = d.attempts + 1, round_attempts = d.round_attempts + 1,
         next_attempt_at = $3, updated_at = now()
     FROM due
     JOIN webhook_endpoints ep ON ep.workspace_id = due.workspace_id AND ep.id = due.endpoint_id
     JOIN webhook_payloads p ON p.workspace_id = due.workspace_id AND p.id = due.payload_id
     LEFT JOIN webhook_settings s ON s.workspace_id = due.workspace_id
     WHERE d.workspace_id = due.workspace_id AND d.id = due.id
     RETURNING d.workspace_id, d.id, d.public_id::text AS public_id, d.endpoint_id, d.event, d.contact_id,
       d.attempts, d.round_attempts, ep.url, ep.secret_sealed, ep.previous_secret_sealed,
       ep.previous_secret_expires_at, coalesce(s.allow_private_network, false) AS allow_private,
       p.data::text AS data_json, p.created_at AS event_created_at`,
    [now, limit, leaseUntil],
  )
  return rows.map((r) => ({
    workspaceId: Number(r.workspace_id),
    id: Number(r.id),
    publicId: String(r.public_id),
    endpointId: Number(r.endpoint_id),
    event: String(r.event),
    contactId: r.contact_id === null ? null : Number(r.contact_id),
    attempts: Number(r.attempts),
    roundAttempts: Number(r.round_attempts),
    url: String(r.url),
    secretSealed: String(r.secret_sealed),
    previousSecretSealed: r.previous_secret_sealed === null ? null : String(r.previous_secret_sealed),
    previousSecretExpiresAt:
      r.previous_secret_expires_at === null ? null : date(r.previous_secret_expires_at),
    allowPrivate: r.allow_private === true,
    dataJson: String(r.data_json),
    eventCreatedAt: date(r.event_created_at),
  }))
}

export type AttemptRecord = {
  number: number
  startedAt: Date
  durationMs: number
  statusCode: number | null
  error: string | null
  responseBody: string | null
  outcome: 'delivered' | 'retry' | 'dead'
  nextAttemptAt: Date | null
}

/**
 * Records finished attempts (a batch, one statement each for the log and the deliveries) and
 * moves the deliveries on. Fenced by the attempt count: if a claim lapsed and another process
 * took the delivery over, only the attempt is logged. Returns the ids of the deliveries updated.
 */
export async function recordAttempts(
  db: DbOrTx,
  items: { c: Claimed; a: AttemptRecord }[],
  /** Lines to lock (see lockLines) for the rest of the transaction, in the same round trip. */
  lines: LineKey[],
): Promise<Set<number>> {
  if (!items.length) return new Set()
  const rows = items.map(({ c, a }) => {
    const finishedAt = new Date(a.startedAt.getTime() + a.durationMs).toISOString()
    const status: WebhookDeliveryStatus =
      a.outcome === 'delivered' ? 'delivered' : a.outcome === 'dead' ? 'dead' : 'retrying'
    return {
      workspace_id: c.workspaceId,
      id: c.id,
      attempts: c.attempts,
      status,
      outcome: a.outcome,
      next_attempt_at: a.nextAttemptAt?.toISOString() ?? null,
      finished_at: finishedAt,
      status_code: a.statusCode,
      error: a.error,
      response_body: a.responseBody,
      duration_ms: a.durationMs,
      started_at: a.startedAt.toISOString(),
    }
  })
  // One statement: commit mode, line locks, the attempts (for deliveries that still exist) and the
  // fenced update. (Promotions come after, in a statement whose snapshot follows the locks.)
  const { rows: updated } = await rawClientOf(db).query<{ id: number | string }>(
    `WITH commit_mode AS (SELECT ${ASYNC_COMMIT}), locked AS (${LOCK_SQL('$2')}), x AS (
       SELECT x.* FROM commit_mode, locked, jsonb_to_recordset($1::jsonb) AS x(workspace_id bigint, id bigint,
         attempts int, status text, outcome text, next_attempt_at timestamptz, finished_at timestamptz,
         status_code int, error text, response_body text, duration_ms int, started_at timestamptz)
     ), logged AS (
       INSERT INTO webhook_attempts (workspace_id, delivery_id, number, started_at, duration_ms, status_code,
         error, response_body, outcome, next_attempt_at)
       SELECT x.workspace_id, x.id, x.attempts, x.started_at, x.duration_ms, x.status_code, x.error,
         x.response_body, x.outcome, x.next_attempt_at
       FROM x JOIN webhook_deliveries d ON d.workspace_id = x.workspace_id AND d.id = x.id
     )
     UPDATE webhook_deliveries d
     SET status = x.status, next_attempt_at = coalesce(x.next_attempt_at, x.finished_at),
         last_status_code = x.status_code, last_error = x.error, last_duration_ms = x.duration_ms,
         last_attempt_at = x.started_at,
         delivered_at = CASE WHEN x.outcome = 'delivered' THEN x.finished_at ELSE d.delivered_at END,
         updated_at = now()
     FROM x
     WHERE d.workspace_id = x.workspace_id AND d.id = x.id AND d.status = 'sending' AND d.attempts = x.attempts
     RETURNING d.id`,
    [JSON.stringify(rows), lockIds(lines)],
  )
  return new Set(updated.map((r) => Number(r.id)))
}

export type DeliveryFilters = {
  status?: WebhookDeliveryStatus | undefined
  event?: string | undefined
  contactId?: number | undefined
  from?: Date | undefined
  to?: Date | undefined
}

/** An endpoint's deliveries, newest first; keyset pagination on the row id. */
export async function listDeliveries(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  f: DeliveryFilters,
  beforeId: number | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  const d = webhookDeliveries
  return db
    .select()
    .from(d)
    .where(
      and(
        eq(d.workspaceId, workspaceId),
        eq(d.endpointId, endpointId),
        beforeId ? lt(d.id, beforeId) : undefined,
        f.status ? eq(d.status, f.status) : undefined,
        f.event ? eq(d.event, f.event) : undefined,
        f.contactId ? eq(d.contactId, f.contactId) : undefined,
        f.from ? gte(d.createdAt, f.from) : undefined,
        f.to ? lt(d.createdAt, f.to) : undefined,
      ),
    )
    .orderBy(desc(d.id))
    .limit(limit)
}

export async function findDelivery(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  publicId: string,
): Promise<DeliveryRow | undefined> {
  const d = webhookDeliveries
  const [row] = await db
    .select()
    .from(d)
    .where(and(eq(d.workspaceId, workspaceId), eq(d.endpointId, endpointId), eq(d.publicId, publicId)))
  return row
}

export async function findPayload(db: DbOrTx, workspaceId: number, payloadId: number) {
  const [row] = await db
    .select()
    .from(webhookPayloads)
    .where(and(eq(webhookPayloads.workspaceId, workspaceId), eq(webhookPayloads.id, payloadId)))
  return row
}

export async function listAttempts(
  db: DbOrTx,
  workspaceId: number,
  deliveryId: number,
): Promise<AttemptRow[]> {
  return db
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.workspaceId, workspaceId), eq(webhookAttempts.deliveryId, deliveryId)))
    .orderBy(asc(webhookAttempts.id))
}

/**
 * Queues deliveries again: same public id, fresh retry budget. Each goes back into its contact's
 * line (`waiting`, then promoted in event order); never while it is being sent. Returns the ids.
 */
async function replayRows(
  db: DbOrTx,
  workspaceId: number,
  rows: { id: number; endpointId: number; contactId: number | null }[],
  now: Date,
): Promise<number[]> {
  if (!rows.length) return []
  const lines = rows.flatMap((r) =>
    r.contactId === null ? [] : [{ workspaceId, endpointId: r.endpointId, contactId: r.contactId }],
  )
  await lockLines(db, lines)
  const d = webhookDeliveries
  const replayed = await db
    .update(d)
    .set({
      status: sql`CASE WHEN ${d.contactId} IS NULL THEN 'pending' ELSE 'waiting' END`,
      roundAttempts: 0,
      nextAttemptAt: now,
      replays: sql`${d.replays} + 1`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(d.workspaceId, workspaceId),
        inArray(
          d.id,
          rows.map((r) => r.id),
        ),
        sql`${d.status} <> 'sending'`,
      ),
    )
    .returning({ id: d.id })
  await promoteLines(db, lines, now)
  return replayed.map((r) => r.id)
}

/** Replays one delivery; undefined when it does not exist or is being sent. */
export async function replayOne(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  publicId: string,
  now: Date,
): Promise<DeliveryRow | undefined> {
  const row = await findDelivery(db, workspaceId, endpointId, publicId)
  if (!row || row.status === 'sending') return undefined
  const [id] = await replayRows(db, workspaceId, [row], now)
  return id === undefined ? undefined : findDelivery(db, workspaceId, endpointId, publicId)
}

/** Replays the finished deliveries in [from, to) with these statuses, oldest first, at most `max`. */
export async function replayRange(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  r: { from: Date; to: Date; statuses: WebhookDeliveryStatus[] },
  now: Date,
  max: number,
): Promise<number> {
  const d = webhookDeliveries
  const rows = await db
    .select({ id: d.id, endpointId: d.endpointId, contactId: d.contactId })
    .from(d)
    .where(
      and(
        eq(d.workspaceId, workspaceId),
        eq(d.endpointId, endpointId),
        gte(d.createdAt, r.from),
        lt(d.createdAt, r.to),
        inArray(d.status, r.statuses),
      ),
    )
    .orderBy(asc(d.id))
    .limit(max)
  return (await replayRows(db, workspaceId, rows, now)).length
}

/** Retention: removes payloads older than `cutoff` with their deliveries and attempts, unless still open. */
export async function deleteOldPayloads(db: DbOrTx, cutoff: Date, batch: number): Promise<number> {
  const { rows } = await rawClientOf(db).query<{ n: number | string }>(
    `WITH old AS (
       SELECT p.workspace_id, p.id FROM webhook_payloads p
       WHERE p.created_at < $1 AND NOT EXISTS (
         SELECT 1 FROM webhook_deliveries d
         WHERE d.workspace_id = p.workspace_id AND d.payload_id = p.id
           AND d.status IN ('waiting', 'pending', 'sending', 'retrying'))
       LIMIT $2
     ), gone AS (
       DELETE FROM webhook_payloads p USING old WHERE p.workspace_id = old.workspace_id AND p.id = old.id
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [cutoff, batch],
  )
  return Number(rows[0]?.n ?? 0)
}
