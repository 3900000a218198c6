import { decryptSecret } from '../auth/crypto'
import type { Ctx } from '../context'
import { emit, SYSTEM } from '../events'
import { type Claimed, claimDue, recordAttempt } from './deliveries.repo'
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

/** Sends one claimed delivery and records the outcome (retry time, dead letter, endpoint health). */
export async function deliver(ctx: Ctx, sender: Sender, c: Claimed): Promise<void> {
  const cfg = ctx.config.webhooks
  const now = ctx.clock.now()
  const body = envelope(c)
  const headers = deliveryHeaders(c, signingSecrets(ctx, c, now), body, now)
  const t0 = performance.now()
  const { result, responseBody } = await sender.post(c.url, body, headers, c.allowPrivate, now)
  const durationMs = Math.round(performance.now() - t0)
  const decision = decide(result, c.roundAttempts, cfg)
  const nextAttemptAt =
    decision.outcome === 'retry' ? new Date(now.getTime() + durationMs + decision.delayMs) : null
  const ok = decision.outcome === 'delivered'
  await ctx.db.transaction(async (tx) => {
    const current = await recordAttempt(tx, c, {
      number: c.attempts,
      startedAt: now,
      durationMs,
      statusCode: result.kind === 'response' ? result.status : null,
      error: result.kind === 'error' ? `${result.code}: ${result.message}` : null,
      responseBody,
      outcome: decision.outcome,
      nextAttemptAt,
    })
    if (!current) return
    const health = await recordEndpointHealth(tx, c.workspaceId, c.endpointId, ok, now)
    const limit = cfg.autoDisableAfterMs
    if (!ok && limit > 0 && health?.enabled && health.failingSince) {
      if (now.getTime() - health.failingSince.getTime() >= limit) {
        const reason = `Every delivery failed for ${Math.round(limit / 3600_000)} h; disabled automatically.`
        await updateEndpoint(tx, c.workspaceId, c.endpointId, { enabled: false, disabledReason: reason })
        await emit(tx, c.workspaceId, SYSTEM, {
          type: 'webhook.disabled',
          payload: { webhookId: c.endpointId, reason },
        })
        ctx.log.warn({ webhookId: c.endpointId, workspaceId: c.workspaceId }, 'webhook endpoint disabled')
      }
    }
  })
  if (!ok) {
    ctx.log.debug(
      { webhookId: c.endpointId, delivery: c.publicId, outcome: decision.outcome, attempt: c.attempts },
      'webhook attempt failed',
    )
  }
}

export type WebhookWorker = {
  kick: () => void
  stop: () => Promise<void>
  /** Attempts this process has made since it started. */
  attempts: () => number
}

/**
 * The delivery loop of this process: claims due deliveries (SKIP LOCKED, so processes share the
 * work without sending anything twice), sends up to `concurrency` at once, and records results.
 * Woken by NOTIFY when deliveries are created or replayed, when a send finishes (the contact's
 * next delivery may now be due) and by a timer for retries.
 */
export async function startWebhookWorker(ctx: Ctx): Promise<WebhookWorker> {
  const cfg = ctx.config.webhooks
  const sender = createSender(cfg)
  const inflight = new Set<Promise<void>>()
  let stopped = false
  let running: Promise<void> | null = null
  let again = false
  let attempts = 0

  const fill = async () => {
    while (!stopped) {
      const free = cfg.concurrency - inflight.size
      if (free <= 0) return
      const now = ctx.clock.now()
      const lease = new Date(now.getTime() + cfg.timeoutMs + LEASE_MARGIN_MS)
      const claimed = await claimDue(ctx.db, now, free, lease)
      attempts += claimed.length
      for (const c of claimed) {
        const p: Promise<void> = deliver(ctx, sender, c)
          .catch((err) => ctx.log.error({ err, delivery: c.publicId }, 'webhook delivery failed to record'))
          .finally(() => {
            inflight.delete(p)
            kick()
          })
        inflight.add(p)
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
      await Promise.allSettled([...inflight])
      await sender.close()
    },
  }
}
