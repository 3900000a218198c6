import { decryptSecret } from '../auth/crypto'
import type { Ctx } from '../context'
import { emit, SYSTEM } from '../events'
import { type AttemptRecord, type Claimed, claimDue, promoteLines, recordAttempts } from './deliveries.repo'
import { envelope } from './envelope'
import { decide } from './retry'
import { createSender, type Sender } from './send'
import { signatureHeader } from './signing'
import { recordEndpointHealth, updateEndpoint, WEBHOOKS_CHANNEL } from './webhooks.repo'

/** A claim outlives the attempt's timeout by this much before another process may take it over. */
const LEASE_MARGIN_MS = 30_000

export const USER_AGENT = 'Tawasul-Webhooks/1'

/** The headers of one attempt (docs/webhooks.md, "Headers"). */
export function deliveryHeaders(
  c: Claimed,
  secrets: string[],
  body: string,
  now: Date,
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000)
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'tawasul-webhook-id': c.publicId,
    'tawasul-webhook-timestamp': String(timestamp),
    'tawasul-webhook-signature': signatureHeader(secrets, timestamp, body),
    'tawasul-webhook-event': c.event,
    'tawasul-webhook-attempt': String(c.attempts),
  }
}

/** The secrets that sign now: the current one, plus the previous one during a rotation's overlap. */
function signingSecrets(ctx: Ctx, c: Claimed, now: Date): string[] {
  const secrets = [decryptSecret(ctx.config.secret, c.secretSealed)]
  if (c.previousSecretSealed && c.previousSecretExpiresAt && c.previousSecretExpiresAt > now) {
    secrets.push(decryptSecret(ctx.config.secret, c.previousSecretSealed))
  }
  return secrets
}

export type Finished = { c: Claimed; a: AttemptRecord }

/** Sends one claimed delivery; the outcome (retry time or dead letter) is recorded by `recordFinished`. */
export async function attempt(ctx: Ctx, sender: Sender, c: Claimed): Promise<Finished> {
  const cfg = ctx.config.webhooks
  const now = ctx.clock.now()
  const body = envelope(c)
  const headers = deliveryHeaders(c, signingSecrets(ctx, c, now), body, now)
  const t0 = performance.now()
  const { result, responseBody } = await sender.post(c.url, body, headers, c.allowPrivate, now)
  const durationMs = Math.round(performance.now() - t0)
  const decision = decide(result, c.roundAttempts, cfg)
  if (decision.outcome !== 'delivered') {
    ctx.log.debug(
      { webhookId: c.endpointId, delivery: c.publicId, outcome: decision.outcome, attempt: c.attempts },
      'webhook attempt failed',
    )
  }
  return {
    c,
    a: {
      number: c.attempts,
      startedAt: now,
      durationMs,
      statusCode: result.kind === 'response' ? result.status : null,
      error: result.kind === 'error' ? `${result.code}: ${result.message}` : null,
      responseBody,
      outcome: decision.outcome,
      nextAttemptAt:
        decision.outcome === 'retry' ? new Date(now.getTime() + durationMs + decision.delayMs) : null,
    },
  }
}

/**
 * Records a batch of finished attempts in one transaction, with each endpoint's health; an
 * endpoint that has failed without a single success for `autoDisableAfterMs` is disabled.
 */
export async function recordFinished(
  ctx: Ctx,
  batch: Finished[],
  /** What this process last wrote per endpoint: an unchanged health is written at most once a second. */
  written: Map<string, { ok: boolean; at: number }> = new Map(),
): Promise<void> {
  const limit = ctx.config.webhooks.autoDisableAfterMs
  const finishedLines = batch.flatMap(({ c, a }) =>
    c.contactId === null || a.outcome === 'retry'
      ? []
      : [{ workspaceId: c.workspaceId, endpointId: c.endpointId, contactId: c.contactId }],
  )
  await ctx.db.transaction(async (tx) => {
    const current = await recordAttempts(tx, batch, finishedLines)
    // The contact's next delivery (if one is waiting) is due now.
    await promoteLines(tx, finishedLines, ctx.clock.now())
    const byEndpoint = new Map<string, { ws: number; id: number; ok: boolean; at: Date }>()
    for (const { c, a } of batch) {
      if (!current.has(c.id)) continue
      const key = `${c.workspaceId}:${c.endpointId}`
      const prev = byEndpoint.get(key)
      const ok = a.outcome === 'delivered'
      // One success in the batch means the endpoint is not failing.
      if (!prev || (ok && !prev.ok))
        byEndpoint.set(key, { ws: c.workspaceId, id: c.endpointId, ok, at: a.startedAt })
    }
    for (const [key, e] of byEndpoint) {
      const last = written.get(key)
      if (last && last.ok === e.ok && e.at.getTime() - last.at < 1000) continue
      written.set(key, { ok: e.ok, at: e.at.getTime() })
      const health = await recordEndpointHealth(tx, e.ws, e.id, e.ok, e.at)
      if (e.ok || limit <= 0 || !health?.enabled || !health.failingSince) continue
      if (e.at.getTime() - health.failingSince.getTime() < limit) continue
      const reason = `Every delivery failed for ${Math.round(limit / 3600_000)} h; disabled automatically.`
      await updateEndpoint(tx, e.ws, e.id, { enabled: false, disabledReason: reason })
      await emit(tx, e.ws, SYSTEM, { type: 'webhook.disabled', payload: { webhookId: e.id, reason } })
      ctx.log.warn(
        { webhookId: e.id, workspaceId: e.ws },
        'webhook endpoint disabled after prolonged failure',
      )
    }
  })
}

