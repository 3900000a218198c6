import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { TestClient } from './client'
import type { TestServer } from './harness'

export type Received = { headers: IncomingMessage['headers']; body: any }

/** The integration server a custom channel posts outbound messages to (respond.io's protocol). */
export async function startDestination(
  answer: (body: any, n: number) => { status: number; body: unknown } = (_b, n) => ({
    status: 200,
    body: { mId: `out-${n}` },
  }),
) {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      const body = data ? JSON.parse(data) : undefined
      received.push({ headers: req.headers, body })
      const a = answer(body, received.length)
      res.writeHead(a.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(a.body))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/message`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** Connects a custom channel through the API and returns what its integration needs. */
export async function connectCustomChannel(
  owner: TestClient,
  workspaceId: number,
  destinationUrl: string,
  config: Record<string, unknown> = {},
) {
  const res = await owner.post(`/api/v1/workspaces/${workspaceId}/channels`, {
    type: 'custom',
    name: 'My SMS gateway',
    config: { idType: 'phone', destinationUrl, ...config },
  })
  if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${res.text}`)
  return {
    id: res.body.id as number,
    apiToken: res.body.credentials.apiToken as string,
    webhookPath: new URL(res.body.webhookUrl).pathname,
  }
}

let mid = 0
/** Posts an inbound message the way a custom-channel integration does. */
export async function inbound(
  server: Pick<TestServer, 'app'>,
  channel: { id: number; apiToken: string; webhookPath: string },
  o: {
    from: string
    text?: string
    mId?: string
    timestamp?: number
    contact?: Record<string, unknown>
    token?: string
  },
) {
  const body = {
    channelId: String(channel.id),
    contactId: o.from,
    events: [
      {
        type: 'message',
        mId: o.mId ?? `in-${process.pid}-${++mid}`,
        timestamp: o.timestamp ?? Date.now(),
        message: { type: 'text', text: o.text ?? 'Hello' },
      },
    ],
    ...(o.contact ? { contact: o.contact } : {}),
  }
  const res = await server.app.inject({
    method: 'POST',
    url: channel.webhookPath,
    headers: { authorization: `Bearer ${o.token ?? channel.apiToken}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  })
  return { status: res.statusCode, body: res.body }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  label = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > until) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
