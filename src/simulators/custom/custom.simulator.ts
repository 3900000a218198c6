import { randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { SimulatorHandle } from '../simulator'

/**
 * A respond.io Custom Channel integration server (github.com/respond-io/custom-channel-integration-
 * example): it receives Tawasul's outbound messages on POST /message with `Authorization: Bearer
 * <API token>`, answers `{ mId }` (200) or a 4xx `{ error: { message } }`, and posts inbound
 * events — messages, echoes and delivery receipts — to the channel's webhook with the same Bearer
 * token. Control endpoints under /simulator/ drive it from `npm run simulate`. It honours Tawasul's
 * Idempotency-Key header: a key it already accepted is answered with the same mId and not delivered
 * again, as a destination should (the header is our extension of the protocol).
 */
export type CustomLink = { channelId: string; webhookUrl: string; token: string }
type Body = {
  channelId?: unknown
  contactId?: unknown
  message?: { type?: string; text?: unknown; attachment?: { url?: unknown } }
  webhookUrl?: string
  token?: string
  text?: string
}
export type Outbound = {
  headers: IncomingHttpHeaders
  body: Body | undefined
  mId?: string
  status: number
  /** A retry of an Idempotency-Key already accepted: answered with the first mId, not delivered again. */
  repeat?: boolean
}

export type CustomSimulator = SimulatorHandle & {
  /** Configure this as the channel's destination URL. */
  destinationUrl: string
  received: Outbound[]
  /** Links a Tawasul channel (its id, webhook URL and API token) so receipts and inbound can be posted. */
  link: (l: CustomLink) => void
  /** Posts one inbound event body to Tawasul, signed with the channel's Bearer token. */
  post: (
    channelId: string,
    events: unknown[],
    contact?: Record<string, unknown>,
    contactId?: string,
  ) => Promise<{ status: number; body: string }>
  /** A contact's text message, as the integration would relay it. */
  inboundText: (
    channelId: string,
    contactId: string,
    text: string,
  ) => Promise<{ status: number; mId: string }>
}

export type CustomSimulatorOptions = {
  port?: number
  host?: string
  /** Contacts the "provider" refuses (answered 400 with an error message, a permanent failure). */
  rejectContacts?: (contactId: string) => boolean
  /** Post sent → delivered receipts back to Tawasul after each accepted message. */
  receipts?: boolean
}

export async function startCustomSimulator(opts: CustomSimulatorOptions = {}): Promise<CustomSimulator> {
  const links = new Map<string, CustomLink>()
  const received: Outbound[] = []
  const accepted = new Map<string, string>()
  let n = 0

  const post: CustomSimulator['post'] = async (channelId, events, contact, contactId) => {
    const l = links.get(channelId)
    if (!l) throw new Error(`custom simulator: channel ${channelId} is not linked`)
    const first = events[0] as { contactId?: string } | undefined
    const res = await fetch(l.webhookUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${l.token}`,
        'content-type': 'application/json',
        'cache-control': 'no-cache',
      },
      body: JSON.stringify({
        channelId,
        contactId: contactId ?? first?.contactId,
        events,
        ...(contact ? { contact } : {}),
      }),
    })
    return { status: res.status, body: await res.text() }
  }

  const receipt = (channelId: string, contactId: string, mId: string, value: string) =>
    post(
      channelId,
      [{ type: 'message_status', mId, timestamp: Date.now(), status: { value } }],
      undefined,
      contactId,
    )

  const server = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      let body: Body | undefined
      try {
        body = data ? JSON.parse(data) : undefined
      } catch {
        return answer(400, { error: { message: 'Invalid JSON' } })
      }
      const url = new URL(req.url ?? '/', 'http://sim')
      if (req.method === 'POST' && url.pathname === '/message') {
        const l = links.get(String(body?.channelId))
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        const entry: Outbound = { headers: req.headers, body, status: 0 }
        received.push(entry)
        if (!token || (l && token !== l.token)) {
          entry.status = 401
          return answer(401, { error: { message: '401: UNAUTHORIZED' } })
        }
        const m = body?.message
        const valid =
          typeof body?.contactId === 'string' &&
          (m?.type === 'text'
            ? typeof m.text === 'string'
            : m?.type === 'attachment'
              ? typeof m.attachment?.url === 'string'
              : m?.type === 'location')
        if (!valid || !body) {
          entry.status = 400
          return answer(400, { error: { message: 'Unsupported or malformed message' } })
        }
        const contactId = String(body.contactId)
        if (opts.rejectContacts?.(contactId)) {
          entry.status = 400
          return answer(400, { error: { message: `Invalid destination number ${contactId}` } })
        }
        const key = req.headers['idempotency-key']
        const first = typeof key === 'string' ? accepted.get(key) : undefined
        if (first) {
          Object.assign(entry, { status: 200, mId: first, repeat: true })
          return answer(200, { mId: first })
        }
        const mId = `sim-${++n}-${randomUUID().slice(0, 8)}`
        if (typeof key === 'string') accepted.set(key, mId)
        entry.status = 200
        entry.mId = mId
        answer(200, { mId })
        if (opts.receipts && l) {
          setTimeout(() => {
            receipt(l.channelId, contactId, mId, 'delivered').catch(() => {})
          }, 50)
        }
        return
      }
      if (req.method === 'POST' && url.pathname === '/simulator/channels') {
        const channelId = String(body?.channelId)
        links.set(channelId, { channelId, webhookUrl: String(body?.webhookUrl), token: String(body?.token) })
        return answer(200, { ok: true })
      }
      if (req.method === 'POST' && url.pathname === '/simulator/inbound') {
        inboundText(String(body?.channelId), String(body?.contactId), String(body?.text ?? '')).then(
          (r) => answer(200, r),
          (err) => answer(502, { error: { message: (err as Error).message } }),
        )
        return
      }
      if (req.method === 'GET' && url.pathname === '/simulator/messages')
        return answer(
          200,
          received.map((r) => r.body),
        )
      answer(404, { error: { message: 'Not found' } })
    })
  })

  const inboundText = async (channelId: string, contactId: string, text: string) => {
    const mId = `in-${randomUUID().slice(0, 12)}`
    const r = await post(
      channelId,
      [{ type: 'message', mId, timestamp: Date.now(), message: { type: 'text', text } }],
      undefined,
      contactId,
    )
    return { status: r.status, mId }
  }

  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`
  return {
    provider: 'custom',
    url,
    destinationUrl: `${url}/message`,
    received,
    link: (l) => links.set(l.channelId, l),
    post,
    inboundText,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
