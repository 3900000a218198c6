import { encryptSecret } from '../auth/crypto'
import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../errors'
import { emit } from '../events'
import { canonicalEvent, type WebhookEvent } from './catalog'
import { newSecret, secretHint } from './signing'
import { checkEndpointUrl } from './url-guard'
import {
  deleteEndpoint,
  type EndpointRow,
  endpointStats,
  findEndpoint,
  findSettings,
  insertEndpoint,
  listEndpoints,
  notifyWorkers,
  saveSettings,
  updateEndpoint,
} from './webhooks.repo'

/** Endpoints per workspace: enough for real integrations, bounded fan-out per event. */
export const MAX_WEBHOOKS = 20
/** How long a rotated-out secret keeps signing unless the caller says otherwise. */
export const DEFAULT_OVERLAP_HOURS = 24

function canonicalEvents(names: string[]): WebhookEvent[] {
  const unknown = names.filter((n) => !canonicalEvent(n))
  if (unknown.length) {
    throw new ValidationError(`Unknown webhook events: ${unknown.join(', ')}.`, [
      { path: 'events', message: `Unknown: ${unknown.join(', ')}. GET …/webhooks/events lists them.` },
    ])
  }
  return [...new Set(names.map((n) => canonicalEvent(n)!))]
}

/** Whether this workspace's endpoints may use private addresses (instance switch and workspace opt-in). */
async function privateAllowed(ctx: Ctx, db: DbOrTx, workspaceId: number): Promise<boolean> {
  return ctx.config.webhooks.privateNetworks && (await findSettings(db, workspaceId)).allowPrivateNetwork
}

async function checkedUrl(ctx: Ctx, workspaceId: number, url: string): Promise<string> {
  const check = await checkEndpointUrl(url, await privateAllowed(ctx, ctx.db, workspaceId))
  if (!check.ok)
    throw new UnprocessableError(check.message, 'url_not_allowed', [{ path: 'url', message: check.message }])
  return check.url
}

async function requireEndpoint(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  lock = false,
): Promise<EndpointRow> {
  const row = await findEndpoint(db, workspaceId, id, { lock })
  if (!row) throw new NotFoundError('Webhook')
  return row
}

export async function listWebhooks(ctx: Ctx, p: Principal) {
  authorize(p, 'settings.integrations')
  const [rows, stats] = await Promise.all([
    listEndpoints(ctx.db, p.workspaceId),
    endpointStats(ctx.db, p.workspaceId),
  ])
  return rows.map((row) => ({ row, stats: stats.get(row.id) }))
}

export async function getWebhook(ctx: Ctx, p: Principal, id: number) {
  authorize(p, 'settings.integrations')
  const row = await requireEndpoint(ctx.db, p.workspaceId, id)
  return { row, stats: (await endpointStats(ctx.db, p.workspaceId)).get(id) }
}

export type WebhookInput = {
  url: string
  description?: string | undefined
  events: string[]
  enabled?: boolean | undefined
}

/** Registers an endpoint. The secret is in the result only; it is stored encrypted. */
export async function createWebhook(ctx: Ctx, p: Principal, input: WebhookInput) {
  authorize(p, 'settings.integrations')
  const events = canonicalEvents(input.events)
  const url = await checkedUrl(ctx, p.workspaceId, input.url)
  const secret = newSecret()
  const row = await ctx.db.transaction(async (tx) => {
    if ((await listEndpoints(tx, p.workspaceId)).length >= MAX_WEBHOOKS) {
      throw new ConflictError(`A workspace can have at most ${MAX_WEBHOOKS} webhooks.`, 'too_many_webhooks')
    }
    const row = await insertEndpoint(tx, {
      workspaceId: p.workspaceId,
      url,
      description: input.description ?? '',
      events,
      enabled: input.enabled ?? true,
      secretSealed: encryptSecret(ctx.config.secret, secret),
      secretPrefix: secretHint(secret),
      createdByUserId: p.kind === 'user' ? p.userId : null,
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'webhook.created',
      payload: { webhookId: row.id, events },
    })
    return row
  })
  return { row, secret }
}

export type WebhookPatch = Partial<WebhookInput>

