import type { WebhookConfig } from '../config'

/** What one HTTP attempt came to. */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterMs?: number | undefined }
  | { kind: 'error'; code: string; message: string }

export type Outcome = { outcome: 'delivered' } | { outcome: 'dead' } | { outcome: 'retry'; delayMs: number }

/** Errors that will not go away by trying again: the address is refused (SSRF rules). */
const PERMANENT_ERRORS: ReadonlySet<string> = new Set(['EWEBHOOKBLOCKED'])

/**
 * The delay before retry number `n` (1 = the first retry): exponential from the base, capped,
 * with ±10 % jitter so a receiver that comes back is not hit by every delivery at once.
 */
export function retryDelayMs(n: number, cfg: WebhookConfig, random = Math.random): number {
  const raw = Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** Math.min(n - 1, 40))
  return Math.round(raw * (0.9 + 0.2 * random()))
}

/**
 * 2xx → delivered. 408, 429, 5xx, timeouts and connection errors → retry with backoff (429/503
 * may ask for longer with Retry-After, up to the cap). Any other status, including redirects,
 * which are never followed → dead-letter at once: retrying would get the same answer.
 * After `maxAttempts` attempts in this round → dead-letter.
 */
export function decide(
  result: AttemptResult,
  roundAttempts: number,
  cfg: WebhookConfig,
  random = Math.random,
): Outcome {
  if (result.kind === 'response') {
    const s = result.status
    if (s >= 200 && s < 300) return { outcome: 'delivered' }
    if (!(s === 408 || s === 429 || s >= 500)) return { outcome: 'dead' }
  } else if (PERMANENT_ERRORS.has(result.code)) {
    return { outcome: 'dead' }
  }
  if (roundAttempts >= cfg.maxAttempts) return { outcome: 'dead' }
  const backoff = retryDelayMs(roundAttempts, cfg, random)
  const asked = result.kind === 'response' ? (result.retryAfterMs ?? 0) : 0
  return { outcome: 'retry', delayMs: Math.max(backoff, Math.min(asked, cfg.retryMaxMs)) }
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}
