import { createHash, createHmac } from 'node:crypto'
import { z } from 'zod'
import { safeEqual } from '../../auth/crypto'
import { UnauthenticatedError } from '../../errors'
import {
  ChannelAuthError,
  type ChannelRef,
  defineChannel,
  type InboundMessage,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
} from '../channel'
import { parseOrThrow } from '../validate'

/**
 * LINE Messaging API (https://developers.line.biz/en/reference/messaging-api/). Webhooks are
 * signed with X-Line-Signature = base64(HMAC-SHA256(channel secret, raw body)). Redelivered events
 * (deliveryContext.isRedelivery) carry the same message id / webhookEventId and are stored once.
 * Replies use the event's reply token when it is fresh (kept 50 s, under LINE's one-minute
 * validity, and taken at most once), otherwise a push; pushes carry X-Line-Retry-Key derived from
 * our message id so a retried job never delivers twice. Only one-to-one chats (source.type "user")
 * become contacts. follow/unfollow events are acknowledged but create no message (our event model
 * has no contact-lifecycle event yet); the contact appears with their first message.
 */
const REPLY_TOKEN_TTL_SECONDS = 50

const url = (fallback: string) =>
  z
    .url({ protocol: /^https?$/ })
    .default(fallback)
    .transform((u) => u.replace(/\/+$/, ''))
const configSchema = z.strictObject({
  apiBaseUrl: url('https://api.line.me'),
  /** Message content (media) is served from a separate host. */
  dataApiBaseUrl: url('https://api-data.line.me'),
})
const secretsSchema = z.strictObject({
  channelAccessToken: z.string().min(20).max(1000),
  channelSecret: z.string().regex(/^[0-9a-f]{32}$/i, 'The channel secret is 32 hex characters.'),
})
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>
type Ref = ChannelRef<Config, Secrets>

const eventSchema = z.object({
  type: z.string().min(1),
  mode: z.enum(['active', 'standby']).optional(),
  timestamp: z.number().int(),
  source: z.object({ type: z.string(), userId: z.string().optional() }).optional(),
  webhookEventId: z.string().min(1),
  deliveryContext: z.object({ isRedelivery: z.boolean() }),
  replyToken: z.string().optional(),
  message: z
    .object({
      id: z.string().min(1),
      type: z.string().min(1),
      text: z.string().optional(),
      fileName: z.string().optional(),
      fileSize: z.number().optional(),
      title: z.string().optional(),
      address: z.string().optional(),
      latitude: z.number().optional(),
      longitude: z.number().optional(),
      packageId: z.string().optional(),
      stickerId: z.string().optional(),
      keywords: z.array(z.string()).optional(),
      contentProvider: z
        .object({ type: z.enum(['line', 'external']), originalContentUrl: z.string().optional() })
        .optional(),
      quotedMessageId: z.string().optional(),
    })
    .optional(),
  postback: z.object({ data: z.string(), params: z.record(z.string(), z.unknown()).optional() }).optional(),
})
const bodySchema = z.object({ destination: z.string().optional(), events: z.array(eventSchema) })
type LineEvent = z.infer<typeof eventSchema>

function toMessage(e: LineEvent): InboundMessage | null {
  const userId = e.source?.type === 'user' ? e.source.userId : undefined
  if (!userId) return null
  const base = {
    kind: 'message' as const,
    from: { identifier: userId },
    timestamp: new Date(e.timestamp),
    // A redelivered event's reply token may no longer be usable: push instead.
    remember:
      e.replyToken && !e.deliveryContext.isRedelivery && e.mode !== 'standby'
        ? [{ key: `reply:${userId}`, value: e.replyToken, ttlSeconds: REPLY_TOKEN_TTL_SECONDS }]
        : undefined,
  }
  if (e.type === 'postback' && e.postback) {
    return {
      ...base,
      providerMessageId: `postback:${e.webhookEventId}`,
      type: 'interactive',
      text: e.postback.data,
      content: { interactive: { kind: 'button_reply', id: e.postback.data, params: e.postback.params } },
    }
  }
  const m = e.message
  if (e.type !== 'message' || !m) return null
  const common = { ...base, providerMessageId: m.id, replyToProviderId: m.quotedMessageId }
  switch (m.type) {
    case 'text':
      return { ...common, type: 'text', text: m.text ?? '', content: {} }
    case 'image':
    case 'video':
    case 'audio':
    case 'file': {
      const external =
        m.contentProvider?.type === 'external' ? m.contentProvider.originalContentUrl : undefined
      return {
        ...common,
        type: m.type,
        // providerRef: the external URL, or our message id for LINE-hosted content.
        content: {
          media: {
            url: external,
            fileName: m.fileName,
            size: m.fileSize,
            providerRef: external ?? m.id,
            download: 'pending',
          },
        },
      }
    }
    case 'location':
      return {
        ...common,
        type: 'location',
        text: m.title,
        content: {
          location: { latitude: m.latitude, longitude: m.longitude, name: m.title, address: m.address },
        },
      }
    case 'sticker':
      return {
        ...common,
        type: 'sticker',
        text: m.keywords?.[0],
        content: { sticker: { packageId: m.packageId, stickerId: m.stickerId, keywords: m.keywords } },
      }
    default:
      return { ...common, type: 'unsupported', content: { lineType: m.type } }
  }
}

