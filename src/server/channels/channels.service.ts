import type { z } from 'zod'
import { decryptSecret, encryptSecret, randomToken, safeEqual } from '../auth/crypto'
import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { NotFoundError, ValidationError } from '../errors'
import { emit } from '../events'
import { findFile } from '../files/files.repo'
import {
  type ChannelAdapter,
  type ChannelRef,
  type ChannelState,
  PermanentSendError,
  type SendContext,
} from './channel'
import {
  type ChannelRow,
  channelGeneration,
  findChannel,
  insertChannel,
  listChannels,
  readState,
  takeState,
  updateChannel,
  writeState,
} from './channels.repo'
import { adapterFor, CHANNELS } from './registry'

function fieldErrors(prefix: string, error: z.ZodError) {
  const fields = error.issues.map((i) => ({ path: [prefix, ...i.path].join('.'), message: i.message }))
  return new ValidationError(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields)
}

function adapterOrFail(type: string) {
  const adapter = adapterFor(type)
  if (!adapter) {
    throw new ValidationError(
      `Unknown channel type "${type}". Known types: ${CHANNELS.map((c) => c.type).join(', ')}.`,
      [{ path: 'type', message: 'Unknown channel type.' }],
    )
  }
  return adapter
}

/** The public path a provider posts to: routable by workspace, unguessable by the key. */
export function webhookPath(row: Pick<ChannelRow, 'workspaceId' | 'id' | 'webhookKey'>): string {
  return `/webhooks/${row.workspaceId}/${row.id}/${row.webhookKey}`
}

export type CreateChannelInput = {
  type: string
  name: string
  config: Record<string, unknown>
  secrets?: Record<string, unknown> | undefined
}

/** Connects a channel. Secrets are validated, encrypted with the instance key and never returned. */
export async function createChannel(ctx: Ctx, p: Principal, input: CreateChannelInput) {
  authorize(p, 'settings.channels')
  return createChannelUnchecked(ctx, p.workspaceId, input, actorOf(p))
}

export async function createChannelUnchecked(
  ctx: Ctx,
  workspaceId: number,
  input: CreateChannelInput,
  actor: Parameters<typeof emit>[2],
) {
  const adapter = adapterOrFail(input.type)
  const config = adapter.configSchema.safeParse(input.config)
  if (!config.success) throw fieldErrors('config', config.error)
  const generated = generatedSecrets(adapter, input)
  const rawSecrets = { ...(input.secrets ?? {}), ...generated }
  const secrets = adapter.secretsSchema.safeParse(rawSecrets)
  if (!secrets.success) throw fieldErrors('secrets', secrets.error)
  return ctx.db.transaction(async (tx) => {
    const row = await insertChannel(tx, {
      workspaceId,
      type: input.type,
      name: input.name,
      config: config.data as Record<string, unknown>,
      secrets: encryptSecret(ctx.config.secret, JSON.stringify(secrets.data)),
      webhookKey: randomToken(24),
    })
    await emit(tx, workspaceId, actor, {
      type: 'channel.connected',
      payload: { channelId: row.id, type: row.type },
    })
    // Providers that must be told where to post (Telegram, LINE, Viber) are set up right away, in a job.
    if (adapter.configureWebhook)
      await ctx.jobs.enqueue(tx, CHANNEL_SETUP_QUEUE, { workspaceId, channelId: row.id })
    return { channel: row, secrets: secrets.data as Record<string, unknown>, generated }
  })
}

/**
 * Secrets Tawasul issues itself when none is given (a WhatsApp verify token, a custom channel's
 * API token): shown once after connecting, like respond.io does.
 */
function generatedSecrets(adapter: ChannelAdapter, input: CreateChannelInput): Record<string, string> {
  const out: Record<string, string> = {}
  const given = input.secrets ?? {}
  for (const f of adapter.setup ?? []) {
    if (f.generated && f.in === 'secrets' && !given[f.key]) out[f.key] = randomToken(24)
  }
  if (input.type === 'custom' && !given.apiToken) out.apiToken = randomToken(32)
  return out
}

/** The keys an adapter keeps encrypted: its secrets schema's fields. */
export function secretKeysOf(type: string): string[] {
  const schema = adapterOrFail(type).secretsSchema as unknown as { shape?: Record<string, unknown> }
  return Object.keys(schema.shape ?? {})
}

