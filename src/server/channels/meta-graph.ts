import { createHmac } from 'node:crypto'
import type { z } from 'zod'
import { safeEqual } from '../auth/crypto'
import { ForbiddenError, UnauthenticatedError, ValidationError } from '../errors'
import { ChannelAuthError, PermanentSendError, type WebhookReply, type WebhookRequest } from './channel'

/**
 * What WhatsApp, Messenger and Instagram share: Meta's Graph API and its webhooks
 * (developers.facebook.com/docs/graph-api/webhooks/getting-started).
 */

export const GRAPH_BASE_URL = 'https://graph.facebook.com'
export const GRAPH_VERSION = 'v21.0'

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)

/**
 * The verification request Meta sends when a webhook is configured:
 * `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`, answered with the challenge.
 */
export function metaHandshake(req: WebhookRequest, verifyToken: string): WebhookReply | null {
  const mode = one(req.query['hub.mode'])
  if (mode === undefined) return null
  const token = one(req.query['hub.verify_token']) ?? ''
  if (mode !== 'subscribe' || !safeEqual(token, verifyToken)) {
    throw new ForbiddenError('The verify token does not match this channel.', 'verify_token_mismatch')
  }
  return { status: 200, body: one(req.query['hub.challenge']) ?? '' }
}

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed by the app secret>`. */
export function signMetaPayload(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`
}

export function verifyMetaSignature(req: WebhookRequest, appSecret: string): void {
  const header = one(req.headers['x-hub-signature-256'])
  if (!header || !safeEqual(header, signMetaPayload(appSecret, req.rawBody))) {
    throw new UnauthenticatedError('Invalid or missing X-Hub-Signature-256.')
  }
}

/** Zod parse at the webhook boundary: problems become a 400 naming the fields. */
export function parseOr400<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  throw new ValidationError(
    parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; '),
    parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  )
}

/** Graph API error object (developers.facebook.com/docs/graph-api/guides/error-handling). */
export type GraphError = {
  message?: string
  type?: string
  code?: number
  error_subcode?: number
  error_data?: { messaging_product?: string; details?: string } | string
  fbtrace_id?: string
}

export type ErrorRule = {
  /** Retry later (rate limits, temporary outages) or fail for good. */
  retry: boolean
  /** The channel's credentials or permissions are the problem: mark the channel `error`. */
  channel?: boolean
  /** A clear, user-facing reason; the provider's own text goes to `detail`. */
  title: string
}

/** Codes every Graph product shares: authentication, permissions, throttling, outages. */
export const GRAPH_ERRORS: Record<number, ErrorRule> = {
  0: { retry: false, channel: true, title: 'Meta could not authenticate this channel; reconnect it.' },
  1: { retry: true, title: 'Meta reported an unknown error; retrying.' },
  2: { retry: true, title: 'Meta is temporarily unavailable; retrying.' },
  3: {
    retry: false,
    channel: true,
    title: 'The app lacks the capability or permission for this call; check the app in Meta.',
  },
  4: { retry: true, title: "The app hit Meta's request limit; retrying." },
  10: {
    retry: false,
    channel: true,
    title: 'Permission denied: the token lacks a permission this channel needs; reconnect it.',
  },
  80007: { retry: true, title: "Meta's rate limit for this account was reached; retrying." },
  190: {
    retry: false,
    channel: true,
    title: 'The access token has expired or was revoked; reconnect the channel with a new token.',
  },
  200: {
    retry: false,
    channel: true,
    title: 'Permission denied by Meta for this channel; check the token and the app permissions.',
  },
  368: { retry: false, title: 'Meta temporarily blocked this account for policy violations.' },
}

export function graphErrorDetail(e: GraphError): string | undefined {
  const details = typeof e.error_data === 'object' ? e.error_data?.details : e.error_data
  return [e.message, details].filter(Boolean).join(' — ') || undefined
}

/**
 * Turns a failed Graph call into the error the send job understands: a retry (plain Error), a
 * permanent failure, or a permanent failure that also marks the channel `error`.
 */
export function graphFailure(
  status: number,
  error: GraphError | undefined,
  rules: (e: GraphError) => ErrorRule | undefined,
): Error {
  const code = error?.code
  const detail = error ? graphErrorDetail(error) : undefined
  const rule = error ? (rules(error) ?? (code !== undefined ? GRAPH_ERRORS[code] : undefined)) : undefined
  const label = code === undefined ? String(status) : String(code)
  if (rule) {
    if (rule.retry) return new Error(`Meta error ${label}: ${detail ?? rule.title}`)
    return rule.channel
      ? new ChannelAuthError(label, rule.title, detail)
      : new PermanentSendError(label, rule.title, detail)
  }
  if (status === 401) return new ChannelAuthError(label, GRAPH_ERRORS[190]!.title, detail)
  if (status === 429 || status >= 500 || status === 408 || status === 0)
    return new Error(`Meta answered ${status}: ${detail ?? 'no detail'}`)
  return new PermanentSendError(label, detail ?? `Meta refused the request (${status}).`)
}

/** One Graph call: JSON in and out, the token as a Bearer header, failures classified. */
export async function graphFetch<T>(
  fetcher: typeof fetch,
  url: string,
  token: string,
  rules: (e: GraphError) => ErrorRule | undefined,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<T> {
  let res: Response
  try {
    res = await fetcher(url, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(20_000),
    })
  } catch (err) {
    throw new Error(`Meta could not be reached: ${(err as Error).message}`)
  }
  const data = (await res.json().catch(() => undefined)) as { error?: GraphError } | undefined
  if (!res.ok || data?.error) throw graphFailure(res.status, data?.error, rules)
  return data as T
}

export function graphUrl(config: { apiBaseUrl: string; apiVersion: string }, path: string): string {
  return `${config.apiBaseUrl.replace(/\/+$/, '')}/${config.apiVersion}/${path.replace(/^\/+/, '')}`
}

/** Unix seconds (Graph sends strings) or milliseconds (Messenger) → Date. */
export function fromUnix(value: string | number, unit: 's' | 'ms'): Date {
  const n = Number(value)
  return new Date(unit === 's' ? n * 1000 : n)
}
