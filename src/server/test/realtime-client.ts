import WebSocket from 'ws'
import type { TestClient } from './client'

export type Frame = Record<string, any> & { type: string; id?: number }

/** A realtime client as the web app would be: the session cookie, an Origin, frames collected in order. */
export class RealtimeTestClient {
  readonly frames: Frame[] = []
  closed: { code: number; reason: string } | null = null
  private waiters: (() => void)[] = []

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)))
      this.wake()
    })
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) }
      this.wake()
    })
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w()
  }

  static async connect(
    baseUrl: string,
    client: TestClient | null,
    opts: { origin?: string | null; cookie?: string } = {},
  ): Promise<RealtimeTestClient> {
    const headers: Record<string, string> = {}
    const cookie = opts.cookie ?? (client ? [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : '')
    if (cookie) headers.cookie = cookie
    const origin = opts.origin === undefined ? baseUrl : opts.origin
    if (origin) headers.origin = origin
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/realtime`, { headers })
    const rt = new RealtimeTestClient(socket)
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () =>
          reject(
            Object.assign(new Error(`handshake refused: ${res.statusCode}`), {
              status: res.statusCode,
              body,
            }),
          ),
        )
      })
      socket.once('error', reject)
    })
    await rt.next((f) => f.type === 'hello')
    return rt
  }

  send(message: unknown) {
    this.socket.send(JSON.stringify(message))
  }

  /** Subscribes and waits for the acknowledgement (`subscribed`, `resync` or `error`). */
  async subscribe(workspaceId: number, lastEventId?: number): Promise<Frame> {
    const from = this.frames.length
    this.send({ type: 'subscribe', workspaceId, ...(lastEventId === undefined ? {} : { lastEventId }) })
    return this.next((f) => ['subscribed', 'resync', 'error'].includes(f.type), 10_000, from)
  }

  /** The first frame (from index `from`) matching, waiting for it if needed. */
  async next(match: (f: Frame) => boolean, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const found = this.frames.slice(from).find(match)
      if (found) return found
      if (this.closed)
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) before the frame came`)
      const left = until - Date.now()
      if (left <= 0)
        throw new Error(
          `no matching frame in ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
        )
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const until = Date.now() + timeoutMs
    while (!this.closed) {
      if (Date.now() > until) throw new Error('socket did not close')
      await new Promise((r) => setTimeout(r, 20))
    }
    return this.closed
  }

  /** Event frames (those with an id) received so far. */
  events(): Frame[] {
    return this.frames.filter((f) => typeof f.id === 'number')
  }

  close() {
    this.socket.terminate()
  }
}
