import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import type { WebhookDeliveryStatus } from '../db/schema'
import { ConflictError, NotFoundError, ValidationError } from '../errors'
import { canonicalEvent, TEST_EVENT } from './catalog'
import {
  type DeliveryFilters,
  type DeliveryRow,
  findDelivery,
  findPayload,
  insertDeliveries,
  insertPayloads,
  listAttempts,
  listDeliveries,
  replayOne,
  replayRange,
} from './deliveries.repo'
import { envelope } from './envelope'
import { findEndpoint, notifyWorkers } from './webhooks.repo'

/** A bulk replay queues at most this many deliveries per call; call again for the rest. */
export const MAX_REPLAY = 10_000

async function requireEndpoint(ctx: Ctx, p: Principal, webhookId: number) {
  authorize(p, 'settings.integrations')
  const row = await findEndpoint(ctx.db, p.workspaceId, webhookId)
  if (!row) throw new NotFoundError('Webhook')
  return row
}

async function requireDelivery(db: DbOrTx, p: Principal, webhookId: number, deliveryId: string) {
  const row = await findDelivery(db, p.workspaceId, webhookId, deliveryId)
  if (!row) throw new NotFoundError('Delivery')
  return row
}

/** Keyset cursors are opaque to clients: the last row id, encoded. */
export const encodeCursor = (id: number) => Buffer.from(`d${id}`).toString('base64url')
function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined
  const m = /^d(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!m)
    throw new ValidationError('Invalid cursor.', [
      { path: 'cursor', message: 'Pass nextCursor back unchanged.' },
    ])
  return Number(m[1])
}

export async function listWebhookDeliveries(
  ctx: Ctx,
  p: Principal,
  webhookId: number,
  f: DeliveryFilters & { cursor?: string | undefined; limit: number },
): Promise<{ items: DeliveryRow[]; nextCursor: string | null }> {
  await requireEndpoint(ctx, p, webhookId)
  const event = f.event
    ? (canonicalEvent(f.event) ?? (f.event === TEST_EVENT ? TEST_EVENT : undefined))
    : undefined
  if (f.event && !event) {
    throw new ValidationError(`Unknown webhook event: ${f.event}.`, [
      { path: 'event', message: 'Unknown event.' },
    ])
  }
  const rows = await listDeliveries(
    ctx.db,
    p.workspaceId,
    webhookId,
    { ...f, event },
    decodeCursor(f.cursor),
    f.limit + 1,
  )
  const items = rows.slice(0, f.limit)
  return { items, nextCursor: rows.length > f.limit ? encodeCursor(items.at(-1)!.id) : null }
}

export async function deliveryDetail(ctx: Ctx, p: Principal, webhookId: number, deliveryId: string) {
  await requireEndpoint(ctx, p, webhookId)
  const d = await requireDelivery(ctx.db, p, webhookId, deliveryId)
  const [attempts, payload] = await Promise.all([
    listAttempts(ctx.db, p.workspaceId, d.id),
    findPayload(ctx.db, p.workspaceId, d.payloadId),
  ])
  const body = envelope({
    publicId: d.publicId,
    event: d.event,
    workspaceId: d.workspaceId,
    eventCreatedAt: payload!.createdAt,
    dataJson: JSON.stringify(payload!.data),
  })
  return { delivery: d, attempts, payload: JSON.parse(body) as Record<string, unknown> }
}

/** Sends a delivery again with the same id (receivers dedupe on it) and a fresh retry budget. */
export async function replayDelivery(ctx: Ctx, p: Principal, webhookId: number, deliveryId: string) {
  await requireEndpoint(ctx, p, webhookId)
  return ctx.db.transaction(async (tx) => {
    const row = await replayOne(tx, p.workspaceId, webhookId, deliveryId, ctx.clock.now())
    if (!row) {
      await requireDelivery(tx, p, webhookId, deliveryId)
      throw new ConflictError(
        'This delivery is being sent right now; try again in a moment.',
        'delivery_in_flight',
      )
    }
    await notifyWorkers(tx)
    return row
  })
}

export type ReplayRange = { from: Date; to: Date; status: 'dead' | 'delivered' | 'all' }

/** Replays the finished deliveries created in [from, to): dead-lettered, delivered, or both. */
export async function replayDeliveries(ctx: Ctx, p: Principal, webhookId: number, r: ReplayRange) {
  await requireEndpoint(ctx, p, webhookId)
  if (r.from >= r.to) {
    throw new ValidationError('`from` must be before `to`.', [{ path: 'to', message: 'Must be after from.' }])
  }
  const statuses: WebhookDeliveryStatus[] = r.status === 'all' ? ['dead', 'delivered'] : [r.status]
  return ctx.db.transaction(async (tx) => {
    const n = await replayRange(tx, p.workspaceId, webhookId, { ...r, statuses }, ctx.clock.now(), MAX_REPLAY)
    if (n) await notifyWorkers(tx)
    return { replayed: n, more: n === MAX_REPLAY }
  })
}

/** Queues a `webhook.test` ping to the endpoint (sent by the worker, like any delivery). */
export async function sendTestEvent(ctx: Ctx, p: Principal, webhookId: number) {
  const endpoint = await requireEndpoint(ctx, p, webhookId)
  if (!endpoint.enabled) {
    throw new ConflictError('Enable the webhook to send it a test event.', 'webhook_disabled')
  }
  const now = ctx.clock.now()
  return ctx.db.transaction(async (tx) => {
    const [payload] = await insertPayloads(tx, [
      {
        workspaceId: p.workspaceId,
        eventId: null,
        event: TEST_EVENT,
        data: {
          webhook: { id: endpoint.id, url: endpoint.url },
          message: 'This is a test event from Tawasul.',
        },
        createdAt: now,
      },
    ])
    const [row] = await insertDeliveries(tx, [
      {
        workspaceId: p.workspaceId,
        endpointId: webhookId,
        payloadId: payload!.id,
        event: TEST_EVENT,
        eventId: null,
        contactId: null,
        nextAttemptAt: now,
      },
    ])
    await notifyWorkers(tx)
    return row!
  })
}
