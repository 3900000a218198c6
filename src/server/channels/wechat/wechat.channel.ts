import { z } from 'zod'
import { safeEqual } from '../../auth/crypto'
import { UnauthenticatedError, ValidationError } from '../../errors'
import {
  ChannelAuthError,
  type ChannelRef,
  defineChannel,
  type InboundMessage,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type WebhookRequest,
} from '../channel'
import { wechatDecrypt, wechatSignature } from './crypto'
import { parseWechatXml } from './xml'

/**
 * WeChat Official Account (https://developers.weixin.qq.com/doc/offiaccount/en/). The server URL is
 * verified with a GET (signature = sha1 of sorted token, timestamp, nonce; answer echostr); messages
 * arrive as XML POSTs signed the same way and are answered "success" at once (WeChat waits 5 s,
 * then retries three times: MsgId dedupes). Plaintext and compatible mode work as is; safe mode
 * (AES) works when the EncodingAESKey is configured — msg_signature is checked and the Encrypt
 * element decrypted. Outbound goes through the customer-service API (message/custom/send): text,
 * images (uploaded with media/upload first) and menu messages (msgmenu) for buttons — a tap comes
 * back as text with bizmsgmenuid, stored as an interactive reply. The access_token from
 * /cgi-bin/token is kept in the channel's encrypted state, shared by every process (a new token
 * invalidates the old one after five minutes, so processes must not each fetch their own), and
 * refreshed five minutes before it expires; 40001/42001 refresh it and retry once. Events
 * (subscribe, unsubscribe, menu clicks, scans) are acknowledged and store nothing. The 48-hour /
 * 20-message window (rule 19) is the core's (windows.ts); WeChat's own 45015/45047 refusals fail
 * the message with the reason (the inbox shows the red "!").
 */
const configSchema = z.strictObject({
  appId: z.string().regex(/^wx[0-9a-f]{16}$/, 'An AppID is "wx" followed by 16 hex characters.'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.weixin.qq.com')
    .transform((u) => u.replace(/\/+$/, '')),
})
const secretsSchema = z.strictObject({
  appSecret: z.string().regex(/^[0-9a-f]{32}$/i, 'The AppSecret is 32 hex characters.'),
  token: z
    .string()
    .regex(/^[A-Za-z0-9]{3,32}$/, 'The Token is 3–32 letters or digits, as entered in the WeChat console.'),
  encodingAESKey: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'The EncodingAESKey is 43 letters or digits.')
    .optional(),
})
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>
type Ref = ChannelRef<Config, Secrets>

const q = (req: WebhookRequest, k: string) => {
  const v = req.query[k]
  return typeof v === 'string' ? v : undefined
}

function checkSignature(req: WebhookRequest, token: string) {
  const signature = q(req, 'signature')
  const timestamp = q(req, 'timestamp')
  const nonce = q(req, 'nonce')
  if (!signature || !timestamp || !nonce || !safeEqual(signature, wechatSignature(token, timestamp, nonce)))
    throw new UnauthenticatedError('Invalid WeChat signature (check the Token).')
  return { timestamp, nonce }
}

/** The message fields, decrypted in safe mode. */
function fieldsOf(req: WebhookRequest, c: Ref): Record<string, string> {
  const outer = parseWechatXml(req.rawBody.toString('utf8'))
  if (outer.MsgType) return outer // plaintext, or compatible mode (plaintext fields are present too)
  if (!outer.Encrypt) throw new ValidationError('The WeChat message has no MsgType.')
  if (!c.secrets.encodingAESKey)
    throw new ValidationError(
      'This message is encrypted (safe mode): set the EncodingAESKey in the channel settings.',
    )
  const { xml, appId } = wechatDecrypt(c.secrets.encodingAESKey, outer.Encrypt)
  if (appId !== c.config.appId) throw new ValidationError('The encrypted message is for another AppID.')
  return parseWechatXml(xml)
}

