import { createHash, createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { SimulatorFactory, SimulatorHandle } from '../simulator'
import { GraphFailure, graphError } from './graph-error'
import { checkSendApi, type MessagingProduct } from './messaging-rules'
import {
  messagingWebhook,
  mid,
  unixSeconds,
  type WaStatus,
  type WhatsappAccount,
  wamid,
  whatsappMessageWebhook,
  whatsappStatusWebhook,
} from './payloads'
import { defaultTemplates, type SimTemplate } from './templates'
import { checkWhatsappMessage } from './whatsapp-rules'

/**
 * A local Graph API that behaves like Meta's for WhatsApp Cloud API, Messenger and Instagram:
 * Bearer-token auth (190 for a bad or expired token), documented payload checks and limits,
 * documented success bodies and error objects, the messaging windows it tracks from the inbound
 * messages it delivered itself (WhatsApp: a free-form message outside 24 h is accepted and then
 * fails with 131047 in a status webhook, as Cloud API does), media and template endpoints — and
 * webhooks signed with X-Hub-Signature-256 to the configured Tawasul URLs.
 */
export type Product = 'whatsapp' | MessagingProduct

export type Deliver = (url: string, body: string, headers: Record<string, string>) => Promise<number>

export type MetaSimulatorOptions = {
  port?: number
  host?: string
  accessToken?: string
  appSecret?: string
  whatsapp?: Partial<WhatsappAccount>
  pageId?: string
  instagramId?: string
  /** The simulator's notion of now (tests pass the server's clock). */
  clock?: () => Date
  /** Statuses sent after an accepted WhatsApp message, in order, this far apart. */
  statuses?: readonly ('sent' | 'delivered' | 'read')[]
  statusDelayMs?: number
  templatesPageSize?: number
  /** How webhooks travel (default: HTTP POST). The Sandbox hands them to the app in-process. */
  deliver?: Deliver
}

export type Recorded = {
  product: Product | 'graph'
  method: string
  path: string
  status: number
  body: unknown
  at: Date
}

/** One line of a customer's thread: what they sent, and what the business sent them. */
export type ThreadItem = {
  id: string
  direction: 'in' | 'out'
  at: Date
  type: string
  text?: string
  payload: Record<string, unknown>
  status?: string
  error?: string
}

type Failure = { status?: number; code: number; message: string; subcode?: number; details?: string }

const DAY = 24 * 3600_000

export type MetaSimulator = SimulatorHandle & {
  accessToken: string
  appSecret: string
  whatsappAccount: WhatsappAccount
  pageId: string
  instagramId: string
  received: Recorded[]
  templates: SimTemplate[]
  /** Webhook deliveries and the status code Tawasul answered. */
  deliveries: { product: Product; status: number; body: unknown }[]
  connect: (product: Product, webhookUrl: string) => void
  /** A customer writes on WhatsApp: a signed `messages` webhook. Returns the wamid and Tawasul's answer. */
  sendInbound: (o: {
    from: string
    name?: string
    text?: string
    message?: Record<string, unknown>
  }) => Promise<{ id: string; status: number }>
  messengerInbound: (
    o: { from: string; text?: string; event?: Record<string, unknown> },
    product?: MessagingProduct,
  ) => Promise<{ id: string; status: number }>
  /** Signs and delivers any payload (e.g. a fixture from Meta's docs). */
  postWebhook: (product: Product, payload: unknown, opts?: { signature?: string }) => Promise<number>
  addMedia: (data: Buffer, mimeType: string) => string
  attachmentUrl: (data: Buffer, mimeType: string) => string
  thread: (customer: string) => ThreadItem[]
  setLastInbound: (product: Product, customer: string, at: Date | undefined) => void
  failNext: (f: Failure) => void
  expireToken: () => void
  /** Resolves once every scheduled status webhook has been delivered. */
  settle: () => Promise<void>
}

const httpDeliver: Deliver = async (url, body, headers) => {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) })
  await res.arrayBuffer()
  return res.status
}