export const CHANNEL_SETUP_QUEUE = 'channels.setup'

/**
 * Checks the credentials (verifyCredentials) and registers the webhook (configureWebhook) again,
 * in a job: nothing calls a provider inside a request. The outcome shows in the channel's status
 * and lastError.
 */
export async function setupChannel(ctx: Ctx, p: Principal, channelId: number): Promise<void> {
  authorize(p, 'settings.channels')
  const row = await findChannel(ctx.db, p.workspaceId, channelId)
  if (!row) throw new NotFoundError('Channel')
  const adapter = adapterOrFail(row.type)
  if (!adapter.verifyCredentials && !adapter.configureWebhook)
    throw new ValidationError(`${adapter.label} has nothing to set up at the provider.`)
  await ctx.jobs.enqueue(null, CHANNEL_SETUP_QUEUE, { workspaceId: p.workspaceId, channelId })
}

/**
 * The channel types the connect wizard offers, with their setup fields (labels are i18n keys of
 * the web app) and whether a connection test (verifyCredentials / configureWebhook) exists.
 */
export function listChannelTypes(p: Principal) {
  authorize(p, 'settings.channels')
  return CHANNELS.map((a) => ({
    type: a.type,
    label: a.label,
    setup: a.setup ?? [],
    canTest: Boolean(a.verifyCredentials || a.configureWebhook),
  }))
}

export async function listWorkspaceChannels(ctx: Ctx, p: Principal) {
  authorize(p, 'inbox.view')
  return listChannels(ctx.db, p.workspaceId)
}

export async function getChannel(ctx: Ctx, p: Principal, channelId: number): Promise<ChannelRow> {
  authorize(p, 'inbox.view')
  const row = await findChannel(ctx.db, p.workspaceId, channelId)
  if (!row) throw new NotFoundError('Channel')
  return row
}

export async function editChannel(
  ctx: Ctx,
  p: Principal,
  channelId: number,
  input: {
    name?: string | undefined
    config?: Record<string, unknown> | undefined
    secrets?: Record<string, unknown> | undefined
  },
) {
  authorize(p, 'settings.channels')
  const row = await findChannel(ctx.db, p.workspaceId, channelId)
  if (!row) throw new NotFoundError('Channel')
  const adapter = adapterOrFail(row.type)
  const values: Parameters<typeof updateChannel>[3] = {}
  if (input.name) values.name = input.name
  if (input.config) {
    const config = adapter.configSchema.safeParse({ ...row.config, ...input.config })
    if (!config.success) throw fieldErrors('config', config.error)
    values.config = config.data as Record<string, unknown>
  }
  if (input.secrets) {
    const current = row.secrets
      ? (JSON.parse(decryptSecret(ctx.config.secret, row.secrets)) as Record<string, unknown>)
      : {}
    const secrets = adapter.secretsSchema.safeParse({ ...current, ...input.secrets })
    if (!secrets.success) throw fieldErrors('secrets', secrets.error)
    values.secrets = encryptSecret(ctx.config.secret, JSON.stringify(secrets.data))
    // New credentials are the fix for a channel marked `error` (expired token…): try it again.
    if (row.status === 'error') {
      values.status = 'active'
      values.lastError = null
    }
  }
  const updated = (await updateChannel(ctx.db, p.workspaceId, channelId, values))!
  // New credentials must be registered again where the provider is told our URL (Telegram's setWebhook…).
  if (input.secrets && adapter.configureWebhook)
    await ctx.jobs.enqueue(null, CHANNEL_SETUP_QUEUE, { workspaceId: p.workspaceId, channelId })
  return updated
}

export async function disconnectChannel(ctx: Ctx, p: Principal, channelId: number): Promise<void> {
  authorize(p, 'settings.channels')
  await ctx.db.transaction(async (tx) => {
    const row = await updateChannel(tx, p.workspaceId, channelId, { status: 'disconnected' })
    if (!row) throw new NotFoundError('Channel')
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'channel.disconnected',
      payload: { channelId, type: row.type },
    })
  })
}

/** A channel with its secrets decrypted, for adapters only (webhooks and send jobs). */
export async function loadChannelRef(ctx: Ctx, db: DbOrTx, workspaceId: number, channelId: number) {
  const row = await findChannel(db, workspaceId, channelId)
  if (!row) return undefined
  return toRef(ctx, row)
}