/** LINE's message objects (https://developers.line.biz/en/reference/messaging-api/#message-objects). */
function lineMessage(message: OutboundMessage): Record<string, unknown> {
  const media = message.content.media as { url?: string } | undefined
  switch (message.type) {
    case 'text':
      return { type: 'text', text: message.text ?? '' }
    case 'image': {
      if (!media?.url) throw new PermanentSendError('media_missing', 'The image has no URL to send.')
      return { type: 'image', originalContentUrl: media.url, previewImageUrl: media.url }
    }
    case 'location': {
      const l = message.content.location as {
        latitude: number
        longitude: number
        name?: string
        address?: string
      }
      return {
        type: 'location',
        title: (l.name || 'Location').slice(0, 100),
        address: (l.address || l.name || `${l.latitude}, ${l.longitude}`).slice(0, 100),
        latitude: l.latitude,
        longitude: l.longitude,
      }
    }
    case 'interactive': {
      const i = message.content.interactive as
        | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
        | { kind: 'list'; body: string; sections: { rows: { id: string; title: string }[] }[] }
      const postback = (b: { id: string; title: string }) => ({
        type: 'postback',
        label: b.title.slice(0, 20),
        data: b.id,
        displayText: b.title,
      })
      if (i.kind === 'buttons' && i.body.length <= 160) {
        // A buttons template: up to 4 actions, text up to 160 characters.
        return {
          type: 'template',
          altText: i.body.slice(0, 400),
          template: { type: 'buttons', text: i.body, actions: i.buttons.map(postback) },
        }
      }
      // Longer text or a list: a text message with quick-reply buttons (up to 13).
      const rows = i.kind === 'buttons' ? i.buttons : i.sections.flatMap((s) => s.rows)
      if (rows.length > 13)
        throw new PermanentSendError('too_many_buttons', 'LINE quick replies allow at most 13 items.')
      return {
        type: 'text',
        text: i.body,
        quickReply: { items: rows.map((r) => ({ type: 'action', action: postback(r) })) },
      }
    }
    default:
      throw new PermanentSendError('unsupported_message_type', `LINE cannot send ${message.type} messages.`)
  }
}

