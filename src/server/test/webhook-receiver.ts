import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { WEBHOOK_DEFAULTS, type WebhookConfig } from '../config'
import type { TestClient } from './client'

/** A fast retry schedule for tests: a handful of attempts tens of milliseconds apart. */
export function fastWebhooks(overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    ...WEBHOOK_DEFAULTS,
    retryBaseMs: 30,
    retryMaxMs: 120,
    maxAttempts: 4,
    pollMs: 40,
    timeoutMs: 1500,
    ...overrides,
  }
}

export type Hit = { at: number; headers: IncomingHttpHeaders; raw: string; body: any; path: string }
export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers as told. `answer`
 * sees the hit and how many requests carried the same delivery id so far (1 = first).
 */
export async function startReceiver(answer: (hit: Hit, nth: number) => Answer = () => ({ status: 200 })) {
  const hits: Hit[] = []
  const seen = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (c) => (raw += c))
    req.on('end', () => {
      let body: any
      try {
        body = raw ? JSON.parse(raw) : undefined
      } catch {
        body = undefined
      }
      const hit: Hit = { at: Date.now(), headers: req.headers, raw, body, path: req.url ?? '/' }
      hits.push(hit)
      const id = String(req.headers['tawasul-webhook-id'] ?? '')
      const nth = (seen.get(id) ?? 0) + 1
      seen.set(id, nth)
      const a = answer(hit, nth)
      const send = () => {
        res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers })
        res.end(a.body ?? 'ok')
      }
      if (a.delayMs) setTimeout(send, a.delayMs)
      else send()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    hits,
    /** Requests for one delivery id. */
    of: (deliveryId: string) => hits.filter((h) => h.headers['tawasul-webhook-id'] === deliveryId),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>

/** Lets the workspace use 127.0.0.1 receivers, then registers a webhook for these events. */
export async function registerWebhook(
  owner: TestClient,
  workspaceId: number,
  url: string,
  events: string[],
  extra: Record<string, unknown> = {},
) {
  const s = await owner.put(`/api/v1/workspaces/${workspaceId}/webhooks/settings`, {
    allowPrivateNetwork: true,
  })
  if (s.status !== 200) throw new Error(`settings failed: ${s.status} ${s.text}`)
  const res = await owner.post(`/api/v1/workspaces/${workspaceId}/webhooks`, { url, events, ...extra })
  if (res.status !== 201) throw new Error(`webhook create failed: ${res.status} ${res.text}`)
  return { id: res.body.id as number, secret: res.body.secret as string }
}