export function toRef(
  ctx: Ctx,
  row: ChannelRow,
): { row: ChannelRow; ref: ChannelRef<Record<string, unknown>, Record<string, unknown>> } {
  const secrets = row.secrets
    ? (JSON.parse(decryptSecret(ctx.config.secret, row.secrets)) as Record<string, unknown>)
    : {}
  return {
    row,
    ref: { workspaceId: row.workspaceId, id: row.id, type: row.type, config: row.config, secrets },
  }
}

/**
 * How long a webhook's channel (row and decrypted secrets) is reused. Every inbound webhook needs
 * it; reading and decrypting it per request was a database round trip and a key derivation per
 * message on the ingest hot path. A change made by this process applies at once (the entry's
 * generation no longer matches); a change made by another process applies within this time.
 */
export const WEBHOOK_CHANNEL_TTL_MS = 2000
type CachedChannel = { at: number; generation: number; channel: ReturnType<typeof toRef> | undefined }
const webhookChannels = new WeakMap<Ctx, Map<string, CachedChannel>>()

/** Finds the channel a webhook URL names; the key comparison is constant-time. */
export async function channelForWebhook(ctx: Ctx, workspaceId: number, channelId: number, key: string) {
  let cache = webhookChannels.get(ctx)
  if (!cache) {
    cache = new Map()
    webhookChannels.set(ctx, cache)
  }
  const id = `${workspaceId}:${channelId}`
  const now = Date.now()
  let hit = cache.get(id)
  if (
    !hit ||
    now - hit.at > WEBHOOK_CHANNEL_TTL_MS ||
    hit.generation !== channelGeneration(workspaceId, channelId)
  ) {
    // The generation is read before the row: a change racing this read leaves the entry stale.
    const generation = channelGeneration(workspaceId, channelId)
    const row = await findChannel(ctx.db, workspaceId, channelId)
    hit = { at: now, generation, channel: row && toRef(ctx, row) }
    // Bounded: unknown ids (probes of random URLs) must not grow it without limit.
    if (cache.size >= 10_000) cache.clear()
    cache.set(id, hit)
  }
  if (!hit.channel || !safeEqual(hit.channel.row.webhookKey, key)) throw new NotFoundError('Webhook')
  return hit.channel
}

/** ChannelState over the channel_state table: values encrypted, expiry on the server clock. */
export function channelState(ctx: Ctx, workspaceId: number, channelId: number): ChannelState {
  const open = (v: string | undefined) => (v === undefined ? undefined : decryptSecret(ctx.config.secret, v))
  return {
    get: async (key) => open(await readState(ctx.db, workspaceId, channelId, key, ctx.clock.now())),
    set: async (key, value, ttlSeconds) => {
      await writeState(ctx.db, {
        workspaceId,
        channelId,
        key,
        value: encryptSecret(ctx.config.secret, value),
        expiresAt: new Date(ctx.clock.now().getTime() + ttlSeconds * 1000),
      })
    },
    take: async (key) => open(await takeState(ctx.db, workspaceId, channelId, key, ctx.clock.now())),
  }
}

/**
 * What an adapter may use to reach the outside world from a job: HTTP, workspace files,
 * cross-process NOTIFY, the channel's state and its public webhook URL.
 */
export function sendContextFor(
  ctx: Ctx,
  row: Pick<ChannelRow, 'workspaceId' | 'id' | 'webhookKey'>,
): SendContext {
  return {
    fetch,
    log: ctx.log,
    readFile: async (fileId) => {
      const file = await findFile(ctx.db, row.workspaceId, fileId)
      if (!file) throw new PermanentSendError('file_missing', `Attachment file ${fileId} no longer exists.`)
      return {
        fileName: file.fileName,
        mimeType: file.mimeType,
        data: await ctx.storage.read(file.storageKey),
      }
    },
    publish: async (topic, payload) => {
      await ctx.database.query('SELECT pg_notify($1, $2)', [topic, JSON.stringify(payload)])
    },
    state: channelState(ctx, row.workspaceId, row.id),
    webhookUrl: `${ctx.config.publicUrl}${webhookPath(row)}`,
  }
}
