import { createHmac, randomBytes } from 'node:crypto'
import { type Delivery, deliver, SimClock, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * The Viber REST Bot API as published (https://developers.viber.com/docs/api/rest-bot-api/):
 * X-Viber-Auth-Token on every request, answers with HTTP 200 and a `status` (0 ok, 2
 * invalidAuthToken, 3 badData, 4 missingData, 6 receiverNotSubscribed, 10 webhookNotSet, 12
 * tooManyRequests…), set_webhook calling the URL back with a "webhook" event first, send_message
 * validation (sender.name ≤ 28, text ≤ 7000, picture/file/location/keyboard fields, 30 KB), 64-bit
 * message tokens written as bare JSON numbers, and callbacks signed with
 * X-Viber-Content-Signature. Chatbot-initiated messages (outside the 24-hour session) are counted
 * per calendar month; Viber bills rather than refuses them, so they are sent and counted here.
 */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are untrusted JSON, checked field by field below.
type Body = Record<string, any>
export type ViberUser = { id: string; name: string; avatar?: string; language?: string; country?: string }
export type ViberSent = { token: string; body: Body; chatbotInitiated: boolean }

const HOUR = 3600_000
const reply = (body: Record<string, unknown>, token?: string): SimReply => {
  let text = JSON.stringify(token ? { ...body, message_token: `@@${token}@@` } : body)
  if (token) text = text.replace(`"@@${token}@@"`, token)
  return { status: 200, body: text, contentType: 'application/json' }
}
const status = (code: number, message: string) =>
  reply({ status: code, status_message: message, chat_hostname: 'SN-CHAT-05_' })

export async function startViberSimulator(
  opts: {
    port?: number
    host?: string
    now?: () => number
    autoDeliver?: boolean
    allowHttpWebhook?: boolean
  } = {},
) {
  const clock = new SimClock()
  const now = opts.now ? () => opts.now!() + clock.offsetMs : clock.now
  const account = {
    authToken: `${randomBytes(8).toString('hex')}-${randomBytes(8).toString('hex')}-${randomBytes(8).toString('hex')}`,
    id: `pa:${randomBytes(8).readBigUInt64BE() % 10n ** 18n}`,
    name: 'Tawasul simulator',
    uri: 'tawasulsim',
    webhook: '',
    eventTypes: [] as string[],
  }
  const users = new Map<
    string,
    ViberUser & { subscribed: boolean; lastMessageAt?: number; sinceReply: { at: number }[] }
  >()
  const received: ViberSent[] = []
  const callbacks: { body: Record<string, unknown>; delivery: Delivery }[] = []
  const pending: Promise<unknown>[] = []
  let seq = 5_098_034_272_017_990_000n
  const nextToken = () => String(seq++)

  const authorized = (req: SimRequest) => req.headers['x-viber-auth-token'] === account.authToken
  const sign = (body: string) => createHmac('sha256', account.authToken).update(body).digest('hex')

  async function callback(
    body: Record<string, unknown>,
    token?: string,
    url = account.webhook,
  ): Promise<Delivery> {
    let text = JSON.stringify(token ? { ...body, message_token: `@@${token}@@` } : body)
    if (token) text = text.replace(`"@@${token}@@"`, token)
    const delivery = await deliver(url, text, {
      'content-type': 'application/json',
      'x-viber-content-signature': sign(text),
    })
    callbacks.push({ body: { ...body, ...(token ? { message_token: token } : {}) }, delivery })
    return delivery
  }

  async function setWebhook(p: Body): Promise<SimReply> {
    const url = String(p.url ?? '')
    if (url === '') {
      account.webhook = ''
      return status(0, 'ok')
    }
    if (!/^https:\/\//.test(url) && !(opts.allowHttpWebhook ?? true)) return status(1, 'invalidUrl')
    // Viber checks the URL by calling it with a "webhook" event before answering.
    try {
      const d = await callback(
        { event: 'webhook', timestamp: now(), chat_hostname: 'SN-2_' },
        nextToken(),
        url,
      )
      if (d.status !== 200) return status(1, 'invalidUrl')
    } catch {
      return status(1, 'invalidUrl')
    }
    account.webhook = url
    account.eventTypes = Array.isArray(p.event_types)
      ? p.event_types
      : ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started']
    return reply({ status: 0, status_message: 'ok', chat_hostname: 'SN-2_', event_types: account.eventTypes })
  }

  function validate(p: Body): SimReply | undefined {
    if (!p.receiver) return status(4, 'missingData: receiver')
    if (!p.sender?.name) return status(4, 'missingData: sender.name')
    if (String(p.sender.name).length > 28)
      return status(3, 'badData: sender.name is longer than 28 characters')
    if (p.tracking_data !== undefined && String(p.tracking_data).length > 4000)
      return status(3, 'badData: tracking_data')
    switch (p.type) {
      case 'text':
        if (typeof p.text !== 'string' || !p.text) return status(4, 'missingData: text')
        if (p.text.length > 7000) return status(3, 'badData: text is longer than 7000 characters')
        break
      case 'picture':
        if (!p.media) return status(4, 'missingData: media')
        if (typeof p.text !== 'string' || p.text.length > 768)
          return status(3, 'badData: text (0–768 characters)')
        break
      case 'file':
        if (!p.media || !p.size || !p.file_name) return status(4, 'missingData: media, size and file_name')
        if (p.size > 200 * 1024 * 1024) return status(3, 'badData: file larger than 200 MB')
        break
      case 'location':
        if (typeof p.location?.lat !== 'number' || typeof p.location?.lon !== 'number')
          return status(3, 'badData: location')
        break
      default:
        return status(3, `badData: unsupported type ${p.type}`)
    }
    if (p.keyboard) {
      const k = p.keyboard
      if (k.Type !== 'keyboard' || !Array.isArray(k.Buttons) || k.Buttons.length < 1)
        return status(3, 'badData: keyboard')
      for (const b of k.Buttons) if (!b.ActionBody) return status(3, 'badData: keyboard button ActionBody')
    }
    return undefined
  }

  function sendMessage(req: SimRequest, p: Body): SimReply {
    if (req.raw.length > 30 * 1024) return status(3, 'badData: message larger than 30 KB')
    if (!account.webhook) return status(10, 'webhookNotSet')
    const invalid = validate(p)
    if (invalid) return invalid
    const user = users.get(String(p.receiver))
    if (!user) return status(5, 'receiverNotRegistered')
    if (!user.subscribed) return status(6, 'receiverNotSubscribed')
    // At most 100 messages per user per hour without a reply from them.
    user.sinceReply = user.sinceReply.filter((x) => now() - x.at < HOUR)
    if (user.sinceReply.length >= 100) return status(12, 'Too many requests')
    user.sinceReply.push({ at: now() })
    const inSession = user.lastMessageAt !== undefined && now() - user.lastMessageAt < 24 * HOUR
    const token = nextToken()
    received.push({ token, body: p, chatbotInitiated: !inSession })
    if (opts.autoDeliver !== false && account.eventTypes.includes('delivered')) {
      pending.push(
        (async () => {
          await new Promise((r) => setTimeout(r, 20))
          await callback(
            { event: 'delivered', timestamp: now(), chat_hostname: 'SN-CHAT-05_', user_id: user.id },
            token,
          )
        })().catch(() => {}),
      )
    }
    return reply(
      { status: 0, status_message: 'ok', chat_hostname: 'SN-CHAT-05_', billing_status: inSession ? 1 : 0 },
      token,
    )
  }

  const http = await startHttp(opts, async (req) => {
    const m = /^\/pa\/([a-z_]+)$/.exec(req.url.pathname)
    if (!m || req.method !== 'POST') return { status: 404, body: 'Not Found', contentType: 'text/plain' }
    if (!authorized(req)) return status(2, 'invalidAuthToken')
    let p: Body
    try {
      p = JSON.parse(req.raw.toString('utf8') || '{}')
    } catch {
      return status(3, 'badData: not JSON')
    }
    switch (m[1]) {
      case 'set_webhook':
        return setWebhook(p)
      case 'get_account_info':
        return reply({
          status: 0,
          status_message: 'ok',
          id: account.id,
          name: account.name,
          uri: account.uri,
          icon: 'http://example.com',
          category: 'Business',
          webhook: account.webhook,
          event_types: account.eventTypes,
          subscribers_count: [...users.values()].filter((u) => u.subscribed).length,
        })
      case 'send_message':
        return sendMessage(req, p)
      default:
        return status(3, `badData: unknown method ${m[1]}`)
    }
  })

  function addUser(u: Partial<ViberUser> = {}) {
    const user = {
      id: `${randomBytes(16).toString('base64').slice(0, 22)}==`,
      name: 'Sim User',
      language: 'en',
      country: 'UA',
      ...u,
      subscribed: false,
      sinceReply: [],
    }
    users.set(user.id, user)
    return user
  }
  const senderOf = (u: ViberUser) => ({
    id: u.id,
    name: u.name,
    avatar: u.avatar,
    language: u.language,
    country: u.country,
    api_version: 10,
  })

  /** The user writes to the bot; their first message subscribes them (no "subscribed" callback). */
  async function sendUserMessage(u: ViberUser, message: Record<string, unknown>) {
    const user = users.get(u.id)!
    user.subscribed = true
    user.lastMessageAt = now()
    user.sinceReply = []
    const token = nextToken()
    const delivery = await callback(
      {
        event: 'message',
        timestamp: now(),
        chat_hostname: 'SN-CHAT-05_',
        sender: senderOf(u),
        message,
        silent: false,
      },
      token,
    )
    return { token, delivery }
  }

  const handle = {
    provider: 'viber',
    url: http.url,
    details: { authToken: account.authToken },
    close: http.close,
    account,
    clock,
    received,
    callbacks,
    sign,
    addUser,
    sendUserMessage,
    sendText: (u: ViberUser, text: string, trackingData?: string) =>
      sendUserMessage(u, { type: 'text', text, ...(trackingData ? { tracking_data: trackingData } : {}) }),
    delivered: (token: string, u: ViberUser) =>
      callback({ event: 'delivered', timestamp: now(), chat_hostname: 'SN-CHAT-05_', user_id: u.id }, token),
    seen: (token: string, u: ViberUser) =>
      callback({ event: 'seen', timestamp: now(), chat_hostname: 'SN-CHAT-05_', user_id: u.id }, token),
    failed: (token: string, u: ViberUser, desc: string) =>
      callback(
        { event: 'failed', timestamp: now(), chat_hostname: 'SN-CHAT-05_', user_id: u.id, desc },
        token,
      ),
    subscribe: (u: ViberUser) => {
      users.get(u.id)!.subscribed = true
      return callback(
        { event: 'subscribed', timestamp: now(), chat_hostname: 'SN-CHAT-05_', user: senderOf(u) },
        nextToken(),
      )
    },
    unsubscribe: (u: ViberUser) => {
      users.get(u.id)!.subscribed = false
      return callback(
        { event: 'unsubscribed', timestamp: now(), chat_hostname: 'SN-CHAT-05_', user_id: u.id },
        nextToken(),
      )
    },
    conversationStarted: (u: ViberUser) =>
      callback(
        {
          event: 'conversation_started',
          timestamp: now(),
          chat_hostname: 'SN-CHAT-05_',
          type: 'open',
          context: 'ctx',
          user: senderOf(u),
          subscribed: users.get(u.id)?.subscribed ?? false,
        },
        nextToken(),
      ),
    /** Chatbot-initiated messages this simulator has sent (outside a 24-hour session; rule 18). */
    chatbotInitiatedCount: () => received.filter((r) => r.chatbotInitiated).length,
    settled: async () => {
      await Promise.all(pending)
    },
  } satisfies SimulatorHandle & Record<string, unknown>
  return handle
}

export type ViberSimulator = Awaited<ReturnType<typeof startViberSimulator>>
