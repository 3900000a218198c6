import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { type DbOrTx, rawClientOf } from '../db/database'
import { webhookDeliveries, webhookEndpoints, webhookSettings } from '../db/schema'

export type EndpointRow = typeof webhookEndpoints.$inferSelect

/** The NOTIFY channel that wakes delivery workers in every process (sent on commit only). */
export const WEBHOOKS_CHANNEL = 'tawasul_webhooks'

export async function notifyWorkers(tx: DbOrTx): Promise<void> {
  await rawClientOf(tx).query('SELECT pg_notify($1, $2)', [WEBHOOKS_CHANNEL, ''])
}

export async function insertEndpoint(db: DbOrTx, values: typeof webhookEndpoints.$inferInsert) {
  const [row] = await db.insert(webhookEndpoints).values(values).returning()
  return row!
}

export async function findEndpoint(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  opts: { lock?: boolean } = {},
): Promise<EndpointRow | undefined> {
  const q = db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, endpointId)))
  const [row] = opts.lock ? await q.for('update') : await q
  return row
}

export async function listEndpoints(db: DbOrTx, workspaceId: number): Promise<EndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.workspaceId, workspaceId))
    .orderBy(asc(webhookEndpoints.id))
}

export async function updateEndpoint(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  values: Partial<typeof webhookEndpoints.$inferInsert>,
): Promise<EndpointRow | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, endpointId)))
    .returning()
  return row
}

export async function deleteEndpoint(db: DbOrTx, workspaceId: number, endpointId: number): Promise<boolean> {
  const rows = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, endpointId)))
    .returning({ id: webhookEndpoints.id })
  return rows.length > 0
}

/** Enabled endpoints of these workspaces subscribed to at least one of these events (the fan-out). */
export async function subscribedEndpoints(
  db: DbOrTx,
  workspaceIds: number[],
  events: string[],
): Promise<Pick<EndpointRow, 'workspaceId' | 'id' | 'events'>[]> {
  return db
    .select({
      workspaceId: webhookEndpoints.workspaceId,
      id: webhookEndpoints.id,
      events: webhookEndpoints.events,
    })
    .from(webhookEndpoints)
    .where(
      and(
        inArray(webhookEndpoints.workspaceId, workspaceIds),
        eq(webhookEndpoints.enabled, true),
        sql`${webhookEndpoints.events} && ${sql.param(events)}::text[]`,
      ),
    )
    .orderBy(asc(webhookEndpoints.workspaceId), asc(webhookEndpoints.id))
}

export type EndpointStats = { pending: number; dead: number }

/** Open and dead-lettered deliveries per endpoint (the health column of the endpoint list). */
export async function endpointStats(db: DbOrTx, workspaceId: number): Promise<Map<number, EndpointStats>> {
  const rows = await db
    .select({
      endpointId: webhookDeliveries.endpointId,
      pending: sql<number>`count(*) FILTER (WHERE ${webhookDeliveries.status} IN ('waiting', 'pending', 'sending', 'retrying'))::int`,
      dead: sql<number>`count(*) FILTER (WHERE ${webhookDeliveries.status} = 'dead')::int`,
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.workspaceId, workspaceId))
    .groupBy(webhookDeliveries.endpointId)
  return new Map(rows.map((r) => [r.endpointId, { pending: Number(r.pending), dead: Number(r.dead) }]))
}

export async function findSettings(
  db: DbOrTx,
  workspaceId: number,
): Promise<{ allowPrivateNetwork: boolean }> {
  const [row] = await db
    .select({ allowPrivateNetwork: webhookSettings.allowPrivateNetwork })
    .from(webhookSettings)
    .where(eq(webhookSettings.workspaceId, workspaceId))
  return row ?? { allowPrivateNetwork: false }
}

export async function saveSettings(
  db: DbOrTx,
  workspaceId: number,
  allowPrivateNetwork: boolean,
): Promise<void> {
  await db
    .insert(webhookSettings)
    .values({ workspaceId, allowPrivateNetwork })
    .onConflictDoUpdate({
      target: webhookSettings.workspaceId,
      set: { allowPrivateNetwork, updatedAt: sql`now()` },
    })
}

/** Health bookkeeping after an attempt; returns since when the endpoint has been failing (undefined: not written). */
export async function recordEndpointHealth(
  db: DbOrTx,
  workspaceId: number,
  endpointId: number,
  ok: boolean,
  at: Date,
): Promise<{ failingSince: Date | null; enabled: boolean } | undefined> {
  const e = webhookEndpoints
  // Written at most once a second per endpoint while nothing changes, so parallel deliveries to
  // one endpoint do not queue on its row lock.
  const stale = (col: typeof e.lastSuccessAt) =>
    sql`(${col} IS NULL OR ${col} < ${at.toISOString()}::timestamptz - interval '1 second')`
  const [row] = await db
    .update(e)
    .set(
      ok
        ? { lastSuccessAt: at, failingSince: null }
        : {
            lastFailureAt: at,
            failingSince: sql`coalesce(${e.failingSince}, ${at.toISOString()}::timestamptz)`,
          },
    )
    .where(
      and(
        eq(e.workspaceId, workspaceId),
        eq(e.id, endpointId),
        ok
          ? sql`(${e.failingSince} IS NOT NULL OR ${stale(e.lastSuccessAt)})`
          : sql`(${e.failingSince} IS NULL OR ${stale(e.lastFailureAt)})`,
      ),
    )
    .returning({ failingSince: e.failingSince, enabled: e.enabled })
  return row
}