/** A UUID derived from our message id: LINE's retry key, so a retried job is not sent twice. */
function retryKey(c: Ref, messageId: number): string {
  const h = createHash('sha256').update(`tawasul:${c.workspaceId}:${c.id}:${messageId}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

type LineAnswer = {
  message?: string
  details?: { message: string; property: string }[]
  sentMessages?: { id: string }[]
}

async function post(
  sc: SendContext,
  c: Ref,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await sc.fetch(`${c.config.apiBaseUrl}${path}`, {
    method: path.endsWith('/endpoint') ? 'PUT' : 'POST',
    headers: {
      authorization: `Bearer ${c.secrets.channelAccessToken}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  return { res, data: (await res.json().catch(() => ({}))) as LineAnswer }
}

function lineError(status: number, data: LineAnswer): Error {
  const detail = [data.message, ...(data.details ?? []).map((d) => `${d.property}: ${d.message}`)]
    .filter(Boolean)
    .join('; ')
  if (status === 429 && /monthly limit/i.test(data.message ?? ''))
    return new PermanentSendError(
      'monthly_limit',
      "The LINE Official Account's monthly message limit is reached.",
      detail,
    )
  if (status === 429 || status >= 500) return new Error(`LINE answered ${status}: ${detail}`)
  if (status === 401)
    return new ChannelAuthError('token_invalid', 'LINE rejected the channel access token.', detail)
  return new PermanentSendError(String(status), `LINE refused the message: ${data.message ?? status}`, detail)
}

export const lineChannel = defineChannel<Config, Secrets>({
  type: 'line',
  label: 'LINE',
  configSchema: configSchema as unknown as z.ZodType<Config>,
  secretsSchema,
  sends: ['text', 'image', 'location', 'interactive'],
  setup: [
    {
      key: 'channelSecret',
      in: 'secrets',
      label: 'channels.line.channelSecret',
      help: 'channels.line.channelSecretHelp',
      input: 'password',
      required: true,
    },
    {
      key: 'channelAccessToken',
      in: 'secrets',
      label: 'channels.line.channelAccessToken',
      help: 'channels.line.channelAccessTokenHelp',
      input: 'password',
      required: true,
    },
    {
      key: 'apiBaseUrl',
      in: 'config',
      label: 'channels.line.apiBaseUrl',
      help: 'channels.line.apiBaseUrlHelp',
      input: 'url',
    },
    {
      key: 'dataApiBaseUrl',
      in: 'config',
      label: 'channels.line.dataApiBaseUrl',
      help: 'channels.line.dataApiBaseUrlHelp',
      input: 'url',
    },
  ],
  async verifyCredentials(sc, c) {
    const res = await sc.fetch(`${c.config.apiBaseUrl}/v2/bot/info`, {
      headers: { authorization: `Bearer ${c.secrets.channelAccessToken}` },
      signal: AbortSignal.timeout(15_000),
    })
    const data = (await res.json().catch(() => ({}))) as {
      userId?: string
      displayName?: string
      message?: string
    }
    if (!res.ok)
      throw new Error(`LINE rejected the channel access token (${res.status}): ${data.message ?? ''}`.trim())
    return { ok: true, details: { botUserId: data.userId, displayName: data.displayName } }
  },
  /** Sets the webhook URL (PUT /v2/bot/channel/webhook/endpoint); "Use webhook" stays a console switch. */
  async configureWebhook(sc, c) {
    if (!sc.webhookUrl) throw new Error('No webhook URL to register (PUBLIC_URL).')
    const { res, data } = await post(sc, c, '/v2/bot/channel/webhook/endpoint', { endpoint: sc.webhookUrl })
    if (!res.ok) throw new Error(`LINE refused the webhook URL (${res.status}): ${data.message ?? ''}`.trim())
    return { ok: true, details: { url: sc.webhookUrl } }
  },
  verify(req, c) {
    const got = req.headers['x-line-signature']
    const expected = createHmac('sha256', c.secrets.channelSecret).update(req.rawBody).digest('base64')
    if (typeof got !== 'string' || !safeEqual(got, expected))
      throw new UnauthenticatedError('Invalid X-Line-Signature (check the channel secret).')
  },
  parse(req) {
    const body = parseOrThrow(bodySchema, req.body, 'LINE webhook')
    // An empty events array is LINE's "Verify" request from the console: acknowledge it.
    return body.events.map(toMessage).filter((m) => m !== null)
  },
  async fetchMedia(sc, c, media) {
    const external = /^https?:\/\//.test(media.providerRef)
    const res = await sc.fetch(
      external
        ? media.providerRef
        : `${c.config.dataApiBaseUrl}/v2/bot/message/${encodeURIComponent(media.providerRef)}/content`,
      {
        headers: external ? {} : { authorization: `Bearer ${c.secrets.channelAccessToken}` },
        signal: AbortSignal.timeout(60_000),
      },
    )
    // 202: LINE is still preparing the content (video/audio); the job retries.
    if (res.status !== 200) throw new Error(`LINE content answered ${res.status}`)
    return {
      data: Buffer.from(await res.arrayBuffer()),
      mimeType: res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream',
      fileName: media.fileName,
    }
  },
  async send(sc, c, to, message) {
    const messages = [lineMessage(message)]
    const replyToken = await sc.state?.take(`reply:${to.identifier}`)
    if (replyToken) {
      const { res, data } = await post(sc, c, '/v2/bot/message/reply', { replyToken, messages })
      if (res.ok) return { providerMessageId: data.sentMessages?.[0]?.id ?? `reply:${replyToken}` }
      // An expired or already-used token: fall back to a push; other errors are the message's own.
      if (!(res.status === 400 && /reply token/i.test(data.message ?? ''))) throw lineError(res.status, data)
      sc.log.info({ channelId: c.id }, 'LINE reply token no longer valid; pushing instead')
    }
    const key = retryKey(c, message.id)
    const { res, data } = await post(
      sc,
      c,
      '/v2/bot/message/push',
      { to: to.identifier, messages },
      { 'x-line-retry-key': key },
    )
    // 409: an earlier attempt with this retry key was accepted — it is sent, not to be sent again.
    if (res.ok || res.status === 409)
      return { providerMessageId: data.sentMessages?.[0]?.id ?? `retry:${key}` }
    throw lineError(res.status, data)
  },
})
