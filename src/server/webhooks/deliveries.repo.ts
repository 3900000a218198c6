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
 * Per endpoint and contact, only the delivery with the lowest event id among the unfinished ones
 * is due: later ones wait until it is delivered or dead-lettered (ordering per contact).
 * Deliveries of disabled endpoints wait (they are paused, not dropped).
 */
export async function claimDue(db: DbOrTx, now: Date, limit: number, leaseUntil: Date): Promise<Claimed[]> {
  const { rows } = await rawClientOf(db).query<Record<string, unknown>>(
    `WITH due AS (
       SELECT d.workspace_id, d.id, d.endpoint_id, d.payload_id
       FROM webhook_deliveries d
       JOIN webhook_endpoints ep ON ep.workspace_id = d.workspace_id AND ep.id = d.endpoint_id
       WHERE d.status IN ('pending', 'sending', 'retrying') AND d.next_attempt_at <= $1 AND ep.enabled
         AND (d.contact_id IS NULL OR NOT EXISTS (
           SELECT 1 FROM webhook_deliveries e
           WHERE e.workspace_id = d.workspace_id AND e.endpoint_id = d.endpoint_id
             AND e.contact_id = d.contact_id AND e.event_id < d.event_id
             AND e.status IN ('pending', 'sending', 'retrying')))
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
 * Records an attempt and moves the delivery on. Fenced by the attempt count: if the claim lapsed
 * and another process took the delivery over, only the attempt is logged. Returns whether the
 * delivery was updated.
 */
export async function recordAttempt(db: DbOrTx, c: Claimed, a: AttemptRecord): Promise<boolean> {
  await db.insert(webhookAttempts).values({ workspaceId: c.workspaceId, deliveryId: c.id, ...a })
  const status: WebhookDeliveryStatus =
    a.outcome === 'delivered' ? 'delivered' : a.outcome === 'dead' ? 'dead' : 'retrying'
  const finishedAt = new Date(a.startedAt.getTime() + a.durationMs)
  const rows = await db
    .update(webhookDeliveries)
    .set({
      status,
      nextAttemptAt: a.nextAttemptAt ?? finishedAt,
      lastStatusCode: a.statusCode,
      lastError: a.error,
      lastDurationMs: a.durationMs,
      lastAttemptAt: a.startedAt,
      ...(a.outcome === 'delivered' ? { deliveredAt: finishedAt } : {}),
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(webhookDeliveries.workspaceId, c.workspaceId),
        eq(webhookDeliveries.id, c.id),
        eq(webhookDeliveries.status, 'sending'),
        eq(webhookDeliveries.attempts, c.attempts),
      ),
    )
    .returning({ id: webhookDeliveries.id })
  return rows.length > 0
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

const replaySet = (now: Date) => ({
  status: 'pending' as const,
  roundAttempts: 0,
  nextAttemptAt: now,
  replays: sql`${webhookDeliveries.replays} + 1`,
  updatedAt: sql`now()`,
})

/** Queues one delivery again, same public id, fresh retry budget; not while it is being sent. */
export async function replayOne(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  publicId: string,
  now: Date,
): Promise<DeliveryRow | undefined> {
  const d = webhookDeliveries
  const [row] = await db
    .update(d)
    .set(replaySet(now))
    .where(
      and(
        eq(d.workspaceId, workspaceId),
        eq(d.endpointId, endpointId),
        eq(d.publicId, publicId),
        sql`${d.status} <> 'sending'`,
      ),
    )
    .returning()
  return row
}

/** Queues again the finished deliveries in [from, to) with these statuses, oldest first, at most `max`. */
export async function replayRange(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  r: { from: Date; to: Date; statuses: WebhookDeliveryStatus[] },
  now: Date,
  max: number,
): Promise<number> {
  const d = webhookDeliveries
  const ids = db
    .select({ id: d.id })
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
  const rows = await db
    .update(d)
    .set(replaySet(now))
    .where(and(eq(d.workspaceId, workspaceId), inArray(d.id, ids)))
    .returning({ id: d.id })
  return rows.length
}

/** Retention: removes payloads older than `cutoff` with their deliveries and attempts, unless still open. */
export async function deleteOldPayloads(db: DbOrTx, cutoff: Date, batch: number): Promise<number> {
  const { rows } = await rawClientOf(db).query<{ n: number | string }>(
    `WITH old AS (
       SELECT p.workspace_id, p.id FROM webhook_payloads p
       WHERE p.created_at < $1 AND NOT EXISTS (
         SELECT 1 FROM webhook_deliveries d
         WHERE d.workspace_id = p.workspace_id AND d.payload_id = p.id
           AND d.status IN ('pending', 'sending', 'retrying'))
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