function toMessage(f: Record<string, string>): InboundMessage | null {
  if (!f.FromUserName || !f.CreateTime || !/^\d+$/.test(f.CreateTime))
    throw new ValidationError('FromUserName and CreateTime are required.')
  if (f.MsgType === 'event') return null
  if (!f.MsgId) throw new ValidationError('MsgId is required.')
  const base = {
    kind: 'message' as const,
    providerMessageId: f.MsgId,
    from: { identifier: f.FromUserName },
    timestamp: new Date(Number(f.CreateTime) * 1000),
  }
  const media = (type: 'image' | 'audio' | 'video', extra: Record<string, unknown> = {}): InboundMessage => {
    if (!f.MediaId) throw new ValidationError('MediaId is required.')
    return {
      ...base,
      type,
      content: {
        media: { providerMediaId: f.MediaId, ...extra, providerRef: f.MediaId, download: 'pending' },
      },
    }
  }
  switch (f.MsgType) {
    case 'text':
      if (f.bizmsgmenuid)
        return {
          ...base,
          type: 'interactive',
          text: f.Content,
          content: { interactive: { kind: 'button_reply', id: f.bizmsgmenuid, title: f.Content } },
        }
      return { ...base, type: 'text', text: f.Content ?? '', content: {} }
    case 'image':
      return media('image', { url: f.PicUrl })
    case 'voice':
      return { ...media('audio', { format: f.Format }), text: f.Recognition || undefined }
    case 'video':
    case 'shortvideo':
      return media('video', { thumbMediaId: f.ThumbMediaId })
    case 'location': {
      const latitude = Number(f.Location_X)
      const longitude = Number(f.Location_Y)
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude))
        throw new ValidationError('Location_X/Location_Y are not numbers.')
      return {
        ...base,
        type: 'location',
        text: f.Label || undefined,
        content: { location: { latitude, longitude, address: f.Label, scale: Number(f.Scale) || undefined } },
      }
    }
    case 'link':
      return {
        ...base,
        type: 'text',
        text: [f.Title, f.Url].filter(Boolean).join('\n'),
        content: { link: { title: f.Title, description: f.Description, url: f.Url } },
      }
    default:
      return { ...base, type: 'unsupported', content: { wechatType: f.MsgType } }
  }
}

// ---- access_token ---------------------------------------------------------------------------

/** Fallback when no shared state is given (bare adapter calls): per process, per AppID. */
const memory = new Map<string, { token: string; until: number }>()
const TOKEN_KEY = 'access_token'
const INVALID_TOKEN = new Set([40001, 40014, 42001])

type WxAnswer = { errcode?: number; errmsg?: string } & Record<string, unknown>

function credentialError(a: WxAnswer): Error {
  const code = a.errcode ?? 0
  if (code === -1 || code === 45009) return new Error(`WeChat /cgi-bin/token: ${code} ${a.errmsg ?? ''}`)
  const title =
    code === 40013
      ? 'WeChat rejected the AppID.'
      : code === 40125 || code === 40001
        ? 'WeChat rejected the AppSecret.'
        : code === 40164
          ? "This server's IP address is not on the WeChat IP whitelist."
          : `WeChat refused the access token request (${code}).`
  return new ChannelAuthError(`wechat_${code}`, title, a.errmsg)
}

async function fetchToken(sc: SendContext, c: Ref): Promise<string> {
  const url = `${c.config.apiBaseUrl}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(c.config.appId)}&secret=${encodeURIComponent(c.secrets.appSecret)}`
  const res = await sc.fetch(url, { signal: AbortSignal.timeout(15_000) })
  const a = (await res.json().catch(() => ({ errcode: -1, errmsg: `HTTP ${res.status}` }))) as WxAnswer & {
    access_token?: string
    expires_in?: number
  }
  if (!a.access_token) throw credentialError(a)
  // Refresh five minutes before WeChat's expiry (7200 s today).
  const ttl = Math.max(60, (a.expires_in ?? 7200) - 300)
  if (sc.state) await sc.state.set(TOKEN_KEY, a.access_token, ttl)
  else memory.set(c.config.appId, { token: a.access_token, until: Date.now() + ttl * 1000 })
  return a.access_token
}

