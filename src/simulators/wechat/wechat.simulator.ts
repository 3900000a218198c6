import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { type Delivery, json, SimClock, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * A WeChat Official Account as published (https://developers.weixin.qq.com/doc/offiaccount/en/):
 * /cgi-bin/token (appid + secret → access_token, 7200 s; a new token leaves the previous one valid
 * for five more minutes), customer-service messages (message/custom/send) with errcode answers,
 * the 48-hour / 20-message rule of customer-service messages (45015, 45047; any user message or
 * follow resets it), media/upload (multipart) and media/get, and the server side of the console:
 * the GET echostr check and XML messages signed with sha1(sort(token, timestamp, nonce)), in
 * plaintext or safe mode (AES-256-CBC, msg_signature).
 */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are untrusted JSON, checked field by field below.
type Body = Record<string, any>
export type WechatSent = { msgtype: string; touser: string; body: Record<string, unknown> }

const HOUR = 3600_000
const err = (errcode: number, errmsg: string): SimReply =>
  json(200, { errcode, errmsg: `${errmsg} rid: ${randomBytes(4).toString('hex')}` })
const sha1 = (...parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex')
const cdata = (v: string) => `<![CDATA[${v}]]>`
function xml(fields: Record<string, string | number>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}>${typeof v === 'number' ? v : cdata(v)}</${k}>`)
    .join('')}</xml>`
}

function encrypt(aesKey: string, message: string, appId: string): string {
  const key = Buffer.from(`${aesKey}=`, 'base64')
  const msg = Buffer.from(message)
  const len = Buffer.alloc(4)
  len.writeUInt32BE(msg.length)
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(appId)])
  const pad = 32 - (plain.length % 32)
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false)
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64')
}