export async function startMetaSimulator(opts: MetaSimulatorOptions = {}): Promise<MetaSimulator> {
  const now = opts.clock ?? (() => new Date())
  const accessToken = opts.accessToken ?? 'EAAG-simulator-access-token-0000000001'
  const appSecret = opts.appSecret ?? 'simulator-app-secret-00000001'
  const account: WhatsappAccount = {
    phoneNumberId: '106540352242922',
    wabaId: '102290129340398',
    displayPhoneNumber: '15550783881',
    verifiedName: 'Tawasul Sandbox',
    ...opts.whatsapp,
  }
  const pageId = opts.pageId ?? '104429202407382'
  const instagramId = opts.instagramId ?? '17841405822304914'
  const deliver = opts.deliver ?? httpDeliver
  const statusOrder = opts.statuses ?? ['sent', 'delivered', 'read']
  const statusDelay = opts.statusDelayMs ?? 30
  const pageSize = opts.templatesPageSize ?? 25

  const received: Recorded[] = []
  const deliveries: MetaSimulator['deliveries'] = []
  const templates = defaultTemplates()
  const webhooks = new Map<Product, string>()
  const lastInbound = new Map<string, Date>()
  const threads = new Map<string, ThreadItem[]>()
  const media = new Map<string, { data: Buffer; mimeType: string }>()
  const failures: Failure[] = []
  const timers = new Set<NodeJS.Timeout>()
  const pending = new Set<Promise<unknown>>()
  let tokenExpired = false
  let base = ''

  const key = (product: Product, customer: string) => `${product}:${customer.replace(/^\+/, '')}`
  const threadOf = (product: Product, customer: string) => {
    const k = key(product, customer)
    if (!threads.has(k)) threads.set(k, [])
    return threads.get(k)!
  }

  const sign = (raw: string) => `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`
  async function postWebhook(product: Product, payload: unknown, o: { signature?: string } = {}) {
    const url = webhooks.get(product)
    if (!url) throw new Error(`No ${product} webhook URL is connected to the simulator.`)
    const raw = typeof payload === 'string' ? payload : JSON.stringify(payload)
    const status = await deliver(url, raw, {
      'content-type': 'application/json',
      'x-hub-signature-256': o.signature ?? sign(raw),
      'user-agent': 'facebookexternalua',
    })
    deliveries.push({ product, status, body: payload })
    return status
  }
  /** Status webhooks go out after the API answered, like Meta's; failures are only recorded. */
  function later(ms: number, fn: () => Promise<unknown>) {
    const p = new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t)
        fn()
          .catch(() => {})
          .finally(resolve)
      }, ms)
      timers.add(t)
    })
    pending.add(p)
    p.finally(() => pending.delete(p))
  }

  function authorize(req: IncomingMessage, url: URL) {
    const header = req.headers.authorization
    const token = header?.startsWith('Bearer ')
      ? header.slice(7)
      : (url.searchParams.get('access_token') ?? '')
    if (!token)
      throw graphError(
        2500,
        'An active access token must be used to query information about the current user.',
        { status: 400 },
      )
    if (token !== accessToken)
      throw graphError(190, 'Invalid OAuth access token - Cannot parse access token', { status: 401 })
    if (tokenExpired)
      throw graphError(190, 'Error validating access token: Session has expired.', {
        status: 401,
        subcode: 463,
      })
  }
  function injectedFailure(whatsapp: boolean) {
    const f = failures.shift()
    if (f)
      throw graphError(f.code, f.message, {
        ...(f.status !== undefined ? { status: f.status } : {}),
        ...(f.subcode !== undefined ? { subcode: f.subcode } : {}),
        whatsapp,
        details: f.details ?? f.message,
      })
  }

  function whatsappSend(body: Record<string, unknown>) {
    injectedFailure(true)
    const checked = checkWhatsappMessage(body, templates)
    const id = wamid()
    const at = now()
    const last = lastInbound.get(key('whatsapp', checked.to))
    const windowOpen = last !== undefined && at.getTime() - last.getTime() < DAY
    const item: ThreadItem = {
      id,
      direction: 'out',
      at,
      type: checked.type,
      payload: body,
      status: 'accepted',
      ...(checked.type === 'text' ? { text: String((body.text as { body: string }).body) } : {}),
    }
    threadOf('whatsapp', checked.to).push(item)
    const status = (s: WaStatus['status'], error?: WaStatus['error']) => {
      item.status = s
      if (error) item.error = `${error.code}: ${error.title}`
      return postWebhook(
        'whatsapp',
        whatsappStatusWebhook(account, {
          id,
          status: s,
          at: now(),
          recipient: checked.to,
          ...(error ? { error } : {}),
          category: checked.template ? checked.template.category.toLowerCase() : 'service',
        }),
      )
    }
    if (checked.type !== 'template' && !windowOpen) {
      // Cloud API accepts the request and reports the re-engagement failure asynchronously.
      later(statusDelay, () =>
        status('failed', {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          details:
            'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        }),
      )
    } else {
      for (const [i, s] of statusOrder.entries()) later(statusDelay * (i + 1), () => status(s))
    }
    return {
      messaging_product: 'whatsapp',
      contacts: [{ input: String(body.to), wa_id: checked.to }],
      messages: [{ id, ...(checked.type === 'template' ? { message_status: 'accepted' } : {}) }],
    }
  }

  function messagingSend(product: MessagingProduct, accountId: string, body: Record<string, unknown>) {
    injectedFailure(false)
    const at = now()
    const checked = checkSendApi(product, body, (id) => lastInbound.get(key(product, id)), at)
    const id = mid(product === 'messenger' ? 'm_' : 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAU')
    const message = body.message as Record<string, unknown>
    const item: ThreadItem = {
      id,
      direction: 'out',
      at,
      type: message.attachment ? String((message.attachment as { type: string }).type) : 'text',
      payload: body,
      status: 'sent',
      ...(checked.text !== undefined ? { text: checked.text } : {}),
    }
    threadOf(product, checked.recipient).push(item)
    const object = product === 'messenger' ? 'page' : 'instagram'
    const envelope = (event: Record<string, unknown>) =>
      messagingWebhook(object, accountId, now(), [{ timestamp: now().getTime(), ...event }])
    // Meta echoes every message the account sends (Messenger with the app's metadata), after the API answered.
    later(statusDelay * 2, () =>
      postWebhook(
        product,
        envelope({
          sender: { id: accountId },
          recipient: { id: checked.recipient },
          message: { mid: id, is_echo: true, app_id: 1517776481860111, ...message },
        }),
      ),
    )
    later(statusDelay * 3, () => {
      item.status = 'delivered'
      return product === 'messenger'
        ? postWebhook(
            product,
            envelope({
              sender: { id: checked.recipient },
              recipient: { id: accountId },
              delivery: { mids: [id], watermark: now().getTime() },
            }),
          )
        : Promise.resolve()
    })
    later(statusDelay * 4, () => {
      item.status = 'read'
      return postWebhook(
        product,
        envelope({
          sender: { id: checked.recipient },
          recipient: { id: accountId },
          read: product === 'messenger' ? { watermark: now().getTime() } : { mid: id },
        }),
      )
    })
    return { recipient_id: checked.recipient, message_id: id }
  }

  function templatesPage(url: URL) {
    const after = Number(
      url.searchParams.get('after') ? Buffer.from(url.searchParams.get('after')!, 'base64url').toString() : 0,
    )
    const limit = Math.min(Number(url.searchParams.get('limit') ?? pageSize), pageSize)
    const slice = templates.slice(after, after + limit)
    const next =
      after + limit < templates.length ? Buffer.from(String(after + limit)).toString('base64url') : undefined
    const nextUrl = new URL(url.toString())
    if (next) nextUrl.searchParams.set('after', next)
    return {
      data: slice,
      paging: {
        cursors: {
          before: Buffer.from(String(after)).toString('base64url'),
          after: next ?? Buffer.from(String(after + slice.length)).toString('base64url'),
        },
        ...(next ? { next: `${base}${nextUrl.pathname}${nextUrl.search}` } : {}),
      },
    }
  }

  async function route(
    req: IncomingMessage,
    url: URL,
    body: unknown,
  ): Promise<{ status: number; json?: unknown; raw?: { data: Buffer; type: string } }> {
    const parts = url.pathname.split('/').filter(Boolean)
    // Media downloads (the URL GET /{media-id} returns) need the token too, as at Meta.
    if (parts[0] === 'whatsapp_business' && parts[1] === 'attachments') {
      authorize(req, url)
      const m = media.get(url.searchParams.get('mid') ?? '')
      if (!m) return { status: 404, json: { error: 'not found' } }
      return { status: 200, raw: { data: m.data, type: m.mimeType } }
    }
    if (parts[0] === 'cdn') {
      const m = media.get(parts[1] ?? '')
      return m ? { status: 200, raw: { data: m.data, type: m.mimeType } } : { status: 404, json: {} }
    }
    // Control endpoints for `npm run simulate` and the bench (not part of Meta's API).
    if (parts[0] === '_sim') {
      const b = (body ?? {}) as Record<string, string>
      if (parts[1] === 'connect' && req.method === 'POST') {
        webhooks.set(b.product as Product, b.url!)
        return { status: 200, json: { ok: true } }
      }
      if (parts[1] === 'inbound' && req.method === 'POST')
        return {
          status: 200,
          json: await api.sendInbound({
            from: b.from!,
            text: b.text ?? '',
            ...(b.name ? { name: b.name } : {}),
          }),
        }
      if (parts[1] === 'received') return { status: 200, json: received }
      if (parts[1] === 'thread')
        return { status: 200, json: api.thread(url.searchParams.get('customer') ?? '') }
    }
    if (!/^v\d+\.\d+$/.test(parts[0] ?? ''))
      throw graphError(2500, 'Unknown path components', { status: 400 })
    authorize(req, url)
    const [, id, edge] = parts
    const post = req.method === 'POST'
    const b = (body ?? {}) as Record<string, unknown>
    if (id === account.phoneNumberId && edge === 'messages' && post)
      return { status: 200, json: whatsappSend(b) }
    if (id === pageId && edge === 'messages' && post)
      return { status: 200, json: messagingSend('messenger', pageId, b) }
    if ((id === instagramId || id === 'me') && edge === 'messages' && post)
      return { status: 200, json: messagingSend('instagram', instagramId, b) }
    if (id === account.wabaId && edge === 'message_templates' && !post)
      return { status: 200, json: templatesPage(url) }
    if (!post && !edge && id === account.phoneNumberId)
      return {
        status: 200,
        json: {
          verified_name: account.verifiedName,
          display_phone_number: account.displayPhoneNumber,
          quality_rating: 'GREEN',
          id,
        },
      }
    if (!post && !edge && id === pageId) return { status: 200, json: { id, name: 'Tawasul Simulator Page' } }
    if (!post && !edge && id === instagramId)
      return { status: 200, json: { id, username: 'tawasul.simulator' } }
    if (!post && !edge && id && media.has(id)) {
      const m = media.get(id)!
      return {
        status: 200,
        json: {
          messaging_product: 'whatsapp',
          url: `${base}/whatsapp_business/attachments/?mid=${id}&ext=${Math.floor(now().getTime() / 1000) + 300}&hash=${createHash('sha256').update(id).digest('hex').slice(0, 16)}`,
          mime_type: m.mimeType,
          sha256: createHash('sha256').update(m.data).digest('hex'),
          file_size: m.data.length,
          id,
        },
      }
    }
    throw graphError(
      100,
      `Unsupported ${req.method?.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      { subcode: 33, type: 'GraphMethodException' },
    )
  }

  const server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://sim')
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown
      let answer: Awaited<ReturnType<typeof route>>
      try {
        body = text ? JSON.parse(text) : undefined
        answer = await route(req, url, body)
      } catch (err) {
        answer =
          err instanceof GraphFailure
            ? { status: err.status, json: err.body }
            : err instanceof SyntaxError
              ? {
                  status: 400,
                  json: graphError(100, 'Invalid JSON in the request body', { status: 400 }).body,
                }
              : { status: 500, json: { error: { message: String(err), type: 'OAuthException', code: 1 } } }
      }
      const product = url.pathname.includes(`/${account.phoneNumberId}/`)
        ? 'whatsapp'
        : url.pathname.includes(`/${pageId}/`)
          ? 'messenger'
          : url.pathname.includes(`/${instagramId}/`)
            ? 'instagram'
            : 'graph'
      received.push({
        product,
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        status: answer.status,
        body,
        at: now(),
      })
      if (answer.raw) {
        res.writeHead(answer.status, {
          'content-type': answer.raw.type,
          'content-length': answer.raw.data.length,
        })
        res.end(answer.raw.data)
      } else {
        res.writeHead(answer.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(answer.json ?? {}))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  base = `http://${opts.host ?? '127.0.0.1'}:${port}`

  const api: MetaSimulator = {
    provider: 'meta',
    url: base,
    details: {
      accessToken,
      appSecret,
      phoneNumberId: account.phoneNumberId,
      businessAccountId: account.wabaId,
      pageId,
      instagramAccountId: instagramId,
      control: `POST ${base}/_sim/connect {product,url} · POST ${base}/_sim/inbound {from,text}`,
    },
    accessToken,
    appSecret,
    whatsappAccount: account,
    pageId,
    instagramId,
    received,
    templates,
    deliveries,
    connect: (product, webhookUrl) => void webhooks.set(product, webhookUrl),
    postWebhook,
    async sendInbound(o) {
      const waId = o.from.replace(/^\+/, '')
      const id = wamid()
      const at = now()
      const message: Record<string, unknown> = {
        from: waId,
        id,
        timestamp: unixSeconds(at),
        ...(o.message ?? { type: 'text', text: { body: o.text ?? '' } }),
      }
      lastInbound.set(key('whatsapp', waId), at)
      threadOf('whatsapp', waId).push({
        id,
        direction: 'in',
        at,
        type: String(message.type),
        payload: message,
        ...(message.type === 'text' ? { text: (message.text as { body: string }).body } : {}),
      })
      const status = await postWebhook(
        'whatsapp',
        whatsappMessageWebhook(account, { waId, name: o.name ?? 'Sandbox Customer' }, message),
      )
      return { id, status }
    },
    async messengerInbound(o, product = 'messenger') {
      const accountId = product === 'messenger' ? pageId : instagramId
      const id = mid(product === 'messenger' ? 'm_' : 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAU')
      const at = now()
      lastInbound.set(key(product, o.from), at)
      const event = o.event ?? { message: { mid: id, text: o.text ?? '' } }
      threadOf(product, o.from).push({
        id,
        direction: 'in',
        at,
        type: 'text',
        payload: event,
        ...(o.text ? { text: o.text } : {}),
      })
      const status = await postWebhook(
        product,
        messagingWebhook(product === 'messenger' ? 'page' : 'instagram', accountId, at, [
          { sender: { id: o.from }, recipient: { id: accountId }, timestamp: at.getTime(), ...event },
        ]),
      )
      return { id, status }
    },
    addMedia(data, mimeType) {
      const id = String(BigInt(`0x${randomBytes(6).toString('hex')}`))
      media.set(id, { data, mimeType })
      return id
    },
    attachmentUrl(data, mimeType) {
      const id = randomBytes(8).toString('hex')
      media.set(id, { data, mimeType })
      return `${base}/cdn/${id}`
    },
    thread: (customer) => [...(threads.get(key('whatsapp', customer)) ?? [])],
    setLastInbound(product, customer, at) {
      if (at) lastInbound.set(key(product, customer), at)
      else lastInbound.delete(key(product, customer))
    },
    failNext: (f) => void failures.push(f),
    expireToken: () => {
      tokenExpired = true
    },
    async settle() {
      while (pending.size) await Promise.all([...pending])
    },
    async close() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return api
}

export const metaSimulatorFactory: SimulatorFactory = (o) => startMetaSimulator(o)