async function accessToken(sc: SendContext, c: Ref): Promise<string> {
  if (sc.state) return (await sc.state.get(TOKEN_KEY)) ?? fetchToken(sc, c)
  const m = memory.get(c.config.appId)
  return m && m.until > Date.now() ? m.token : fetchToken(sc, c)
}

/** Calls an API with the access_token; an invalid or expired token is refreshed and the call retried once. */
async function api(
  sc: SendContext,
  c: Ref,
  path: string,
  init: (token: string) => RequestInit,
): Promise<WxAnswer> {
  for (let attempt = 0; ; attempt++) {
    const token = attempt === 0 ? await accessToken(sc, c) : await fetchToken(sc, c)
    const sep = path.includes('?') ? '&' : '?'
    const res = await sc.fetch(
      `${c.config.apiBaseUrl}${path}${sep}access_token=${encodeURIComponent(token)}`,
      {
        ...init(token),
        signal: AbortSignal.timeout(30_000),
      },
    )
    const a = (await res.json().catch(() => ({ errcode: -1, errmsg: `HTTP ${res.status}` }))) as WxAnswer
    if (a.errcode && INVALID_TOKEN.has(a.errcode) && attempt === 0) continue
    return a
  }
}

const ERRORS: Record<number, string> = {
  45015:
    'WeChat refused the message: more than 48 hours since the contact last wrote (or they unfollowed). It was not delivered.',
  45047: 'WeChat allows at most 20 messages until the contact replies. It was not delivered.',
  40003: 'The contact’s OpenID is not valid for this Official Account.',
  43004: 'The contact does not follow the Official Account.',
  48001: 'This Official Account is not allowed to use the customer-service API.',
  40007: 'WeChat does not know the uploaded media (media_id).',
}

function sendError(a: WxAnswer): Error {
  const code = a.errcode ?? -1
  if (code === -1 || code === 45009 || INVALID_TOKEN.has(code))
    return new Error(`WeChat answered ${code}: ${a.errmsg ?? 'system busy'}`)
  if (code === 48001) return new ChannelAuthError(String(code), ERRORS[code]!, a.errmsg)
  return new PermanentSendError(
    String(code),
    ERRORS[code] ?? `WeChat refused the message: ${a.errmsg ?? code}`,
    a.errmsg,
  )
}

async function uploadImage(sc: SendContext, c: Ref, message: OutboundMessage): Promise<string> {
  const media = message.content.media as { url?: string; fileName?: string; mimeType?: string } | undefined
  if (!media?.url) throw new PermanentSendError('media_missing', 'The image has no URL to send.')
  const got = await sc.fetch(media.url, { signal: AbortSignal.timeout(60_000) })
  if (!got.ok) throw new Error(`Fetching the image answered ${got.status}`)
  const data = new Uint8Array(await got.arrayBuffer())
  const type = media.mimeType ?? got.headers.get('content-type')?.split(';')[0] ?? 'image/jpeg'
  const a = await api(sc, c, '/cgi-bin/media/upload?type=image', () => {
    const form = new FormData()
    form.append('media', new Blob([data], { type }), media.fileName ?? `image.${type.split('/')[1] ?? 'jpg'}`)
    return { method: 'POST', body: form }
  })
  if (typeof a.media_id !== 'string') throw sendError(a)
  return a.media_id
}

async function body(
  sc: SendContext,
  c: Ref,
  touser: string,
  message: OutboundMessage,
): Promise<Record<string, unknown>> {
  switch (message.type) {
    case 'text':
      return { touser, msgtype: 'text', text: { content: message.text ?? '' } }
    case 'image':
      return { touser, msgtype: 'image', image: { media_id: await uploadImage(sc, c, message) } }
    case 'interactive': {
      const i = message.content.interactive as
        | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
        | { kind: 'list'; body: string; sections: { rows: { id: string; title: string }[] }[] }
      const rows = i.kind === 'buttons' ? i.buttons : i.sections.flatMap((s) => s.rows)
      return {
        touser,
        msgtype: 'msgmenu',
        msgmenu: {
          head_content: i.body,
          list: rows.map((r) => ({ id: r.id, content: r.title })),
          tail_content: '',
        },
      }
    }
    default:
      throw new PermanentSendError('unsupported_message_type', `WeChat cannot send ${message.type} messages.`)
  }
}