export async function updateWebhook(ctx: Ctx, p: Principal, id: number, patch: WebhookPatch) {
  authorize(p, 'settings.integrations')
  const events = patch.events ? canonicalEvents(patch.events) : undefined
  const url = patch.url !== undefined ? await checkedUrl(ctx, p.workspaceId, patch.url) : undefined
  return ctx.db.transaction(async (tx) => {
    const before = await requireEndpoint(tx, p.workspaceId, id, true)
    const values: Partial<EndpointRow> = {}
    if (url !== undefined && url !== before.url) values.url = url
    if (patch.description !== undefined && patch.description !== before.description)
      values.description = patch.description
    if (events && events.join() !== before.events.join()) values.events = events
    if (patch.enabled !== undefined && patch.enabled !== before.enabled) {
      values.enabled = patch.enabled
      // Re-enabling starts a fresh health record; paused deliveries resume.
      if (patch.enabled) Object.assign(values, { disabledReason: null, failingSince: null })
    }
    const changes = Object.keys(values).filter((k) => k !== 'disabledReason' && k !== 'failingSince')
    if (!changes.length) return { row: before, stats: (await endpointStats(tx, p.workspaceId)).get(id) }
    const row = (await updateEndpoint(tx, p.workspaceId, id, values))!
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'webhook.updated',
      payload: { webhookId: id, changes },
    })
    if (values.enabled) await notifyWorkers(tx)
    return { row, stats: (await endpointStats(tx, p.workspaceId)).get(id) }
  })
}

/** Deletes an endpoint with its delivery log; nothing more is sent to it. */
export async function deleteWebhook(ctx: Ctx, p: Principal, id: number): Promise<void> {
  authorize(p, 'settings.integrations')
  await ctx.db.transaction(async (tx) => {
    if (!(await deleteEndpoint(tx, p.workspaceId, id))) throw new NotFoundError('Webhook')
    await emit(tx, p.workspaceId, actorOf(p), { type: 'webhook.deleted', payload: { webhookId: id } })
  })
}

/**
 * A new secret signs from now on; the previous one also signs (a second `v1=` signature) for
 * `overlapHours`, so receivers can switch without losing deliveries. Rotating again during an
 * overlap ends the older overlap: only one previous secret is kept.
 */
export async function rotateSecret(ctx: Ctx, p: Principal, id: number, overlapHours = DEFAULT_OVERLAP_HOURS) {
  authorize(p, 'settings.integrations')
  const secret = newSecret()
  const now = ctx.clock.now()
  const row = await ctx.db.transaction(async (tx) => {
    const before = await requireEndpoint(tx, p.workspaceId, id, true)
    const row = (await updateEndpoint(tx, p.workspaceId, id, {
      secretSealed: encryptSecret(ctx.config.secret, secret),
      secretPrefix: secretHint(secret),
      previousSecretSealed: overlapHours > 0 ? before.secretSealed : null,
      previousSecretExpiresAt: overlapHours > 0 ? new Date(now.getTime() + overlapHours * 3600_000) : null,
    }))!
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'webhook.secret_rotated',
      payload: { webhookId: id, overlapHours },
    })
    return row
  })
  return { row, stats: (await endpointStats(ctx.db, p.workspaceId)).get(id), secret }
}

export async function getWebhookSettings(ctx: Ctx, p: Principal) {
  authorize(p, 'settings.integrations')
  const s = await findSettings(ctx.db, p.workspaceId)
  return {
    allowPrivateNetwork: s.allowPrivateNetwork,
    instanceAllowsPrivateNetwork: ctx.config.webhooks.privateNetworks,
  }
}

export async function updateWebhookSettings(ctx: Ctx, p: Principal, input: { allowPrivateNetwork: boolean }) {
  authorize(p, 'settings.integrations')
  if (input.allowPrivateNetwork && !ctx.config.webhooks.privateNetworks) {
    throw new UnprocessableError(
      'This server does not allow webhooks to private networks (WEBHOOK_PRIVATE_NETWORKS=deny).',
      'private_networks_denied',
    )
  }
  await ctx.db.transaction(async (tx) => {
    await saveSettings(tx, p.workspaceId, input.allowPrivateNetwork)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'workspace.updated',
      payload: { changes: ['webhooks.allowPrivateNetwork'] },
    })
  })
  return getWebhookSettings(ctx, p)
}
