import { JSONPath } from 'jsonpath-plus'
import { z } from 'zod'
import { singleVariable } from '../../../shared/workflow/variables'
import { errorText, isBlocked } from '../http/outbound'
import { defineStep, type StepContext } from '../step'

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,49}$/
/** Headers whose values are never written to the step log, whatever the builder says. */
const ALWAYS_SECRET = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
])
const HOP_BY_HOP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'idempotency-key'])
export const MAX_RESPONSE_BYTES = 256 * 1024

const configSchema = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  /** With $variables (their values are URL-encoded unless the whole URL is one variable). */
  url: z.string().trim().min(1, 'The URL is required.').max(2000),
  /** Rule 83: up to 10 headers, values with $variables; `secret` values never reach the logs. */
  headers: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(HEADER_NAME, 'A header name.')
          .refine((n) => !HOP_BY_HOP.has(n.toLowerCase()), 'This header is set by Tawasul.'),
        value: z.string().max(4000),
        secret: z.boolean().default(false),
      }),
    )
    .max(10, 'At most 10 headers.')
    .default([]),
  body: z
    .strictObject({
      contentType: z.string().min(1).max(200).default('application/json'),
      text: z.string().max(50_000),
    })
    .optional(),
  /** At most 10 s (rule 83 proposal). */
  timeoutSeconds: z.number().int().min(1).max(10).default(10),
  /** Rule 83: up to 10 JSONPath mappings from the JSON response into variables. */
  mappings: z
    .array(
      z.strictObject({
        path: z.string().trim().min(1).max(500).regex(/^\$/, 'A JSONPath such as $.customerType.'),
        variable: z
          .string()
          .regex(VARIABLE, 'A variable name has letters, digits and "_".')
          .refine(
            (v) => !['contact', 'assignee', 'system', 'trigger', 'http'].includes(v),
            'This name is reserved.',
          ),
      }),
    )
    .max(10, 'At most 10 mappings.')
    .default([]),
})
type Config = z.infer<typeof configSchema>

const isSecret = (h: { name: string; secret: boolean }) => h.secret || ALWAYS_SECRET.has(h.name.toLowerCase())

function redact(c: Config): Config {
  return { ...c, headers: c.headers.map((h) => (isSecret(h) ? { ...h, value: '[redacted]' } : h)) }
}

/** Reads the mappings out of a JSON answer; paths that match nothing set nothing. */
export function mapResponse(body: unknown, mappings: Config['mappings']): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const m of mappings) {
    let found: unknown
    try {
      found = JSONPath({ path: m.path, json: body as object, wrap: false, eval: false })
    } catch {
      continue
    }
    if (found !== undefined) out[m.variable] = found
  }
  return out
}

async function prepare(s: StepContext<Config>) {
  const c = s.config
  const url = singleVariable(c.url) ? await s.interpolate(c.url) : await s.interpolate(c.url, 'url')
  const headers: Record<string, string> = { 'user-agent': 'Tawasul-Workflows/1', 'idempotency-key': s.key }
  for (const h of c.headers)
    headers[h.name.toLowerCase()] = (await s.interpolate(h.value)).replace(/[\r\n]/g, ' ')
  let body: string | undefined
  if (c.body && c.method !== 'GET' && c.method !== 'HEAD') {
    const json = /json/i.test(c.body.contentType)
    body = await s.interpolate(c.body.text, json ? 'json' : 'none')
    headers['content-type'] = c.body.contentType
  }
  const shown = Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      c.headers.some((h) => h.name.toLowerCase() === k && isSecret(h)) || ALWAYS_SECRET.has(k)
        ? '[redacted]'
        : v,
    ]),
  )
  return {
    url,
    headers,
    body,
    request: {
      method: c.method,
      url,
      headers: shown,
      ...(body !== undefined ? { body: body.slice(0, 2000) } : {}),
    },
  }
}

function outcome(status: number, text: string, mappings: Config['mappings']) {
  let parsed: unknown
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {}
  const mapped = parsed === undefined ? {} : mapResponse(parsed, mappings)
  const ok = status >= 200 && status < 300
  return { next: ok ? 'success' : 'failure', set: { ...mapped, http: { status, ok } }, mapped }
}

/**
 * Rule 83. Success is a 2xx answer within the timeout; anything else (other statuses, timeouts,
 * refused addresses) takes Failure, with $http.status. The request carries an Idempotency-Key
 * derived from (run, step, visit), the same on every attempt, so a retry after a crash can be
 * recognised by the receiver.
 */
export const httpRequest = defineStep({
  kind: 'http_request',
  label: 'HTTP Request',
  configSchema,
  external: true,
  redact,
  outcomes: () => ({ continue: 'success', branches: ['failure'] }),
  async run(s) {
    const p = await prepare(s)
    if (s.mode === 'dry') {
      const r = s.dry?.response
      if (r) {
        const o = outcome(
          r.status,
          typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? ''),
          s.config.mappings,
        )
        return {
          next: o.next,
          set: o.set,
          output: { request: p.request, response: { status: r.status, assumed: true }, mapped: o.mapped },
        }
      }
      const next = s.dry?.outcome === 'failure' ? 'failure' : 'success'
      return { next, output: { request: p.request, wouldRequest: true } }
    }
    try {
      const res = await s.http.request({
        method: s.config.method,
        url: p.url,
        headers: p.headers,
        body: p.body,
        timeoutMs: s.config.timeoutSeconds * 1000,
        maxBytes: MAX_RESPONSE_BYTES,
      })
      if (res.truncated)
        return {
          next: 'failure',
          set: { http: { status: res.status, ok: false, error: 'The response is larger than 256 KB.' } },
          output: { request: p.request, response: { status: res.status, truncated: true } },
        }
      const o = outcome(res.status, res.body, s.config.mappings)
      return {
        next: o.next,
        set: o.set,
        output: {
          request: p.request,
          response: { status: res.status, body: res.body.slice(0, 2000) },
          mapped: o.mapped,
        },
      }
    } catch (err) {
      const error = errorText(err)
      return {
        next: 'failure',
        set: { http: { status: null, ok: false, error } },
        output: { request: p.request, error, ...(isBlocked(err) ? { blocked: true } : {}) },
      }
    }
  },
})
