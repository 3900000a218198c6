import { isIP } from 'node:net'
import { Agent, request } from 'undici'
import type { WebhookConfig } from '../config'
import { type AttemptResult, parseRetryAfter } from './retry'
import { guardedLookup, hostOf, type Reach, refusal } from './url-guard'

/** How much of a receiver's answer the delivery log keeps. */
export const RESPONSE_BODY_LIMIT = 2048

export type SendResult = { result: AttemptResult; responseBody: string | null }

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } }
  if (typeof e?.cause?.code === 'string') return e.cause.code
  if (typeof e?.code === 'string') return e.code
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'ETIMEDOUT'
  return 'EUNKNOWN'
}

function errorMessage(code: string, err: unknown): string {
  if (code === 'ETIMEDOUT' || (code.startsWith('UND_ERR_') && code.endsWith('TIMEOUT'))) return 'Timed out.'
  const e = err as { message?: unknown; cause?: { message?: unknown } }
  return String(e?.cause?.message ?? e?.message ?? code).slice(0, 500)
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy: () => void }): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
    if (size >= RESPONSE_BODY_LIMIT * 4) {
      body.destroy()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_BODY_LIMIT)
}

/**
 * The HTTP client of the delivery worker: POSTs with a total timeout, follows no redirects
 * (undici's request never does), and connects only to addresses the URL guard accepts, checked
 * on the very address the socket uses (a DNS answer that changes after registration — DNS
 * rebinding — is caught here).
 */
export function createSender(cfg: WebhookConfig) {
  const agents = new Map<string, Agent>()
  const agentFor = (reach: Reach) => {
    const key = `${reach.allowPrivate}:${reach.privateOnly}`
    let agent = agents.get(key)
    if (!agent) {
      agent = new Agent({
        // The attempt's deadline is the AbortSignal below (exact); undici's own coarse timers
        // (about 0.5 s resolution) are only a backstop.
        connect: { lookup: guardedLookup((ip) => refusal(ip, reach)), timeout: cfg.timeoutMs + 1000 },
        headersTimeout: cfg.timeoutMs + 1000,
        bodyTimeout: cfg.timeoutMs + 1000,
        keepAliveTimeout: 10_000,
      })
      agents.set(key, agent)
    }
    return agent
  }
  return {
    async post(
      url: string,
      body: string,
      headers: Record<string, string>,
      allowPrivate: boolean,
      now: Date,
    ): Promise<SendResult> {
      const u = new URL(url)
      const reach: Reach = {
        allowPrivate: allowPrivate && cfg.privateNetworks,
        privateOnly: u.protocol === 'http:',
      }
      const host = hostOf(u)
      const why = isIP(host) ? refusal(host, reach) : null
      if (why) return { result: { kind: 'error', code: 'EWEBHOOKBLOCKED', message: why }, responseBody: null }
      try {
        const res = await request(u, {
          method: 'POST',
          body,
          headers,
          dispatcher: agentFor(reach),
          signal: AbortSignal.timeout(cfg.timeoutMs),
        })
        const retryAfter = res.headers['retry-after']
        const text = await readCapped(res.body)
        return {
          result: {
            kind: 'response',
            status: res.statusCode,
            retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now),
          },
          responseBody: text,
        }
      } catch (err) {
        const code = errorCode(err)
        return { result: { kind: 'error', code, message: errorMessage(code, err) }, responseBody: null }
      }
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()))
    },
  }
}

export type Sender = ReturnType<typeof createSender>
