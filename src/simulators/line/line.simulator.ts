import { createHmac, randomBytes } from 'node:crypto'
import { type Delivery, deliver, json, SimClock, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * The LINE Messaging API as published (https://developers.line.biz/en/reference/messaging-api/):
 * Bearer channel access token, reply (single-use reply token valid for one minute) and push
 * (1–5 message objects, validated), X-Line-Retry-Key (409 once accepted), the webhook endpoint
 * API, message content from the data API host (served here too), and signed webhooks
 * (X-Line-Signature) with webhookEventId and deliveryContext.isRedelivery.
 */
export type LineSent = {
  endpoint: 'reply' | 'push'
  to: string
  messages: Record<string, unknown>[]
  ids: string[]
}
type Event = Record<string, unknown> & { webhookEventId: string }

const error = (
  status: number,
  message: string,
  details?: { message: string; property: string }[],
): SimReply => json(status, { message, ...(details ? { details } : {}) })
const hex = (n: number) => randomBytes(n).toString('hex')
const ulid = () =>
  `01${randomBytes(12)
    .toString('base64url')
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, 'X')}`.slice(0, 26)
const HTTPS = /^https:\/\/.{1,1990}$/

function validateMessage(m: Record<string, unknown>, i: number): { message: string; property: string }[] {
  const p = (k: string) => `messages[${i}].${k}`
  const out: { message: string; property: string }[] = []
  const str = (k: string, max: number, required = true) => {
    const v = m[k]
    if (v === undefined || v === '') {
      if (required) out.push({ message: 'May not be empty', property: p(k) })
    } else if (typeof v !== 'string' || v.length > max)
      out.push({ message: `Length must be between 0 and ${max}`, property: p(k) })
  }
  switch (m.type) {
    case 'text':
      str('text', 5000)
      break
    case 'image':
      for (const k of ['originalContentUrl', 'previewImageUrl'])
        if (!HTTPS.test(String(m[k] ?? ''))) out.push({ message: 'Must be an https URL', property: p(k) })
      break
    case 'location':
      str('title', 100)
      str('address', 100)
      if (typeof m.latitude !== 'number' || Math.abs(m.latitude) > 90)
        out.push({ message: 'Invalid latitude', property: p('latitude') })
      if (typeof m.longitude !== 'number' || Math.abs(m.longitude) > 180)
        out.push({ message: 'Invalid longitude', property: p('longitude') })
      break
    case 'template': {
      str('altText', 400)
      const t = (m.template ?? {}) as { type?: string; text?: string; actions?: Record<string, unknown>[] }
      if (t.type !== 'buttons')
        out.push({ message: 'Unsupported template type', property: p('template.type') })
      if (!t.text || t.text.length > 160)
        out.push({ message: 'Length must be between 1 and 160', property: p('template.text') })
      if (!Array.isArray(t.actions) || t.actions.length < 1 || t.actions.length > 4)
        out.push({ message: 'Size must be between 1 and 4', property: p('template.actions') })
      for (const [j, a] of (t.actions ?? []).entries()) {
        if (!a.label || String(a.label).length > 20)
          out.push({
            message: 'Length must be between 1 and 20',
            property: p(`template.actions[${j}].label`),
          })
        if (a.type === 'postback' && (!a.data || String(a.data).length > 300))
          out.push({
            message: 'Length must be between 1 and 300',
            property: p(`template.actions[${j}].data`),
          })
      }
      break
    }
    default:
      out.push({ message: 'Unsupported message type', property: p('type') })
  }
  const qr = m.quickReply as { items?: unknown[] } | undefined
  if (qr && (!Array.isArray(qr.items) || qr.items.length < 1 || qr.items.length > 13))
    out.push({ message: 'Size must be between 1 and 13', property: p('quickReply.items') })
  return out
}

export async function startLineSimulator(opts: { port?: number; host?: string; now?: () => number } = {}) {
  const clock = new SimClock()
  const now = opts.now ? () => opts.now!() + clock.offsetMs : clock.now
  const account = {
    channelAccessToken: randomBytes(40).toString('base64url'),
    channelSecret: hex(16),
    botUserId: `U${hex(16)}`,
    webhookUrl: '',
  }
  const users = new Map<string, { displayName: string }>()
  const replyTokens = new Map<string, { userId: string; issuedAt: number; used: boolean }>()
  const retryKeys = new Map<string, { ids: string[] }>()
  const contents = new Map<string, { data: Buffer; contentType: string }>()
  const received: LineSent[] = []
  const delivered: { event: Event; delivery: Delivery }[] = []
  let monthlyLimitReached = false
  let messageSeq = 460_000_000_000_000_000n

  const authorized = (req: SimRequest) => req.headers.authorization === `Bearer ${account.channelAccessToken}`
  const nextId = () => String(++messageSeq)

  function sendMessages(req: SimRequest, endpoint: 'reply' | 'push'): SimReply {
    let body: { replyToken?: string; to?: string; messages?: Record<string, unknown>[] }
    try {
      body = JSON.parse(req.raw.toString('utf8'))
    } catch {
      return error(400, 'The request body has 1 error(s)', [{ message: 'Invalid JSON', property: '' }])
    }
    const key = req.headers['x-line-retry-key']
    if (typeof key === 'string') {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key))
        return error(400, 'The retry key is invalid')
      const seen = retryKeys.get(key)
      if (seen)
        return {
          ...json(409, {
            message: 'The retry key is already accepted',
            sentMessages: seen.ids.map((id) => ({ id })),
          }),
          headers: { 'x-line-accepted-request-id': hex(16) },
        }
    }
    const messages = body.messages
    if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5)
      return error(400, 'The request body has 1 error(s)', [
        { message: 'Size must be between 1 and 5', property: 'messages' },
      ])
    const problems = messages.flatMap((m, i) => validateMessage(m, i))
    if (problems.length) return error(400, `The request body has ${problems.length} error(s)`, problems)
    let to: string
    if (endpoint === 'reply') {
      const t = replyTokens.get(String(body.replyToken ?? ''))
      if (!t || t.used || now() - t.issuedAt > 60_000) return error(400, 'Invalid reply token')
      t.used = true
      to = t.userId
    } else {
      to = String(body.to ?? '')
      if (!/^[UCR][0-9a-f]{32}$/.test(to))
        return error(400, "The property, 'to', in the request body is invalid (line: -, column: -)")
      if (monthlyLimitReached) return error(429, 'You have reached your monthly limit.')
    }
    const ids = messages.map(() => nextId())
    received.push({ endpoint, to, messages, ids })
    if (typeof key === 'string') retryKeys.set(key, { ids })
    return json(200, {
      sentMessages: ids.map((id) => ({ id, quoteToken: randomBytes(12).toString('base64url') })),
    })
  }

  const http = await startHttp(opts, (req) => {
    const path = req.url.pathname
    if (!authorized(req))
      return error(
        401,
        'Authentication failed. Confirm that the access token in the authorization header is valid.',
      )
    if (req.method === 'POST' && path === '/v2/bot/message/reply') return sendMessages(req, 'reply')
    if (req.method === 'POST' && path === '/v2/bot/message/push') return sendMessages(req, 'push')
    if (req.method === 'GET' && path === '/v2/bot/info')
      return json(200, {
        userId: account.botUserId,
        basicId: '@216ru...',
        displayName: 'Tawasul simulator',
        chatMode: 'bot',
        markAsReadMode: 'auto',
      })
    if (req.method === 'PUT' && path === '/v2/bot/channel/webhook/endpoint') {
      const endpoint = String(
        (JSON.parse(req.raw.toString('utf8') || '{}') as { endpoint?: string }).endpoint ?? '',
      )
      if (!/^https?:\/\//.test(endpoint) || endpoint.length > 500)
        return error(400, 'Invalid webhook endpoint URL')
      account.webhookUrl = endpoint
      return json(200, {})
    }
    const content = /^\/v2\/bot\/message\/(\d+)\/content$/.exec(path)
    if (req.method === 'GET' && content) {
      const c = contents.get(content[1]!)
      if (!c) return error(404, 'Not found')
      return { status: 200, body: c.data, contentType: c.contentType }
    }
    return error(404, 'Not found')
  })

  function sign(body: string) {
    return createHmac('sha256', account.channelSecret).update(body).digest('base64')
  }
  async function post(events: Event[], redelivery = false) {
    if (!account.webhookUrl) throw new Error('no webhook endpoint set')
    const body = JSON.stringify({
      destination: account.botUserId,
      events: events.map((e) => ({ ...e, deliveryContext: { isRedelivery: redelivery } })),
    })
    const delivery = await deliver(account.webhookUrl, body, {
      'content-type': 'application/json',
      'x-line-signature': sign(body),
    })
    for (const event of events) delivered.push({ event, delivery })
    return delivery
  }
  function userEvent(userId: string, type: string, extra: Record<string, unknown>, withToken = true): Event {
    const replyToken = withToken ? hex(16) : undefined
    if (replyToken) replyTokens.set(replyToken, { userId, issuedAt: now(), used: false })
    return {
      type,
      mode: 'active',
      timestamp: now(),
      source: { type: 'user', userId },
      webhookEventId: ulid(),
      ...(replyToken ? { replyToken } : {}),
      ...extra,
    }
  }
  const send = async (e: Event) => ({ event: e, delivery: await post([e]) })

  const handle = {
    provider: 'line',
    url: http.url,
    details: { channelAccessToken: account.channelAccessToken, channelSecret: account.channelSecret },
    close: http.close,
    account,
    clock,
    received,
    delivered,
    addUser: (displayName = 'Sim User') => {
      const id = `U${hex(16)}`
      users.set(id, { displayName })
      return id
    },
    setWebhook: (url: string) => {
      account.webhookUrl = url
    },
    sign,
    post,
    sendText: (userId: string, text: string) =>
      send(
        userEvent(userId, 'message', { message: { id: nextId(), type: 'text', quoteToken: hex(8), text } }),
      ),
    sendImage: (userId: string, data: Buffer, contentType = 'image/jpeg') => {
      const id = nextId()
      contents.set(id, { data, contentType })
      return send(
        userEvent(userId, 'message', {
          message: { id, type: 'image', quoteToken: hex(8), contentProvider: { type: 'line' } },
        }),
      )
    },
    sendLocation: (userId: string, title: string, address: string, latitude: number, longitude: number) =>
      send(
        userEvent(userId, 'message', {
          message: { id: nextId(), type: 'location', title, address, latitude, longitude },
        }),
      ),
    sendSticker: (userId: string, packageId: string, stickerId: string, keywords: string[] = []) =>
      send(
        userEvent(userId, 'message', {
          message: {
            id: nextId(),
            type: 'sticker',
            packageId,
            stickerId,
            stickerResourceType: 'STATIC',
            keywords,
          },
        }),
      ),
    postback: (userId: string, data: string) => send(userEvent(userId, 'postback', { postback: { data } })),
    follow: (userId: string) => send(userEvent(userId, 'follow', { follow: { isUnblocked: false } })),
    unfollow: (userId: string) => send(userEvent(userId, 'unfollow', {}, false)),
    /** LINE redelivers an event it could not confirm: same ids, isRedelivery true. */
    redeliver: (event: Event) => post([event], true),
    setMonthlyLimitReached: (v: boolean) => {
      monthlyLimitReached = v
    },
  } satisfies SimulatorHandle & Record<string, unknown>
  return handle
}

export type LineSimulator = Awaited<ReturnType<typeof startLineSimulator>>