export type WebhookWorker = {
  kick: () => void
  stop: () => Promise<void>
  /** Attempts this process has made since it started. */
  attempts: () => number
}

/** Finished attempts not yet recorded, beyond which this process stops claiming more. */
const MAX_UNRECORDED = 1000

/**
 * The delivery loop of this process: claims due deliveries (SKIP LOCKED, so processes share the
 * work without sending anything twice) and sends up to `concurrency` at once. Finished attempts
 * are recorded in batches (one transaction for many, at most two batches at a time), which also
 * makes each contact's next delivery due. Woken by NOTIFY when deliveries are created or
 * replayed, after each send and record, and by a timer for retries.
 */
export async function startWebhookWorker(ctx: Ctx): Promise<WebhookWorker> {
  const cfg = ctx.config.webhooks
  const sender = createSender(cfg)
  const sending = new Set<Promise<void>>()
  const written = new Map<string, { ok: boolean; at: number }>()
  let finished: Finished[] = []
  let stopped = false
  let running: Promise<void> | null = null
  let again = false
  let attempts = 0

  // Two batches may be recorded at once: lines are guarded by their locks, deliveries by fencing.
  const recorders = new Set<Promise<void>>()
  const record = () => {
    while (recorders.size < 2 && finished.length) {
      const batch = finished
      finished = []
      const r: Promise<void> = (async () => {
        try {
          await recordFinished(ctx, batch, written)
        } catch {
          // One bad item (say, its webhook was deleted meanwhile) must not sink the others.
          for (const f of batch) {
            await recordFinished(ctx, [f], written).catch((err) =>
              // Its claim lapses and it is sent again (receivers dedupe on the delivery id).
              ctx.log.error({ err, delivery: f.c.publicId }, 'webhook result failed to record'),
            )
          }
        }
      })().finally(() => {
        recorders.delete(r)
        kick() // recorded results free the contacts' next deliveries
        record()
      })
      recorders.add(r)
    }
  }

  const fill = async () => {
    while (!stopped) {
      const free = cfg.concurrency - sending.size
      if (free <= 0 || finished.length >= MAX_UNRECORDED) return
      const now = ctx.clock.now()
      const lease = new Date(now.getTime() + cfg.timeoutMs + LEASE_MARGIN_MS)
      const claimed = await claimDue(ctx.db, now, free, lease)
      attempts += claimed.length
      for (const c of claimed) {
        const p: Promise<void> = attempt(ctx, sender, c)
          .then((f) => {
            finished.push(f)
            record()
          })
          .catch((err) => ctx.log.error({ err, delivery: c.publicId }, 'webhook attempt failed unexpectedly'))
          .finally(() => {
            sending.delete(p)
            kick()
          })
        sending.add(p)
      }
      if (claimed.length < free) return
    }
  }
  const kick = () => {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = (async () => {
      do {
        again = false
        try {
          await fill()
        } catch (err) {
          ctx.log.error({ err }, 'webhook worker failed to claim; will retry')
          return
        }
      } while (again && !stopped)
    })().finally(() => {
      running = null
    })
  }
  const unlisten = await ctx.database.listen(WEBHOOKS_CHANNEL, kick)
  const timer = setInterval(kick, cfg.pollMs)
  kick()
  return {
    kick,
    attempts: () => attempts,
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await unlisten()
      await running
      await Promise.allSettled([...sending])
      while (recorders.size) await Promise.allSettled([...recorders])
      await sender.close()
    },
  }
}
