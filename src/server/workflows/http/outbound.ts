import { isIP } from 'node:net'
import { Agent, request } from 'undici'
import { classifyAddress, guardedLookup, hostOf } from '../../webhooks/url-guard'

/**
 * Outgoing HTTP for workflow steps (HTTP Request, Google Sheets, Meta and TikTok APIs), with
 * SSRF protection (rule 83 and issue 5):
 *
 * - link-local and cloud-metadata addresses (169.254.0.0/16, fd00:ec2::254, 100.100.100.200…),
 *   multicast and reserved ranges are refused always;
 * - loopback and private ranges only when the workspace allows private networks;
 * - every address a name resolves to is checked, at connection time, and the socket uses the
 *   address that was checked (no DNS rebinding between a check and the connection);
 * - redirects are followed by hand (at most 3), each hop checked the same way;
 * - Tawasul's own host is refused (a workflow calling its own instance loops, rule 83);
 * - answers are read up to a size cap; the whole exchange has one deadline.
 */
export type Reach = { allowPrivate: boolean }

export type OutboundRequest = {
  method: string
  url: string
  headers: Record<string, string>
  body?: string | undefined
  timeoutMs: number
  /** Bytes of the response body kept; a longer body is cut and marked truncated. */
  maxBytes: number
}

export type OutboundResponse = {
  status: number
  headers: Record<string, string>
  body: string
  truncated: boolean
  url: string
}

export class BlockedUrlError extends Error {
  readonly code = 'EBLOCKED'
}

export type OutboundHttp = {
  request: (req: OutboundRequest, reach: Reach) => Promise<OutboundResponse>
  close: () => Promise<void>
}

/** What a step calls out with: the process's client, reaching only what its workspace allows. */
export type StepHttp = { request: (req: OutboundRequest) => Promise<OutboundResponse> }

const MAX_REDIRECTS = 3

export function refusalOf(ip: string, reach: Reach): string | null {
  const c = classifyAddress(ip)
  if (c === 'forbidden')
    return `${ip} is a link-local, cloud-metadata or reserved address and is never allowed.`
  if (c === 'private' && !reach.allowPrivate)
    return `${ip} is a loopback or private address; allow private networks in the workflow settings to call it.`
  return null
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy: () => void },
  max: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
    if (size > max) {
      body.destroy()
      return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), truncated: true }
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false }
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** `ownHosts`: hosts of this Tawasul instance (its public URL), refused to avoid loops. */
export function createOutboundHttp(ownHosts: string[] = []): OutboundHttp {
  const agents = new Map<boolean, Agent>()
  const own = new Set(ownHosts.map((h) => h.toLowerCase()))
  const agentFor = (reach: Reach) => {
    let agent = agents.get(reach.allowPrivate)
    if (!agent) {
      agent = new Agent({
        connect: { lookup: guardedLookup((ip) => refusalOf(ip, reach), BlockedUrlError), timeout: 10_000 },
        keepAliveTimeout: 4_000,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      })
      agents.set(reach.allowPrivate, agent)
    }
    return agent
  }
  const check = (url: URL, reach: Reach) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new BlockedUrlError('Only http:// and https:// URLs can be called.')
    if (url.username || url.password)
      throw new BlockedUrlError('Put no credentials in the URL; use a header.')
    if (own.has(url.host.toLowerCase()))
      throw new BlockedUrlError('A workflow cannot call this Tawasul instance itself (it would loop).')
    const host = hostOf(url)
    if (isIP(host)) {
      const why = refusalOf(host, reach)
      if (why) throw new BlockedUrlError(why)
    }
  }
  return {
    async request(req, reach) {
      const signal = AbortSignal.timeout(req.timeoutMs)
      let url = new URL(req.url)
      let method = req.method.toUpperCase()
      let body = req.body
      for (let hop = 0; ; hop++) {
        check(url, reach)
        const res = await request(url, {
          method: method as 'GET',
          headers: req.headers,
          ...(body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
          dispatcher: agentFor(reach),
          signal,
        })
        const location = res.headers.location
        if (res.statusCode >= 300 && res.statusCode < 400 && location && hop < MAX_REDIRECTS) {
          await res.body.dump()
          url = new URL(Array.isArray(location) ? location[0]! : location, url)
          // 303 (and 301/302 after a POST, as browsers do) continue as GET without a body.
          if (
            res.statusCode === 303 ||
            ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')
          ) {
            method = 'GET'
            body = undefined
          }
          continue
        }
        const { text, truncated } = await readCapped(res.body, req.maxBytes)
        return {
          status: res.statusCode,
          headers: flatHeaders(res.headers),
          body: text,
          truncated,
          url: url.href,
        }
      }
    },
    async close() {
      await Promise.all([...agents.values()].map((a) => a.close()))
      agents.clear()
    },
  }
}

/** A provider's JSON answer; `{}` when the body is not JSON (an HTML error page, a cut body). */
export function jsonBody<T extends object>(res: OutboundResponse): T {
  try {
    return JSON.parse(res.body) as T
  } catch {
    return {} as T
  }
}

/** Whether an error means "refused by the guard" (reported as such, never retried). */
export function isBlocked(err: unknown): err is BlockedUrlError {
  const e = err as { code?: unknown; cause?: { code?: unknown } }
  return err instanceof BlockedUrlError || e?.cause instanceof BlockedUrlError || e?.code === 'EBLOCKED'
}

export function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { message?: string; code?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'Timed out.'
  if (e?.cause instanceof BlockedUrlError) return e.cause.message
  return String(e?.cause?.message ?? e?.message ?? err).slice(0, 500)
}