export async function startWechatSimulator(opts: { port?: number; host?: string; now?: () => number } = {}) {
  const clock = new SimClock()
  const now = opts.now ? () => opts.now!() + clock.offsetMs : clock.now
  const app = {
    appId: `wx${randomBytes(8).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    originalId: `gh_${randomBytes(6).toString('hex')}`,
  }
  /** The developer settings of the console: server URL, Token, EncodingAESKey, message mode. */
  const server = { url: '', token: '', aesKey: '', mode: 'plain' as 'plain' | 'safe' }
  const tokens = new Map<string, { expiresAt: number; replacedAt?: number }>()
  let currentToken: string | undefined
  let tokenRequests = 0
  const followers = new Map<string, { following: boolean; lastInteraction?: number; sentSince: number }>()
  const media = new Map<string, { data: Buffer; contentType: string; fileName: string; at: number }>()
  const received: WechatSent[] = []
  const deliveries: { xml: string; delivery: Delivery }[] = []
  let failNext: SimReply | undefined
  let msgId = 24_000_000_000_000_000n

  function tokenState(req: SimRequest): SimReply | undefined {
    const t = req.url.searchParams.get('access_token')
    if (!t) return err(41001, 'access_token missing')
    const s = tokens.get(t)
    if (!s) return err(40001, 'invalid credential, access_token is invalid or not latest')
    if (s.replacedAt !== undefined && now() > s.replacedAt + 5 * 60_000)
      return err(40001, 'invalid credential, access_token is invalid or not latest')
    if (now() > s.expiresAt) return err(42001, 'access_token expired')
    return undefined
  }

  function issueToken(req: SimRequest): SimReply {
    const p = req.url.searchParams
    if (p.get('grant_type') !== 'client_credential') return err(40002, 'invalid grant_type')
    if (p.get('appid') !== app.appId) return err(40013, 'invalid appid')
    if (p.get('secret') !== app.appSecret) return err(40125, 'invalid appsecret')
    tokenRequests++
    if (currentToken) tokens.get(currentToken)!.replacedAt = now()
    currentToken = `${randomBytes(60).toString('base64url')}`
    tokens.set(currentToken, { expiresAt: now() + 7200_000 })
    return json(200, { access_token: currentToken, expires_in: 7200 })
  }

  function customSend(req: SimRequest): SimReply {
    let b: Body
    try {
      b = JSON.parse(req.raw.toString('utf8'))
    } catch {
      return err(47001, 'data format error')
    }
    if (failNext) {
      const r = failNext
      failNext = undefined
      return r
    }
    const f = followers.get(String(b.touser ?? ''))
    if (!f) return err(40003, 'invalid openid')
    switch (b.msgtype) {
      case 'text':
        if (!b.text?.content) return err(44004, 'empty content')
        break
      case 'image':
        if (!media.has(String(b.image?.media_id ?? ''))) return err(40007, 'invalid media_id')
        break
      case 'msgmenu':
        if (!Array.isArray(b.msgmenu?.list) || b.msgmenu.list.length < 1)
          return err(47001, 'data format error')
        for (const item of b.msgmenu.list)
          if (!item.id || !item.content) return err(47001, 'data format error')
        break
      case 'news':
        if (!Array.isArray(b.news?.articles) || b.news.articles.length !== 1)
          return err(45008, 'article size out of limit')
        break
      default:
        return err(40008, 'invalid message type')
    }
    // Customer-service messages: within 48 h of the user's last interaction, at most 20 of them.
    if (!f.following || f.lastInteraction === undefined || now() - f.lastInteraction > 48 * HOUR)
      return err(45015, 'response out of time limit or subscription is canceled')
    if (f.sentSince >= 20) return err(45047, 'out of response count limit')
    f.sentSince++
    received.push({ msgtype: b.msgtype, touser: b.touser, body: b })
    return json(200, { errcode: 0, errmsg: 'ok' })
  }

  async function upload(req: SimRequest): Promise<SimReply> {
    const type = req.url.searchParams.get('type')
    if (!['image', 'voice', 'video', 'thumb'].includes(type ?? '')) return err(40004, 'invalid media type')
    let form: FormData
    try {
      form = await new Response(new Uint8Array(req.raw), {
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
      }).formData()
    } catch {
      return err(41005, 'media data missing')
    }
    const file = form.get('media')
    if (!file || typeof file === 'string') return err(41005, 'media data missing')
    const data = Buffer.from(await file.arrayBuffer())
    if (data.length === 0 || (type === 'image' && data.length > 10 * 1024 * 1024))
      return err(40006, 'invalid media size')
    if (type === 'image' && !/\.(bmp|png|jpe?g|gif)$/i.test(file.name)) return err(40005, 'invalid file type')
    const id = randomBytes(24).toString('base64url')
    media.set(id, { data, contentType: file.type || 'image/jpeg', fileName: file.name, at: now() })
    return json(200, { type, media_id: id, created_at: Math.floor(now() / 1000) })
  }

  const http = await startHttp(opts, async (req) => {
    const path = req.url.pathname
    if (req.method === 'GET' && path === '/cgi-bin/token') return issueToken(req)
    const bad = tokenState(req)
    if (bad) return bad
    if (req.method === 'POST' && path === '/cgi-bin/message/custom/send') return customSend(req)
    if (req.method === 'POST' && path === '/cgi-bin/media/upload') return upload(req)
    if (req.method === 'GET' && path === '/cgi-bin/media/get') {
      const m = media.get(req.url.searchParams.get('media_id') ?? '')
      // Temporary media lives three days.
      if (!m || now() - m.at > 72 * HOUR) return err(40007, 'invalid media_id')
      return {
        status: 200,
        body: m.data,
        contentType: m.contentType,
        headers: { 'content-disposition': `attachment; filename="${m.fileName}"` },
      }
    }
    return err(-1, 'system error')
  })

  function signedQuery(extra: Record<string, string> = {}) {
    const timestamp = String(Math.floor(now() / 1000))
    const nonce = String(Math.floor(Math.random() * 1e9))
    return { timestamp, nonce, signature: sha1(server.token, timestamp, nonce), ...extra }
  }

  /** Posts a message to the configured server URL as WeChat does; returns what it answered. */
  async function push(fields: Record<string, string | number>): Promise<Delivery> {
    if (!server.url) throw new Error('configureServer() first')
    const openid = String(fields.FromUserName)
    const f = followers.get(openid) ?? { following: true, sentSince: 0 }
    f.lastInteraction = now()
    f.sentSince = 0
    followers.set(openid, f)
    const plain = xml({ ToUserName: app.originalId, ...fields })
    let body = plain
    const query = signedQuery({ openid })
    if (server.mode === 'safe') {
      const enc = encrypt(server.aesKey, plain, app.appId)
      body = xml({ ToUserName: app.originalId, Encrypt: enc })
      Object.assign(query, {
        encrypt_type: 'aes',
        msg_signature: sha1(server.token, query.timestamp, query.nonce, enc),
      })
    }
    const res = await fetch(`${server.url}?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
      signal: AbortSignal.timeout(5_000), // WeChat waits five seconds
    })
    const delivery = {
      status: res.status,
      body: await res.text(),
      contentType: res.headers.get('content-type') ?? '',
    }
    deliveries.push({ xml: plain, delivery })
    return delivery
  }
  const base = (openid: string, type: string) => ({
    FromUserName: openid,
    CreateTime: Math.floor(now() / 1000),
    MsgType: type,
  })
  const nextId = () => String(++msgId)

  const handle = {
    provider: 'wechat',
    url: http.url,
    details: { appId: app.appId, appSecret: app.appSecret },
    close: http.close,
    app,
    clock,
    received,
    deliveries,
    tokenRequests: () => tokenRequests,
    currentToken: () => currentToken,
    /** The developer settings in the WeChat console. */
    configureServer: (s: { url: string; token: string; aesKey?: string; mode?: 'plain' | 'safe' }) => {
      Object.assign(server, { aesKey: '', mode: 'plain', ...s })
    },
    /** The console's "submit" check: GET with echostr, which the server must echo. */
    verifyServer: async () => {
      const echostr = String(Math.floor(Math.random() * 1e18))
      const res = await fetch(`${server.url}?${new URLSearchParams(signedQuery({ echostr }))}`)
      return { ok: res.status === 200 && (await res.text()) === echostr, status: res.status }
    },
    addFollower: () => {
      const openid = `o${randomBytes(14).toString('base64url').slice(0, 27)}`
      followers.set(openid, { following: true, sentSince: 0 })
      return openid
    },
    push,
    sendText: async (openid: string, text: string, extra: Record<string, string> = {}) => {
      const id = nextId()
      return {
        msgId: id,
        delivery: await push({ ...base(openid, 'text'), Content: text, MsgId: id, ...extra }),
      }
    },
    sendImage: async (openid: string, data: Buffer) => {
      const mediaId = randomBytes(24).toString('base64url')
      media.set(mediaId, { data, contentType: 'image/jpeg', fileName: 'photo.jpg', at: now() })
      const id = nextId()
      const delivery = await push({
        ...base(openid, 'image'),
        PicUrl: `${http.url}/mmbiz/${mediaId}`,
        MediaId: mediaId,
        MsgId: id,
      })
      return { msgId: id, delivery }
    },
    sendVoice: async (openid: string, data: Buffer) => {
      const mediaId = randomBytes(24).toString('base64url')
      media.set(mediaId, { data, contentType: 'audio/amr', fileName: 'voice.amr', at: now() })
      const id = nextId()
      return {
        msgId: id,
        delivery: await push({ ...base(openid, 'voice'), MediaId: mediaId, Format: 'amr', MsgId: id }),
      }
    },
    sendLocation: async (openid: string, lat: number, lng: number, label: string) => {
      const id = nextId()
      return {
        msgId: id,
        delivery: await push({
          ...base(openid, 'location'),
          Location_X: lat,
          Location_Y: lng,
          Scale: 20,
          Label: label,
          MsgId: id,
        }),
      }
    },
    sendLink: async (openid: string, title: string, url: string) => {
      const id = nextId()
      return {
        msgId: id,
        delivery: await push({
          ...base(openid, 'link'),
          Title: title,
          Description: 'desc',
          Url: url,
          MsgId: id,
        }),
      }
    },
    subscribe: (openid: string) => push({ ...base(openid, 'event'), Event: 'subscribe' }),
    unsubscribe: async (openid: string) => {
      const d = await push({ ...base(openid, 'event'), Event: 'unsubscribe' })
      followers.get(openid)!.following = false
      return d
    },
    failNext: (errcode: number, errmsg: string) => {
      failNext = err(errcode, errmsg)
    },
    /** Makes the current access_token expire now (as if 7200 s had passed for it). */
    expireToken: () => {
      if (currentToken) tokens.get(currentToken)!.expiresAt = now() - 1
    },
  } satisfies SimulatorHandle & Record<string, unknown>
  return handle
}

export type WechatSimulator = Awaited<ReturnType<typeof startWechatSimulator>>