const field = (
  key: string,
  f: { in: 'config' | 'secrets'; input: 'text' | 'password' | 'url'; required?: boolean },
) => ({
  key,
  label: `channels.wechat.${key}`,
  help: `channels.wechat.${key}Help`,
  ...f,
})

export const wechatChannel = defineChannel<Config, Secrets>({
  type: 'wechat',
  label: 'WeChat',
  configSchema: configSchema as unknown as z.ZodType<Config>,
  secretsSchema,
  sends: ['text', 'image', 'interactive'],
  setup: [
    field('appId', { in: 'config', input: 'text', required: true }),
    field('appSecret', { in: 'secrets', input: 'password', required: true }),
    field('token', { in: 'secrets', input: 'password', required: true }),
    field('encodingAESKey', { in: 'secrets', input: 'password' }),
    field('apiBaseUrl', { in: 'config', input: 'url' }),
  ],
  async verifyCredentials(sc, c) {
    await fetchToken(sc, c).catch((err: Error) => {
      throw new Error(
        err instanceof PermanentSendError ? `${err.title} (${err.detail ?? err.code})` : err.message,
      )
    })
    return { ok: true }
  },
  handshake(req, c) {
    const echostr = q(req, 'echostr')
    if (echostr === undefined) return null
    checkSignature(req, c.secrets.token)
    return { status: 200, body: echostr, contentType: 'text/plain' }
  },
  verify(req, c) {
    const { timestamp, nonce } = checkSignature(req, c.secrets.token)
    if (q(req, 'encrypt_type') === 'aes') {
      const encrypted = parseWechatXml(req.rawBody.toString('utf8')).Encrypt ?? ''
      const msgSignature = q(req, 'msg_signature') ?? ''
      if (!safeEqual(msgSignature, wechatSignature(c.secrets.token, timestamp, nonce, encrypted)))
        throw new UnauthenticatedError('Invalid WeChat msg_signature.')
    }
  },
  parse(req, c) {
    const m = toMessage(fieldsOf(req, c))
    return m ? [m] : []
  },
  ack: () => ({ status: 200, body: 'success', contentType: 'text/plain' }),
  async fetchMedia(sc, c, media) {
    const token = await accessToken(sc, c)
    const res = await sc.fetch(
      `${c.config.apiBaseUrl}/cgi-bin/media/get?access_token=${encodeURIComponent(token)}&media_id=${encodeURIComponent(media.providerRef)}`,
      { signal: AbortSignal.timeout(60_000) },
    )
    const type = res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream'
    // Errors come back as JSON ({errcode, errmsg}) with HTTP 200.
    if (!res.ok || type === 'application/json' || type === 'text/plain') {
      const a = (await res.json().catch(() => ({}))) as WxAnswer
      if (a.errcode && INVALID_TOKEN.has(a.errcode)) await fetchToken(sc, c)
      throw new Error(`WeChat media/get: ${a.errcode ?? res.status} ${a.errmsg ?? ''}`)
    }
    const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1]
    return { data: Buffer.from(await res.arrayBuffer()), mimeType: type, fileName: name }
  },
  async send(sc, c, to, message) {
    const payload = await body(sc, c, to.identifier, message)
    const a = await api(sc, c, '/cgi-bin/message/custom/send', () => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // WeChat wants UTF-8 characters as they are, not \u escapes (JSON.stringify keeps them).
      body: JSON.stringify(payload),
    }))
    if (a.errcode) throw sendError(a)
    // The customer-service API returns no message id: ours identifies it.
    return { providerMessageId: `cs:${message.id}` }
  },
})
