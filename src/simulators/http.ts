import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request as a simulator saw it. */
export type SimRequest = {
  method: string
  url: URL
  headers: IncomingMessage['headers']
  raw: Buffer
}

export type SimReply = {
  status: number
  body: string | Buffer
  contentType: string
  headers?: Record<string, string>
}

export const json = (status: number, body: unknown): SimReply => ({
  status,
  body: JSON.stringify(body),
  contentType: 'application/json; charset=utf-8',
})

/** A small HTTP server for a provider simulator: buffers the body, hands it to `handle`. */
export async function startHttp(
  opts: { port?: number | undefined; host?: string | undefined },
  handle: (req: SimRequest) => Promise<SimReply> | SimReply,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      let reply: SimReply
      try {
        reply = await handle({
          method: req.method ?? 'GET',
          url: new URL(req.url ?? '/', 'http://simulator'),
          headers: req.headers,
          raw: Buffer.concat(chunks),
        })
      } catch (err) {
        reply = json(500, { error: String(err) })
      }
      res.writeHead(reply.status, { 'content-type': reply.contentType, ...(reply.headers ?? {}) })
      res.end(reply.body)
    })
  })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** What a provider's webhook call got back from Tawasul. */
export type Delivery = { status: number; body: string; contentType: string }

/** Posts a webhook the way a provider does and reports Tawasul's answer. */
export async function deliver(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<Delivery> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(15_000),
  })
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' }
}

/** Parameters of a request: query string, then form or JSON body (providers accept all three). */
export function paramsOf(req: SimRequest): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(req.url.searchParams)
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
  if (!req.raw.length) return out
  if (type === 'application/json') {
    const parsed = JSON.parse(req.raw.toString('utf8')) as unknown
    if (parsed && typeof parsed === 'object') Object.assign(out, parsed)
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(out, Object.fromEntries(new URLSearchParams(req.raw.toString('utf8'))))
  }
  return out
}

/** A simulator's own clock, so tests can move time (e.g. messaging windows) without waiting. */
export class SimClock {
  offsetMs = 0
  now = () => Date.now() + this.offsetMs
  advance(ms: number) {
    this.offsetMs += ms
  }
}
