import { createHmac } from 'node:crypto'
import { z } from 'zod'
import { safeEqual } from '../../auth/crypto'
import { UnauthenticatedError, ValidationError } from '../../errors'
import {
  ChannelAuthError,
  type ChannelRef,
  defineChannel,
  type InboundEvent,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
} from '../channel'
import { parseOrThrow } from '../validate'

/**
 * Viber REST Bot API (https://developers.viber.com/docs/api/rest-bot-api/). Requests carry
 * X-Viber-Auth-Token; callbacks are signed with X-Viber-Content-Signature = hex HMAC-SHA256(auth
 * token, raw body); the webhook is registered with set_webhook by the channels.setup job (Viber
 * calls it back with a "webhook" event before answering). message_token is a 64-bit integer that
 * JSON numbers cannot hold exactly, so it is read from the raw text. The 24-hour session and the
 * monthly chatbot-initiated allowance (rule 18) are enforced and counted by the core (windows.ts,
 * channel_counters); outside the session the message goes out like any other. Buttons travel as a
 * reply keyboard whose ids and titles ride in tracking_data, so a press comes back interactive.
 * subscribed / unsubscribed / conversation_started callbacks are acknowledged and store nothing.
 */
const configSchema = z.strictObject({
  senderName: z.string().min(1).max(28),
  senderAvatar: z.url({ protocol: /^https?$/ }).optional(),
  /** Rule 18: beyond the monthly free chatbot-initiated messages, sending needs Viber's commercial terms. */
  commercialTermsAccepted: z.boolean().optional(),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://chatapi.viber.com')
    .transform((u) => u.replace(/\/+$/, '')),
})
const secretsSchema = z.strictObject({ authToken: z.string().min(10).max(200) })
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>
type Ref = ChannelRef<Config, Secrets>

export const EVENT_TYPES = [
  'delivered',
  'seen',
  'failed',
  'subscribed',
  'unsubscribed',
  'conversation_started',
]

/** Viber's status codes (https://developers.viber.com/docs/api/rest-bot-api/#errors). */
const STATUS: Record<number, { name: string; title: string; retry?: boolean }> = {
  1: {
    name: 'invalidUrl',
    title: 'Viber refused the webhook URL (it must be public HTTPS with a valid certificate).',
  },
  2: { name: 'invalidAuthToken', title: 'Viber rejected the authentication token.' },
  3: { name: 'badData', title: 'Viber refused the message as malformed.' },
  4: { name: 'missingData', title: 'Viber says required data is missing.' },
  5: { name: 'receiverNotRegistered', title: 'The recipient is not registered on Viber.' },
  6: {
    name: 'receiverNotSubscribed',
    title: 'The contact is not subscribed to the bot (they unsubscribed or never wrote).',
  },
  7: { name: 'publicAccountBlocked', title: 'The bot is blocked.' },
  8: { name: 'publicAccountNotFound', title: 'Viber could not find the bot.' },
  9: { name: 'publicAccountSuspended', title: 'The bot is suspended.' },
  10: { name: 'webhookNotSet', title: 'No webhook is set for the bot; run the channel setup.' },
  11: { name: 'receiverNoSuitableDevice', title: "The contact's Viber app cannot receive this message." },
  12: { name: 'tooManyRequests', title: 'Viber rate limit reached.', retry: true },
  13: { name: 'apiVersionNotSupported', title: "The contact's Viber version does not support this message." },
  14: {
    name: 'incompatibleWithVersion',
    title: "The message is not compatible with the contact's Viber version.",
  },
}

const idFromRaw = (raw: string, field: string) => new RegExp(`"${field}"\\s*:\\s*"?(\\d+)`).exec(raw)?.[1]

const userSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  avatar: z.string().optional(),
  country: z.string().optional(),
  language: z.string().optional(),
  api_version: z.number().optional(),
})
const callbackSchema = z.object({
  event: z.string().min(1),
  timestamp: z.number(),
  message_token: z.union([z.number(), z.string()]).optional(),
  user_id: z.string().optional(),
  desc: z.string().optional(),
  sender: userSchema.optional(),
  user: userSchema.optional(),
  message: z
    .object({
      type: z.string().min(1),
      text: z.string().optional(),
      media: z.string().optional(),
      thumbnail: z.string().optional(),
      file_name: z.string().optional(),
      size: z.number().optional(),
      sticker_id: z.number().optional(),
      location: z.object({ lat: z.number(), lon: z.number() }).optional(),
      contact: z.object({ name: z.string().optional(), phone_number: z.string().optional() }).optional(),
      tracking_data: z.string().optional(),
    })
    .optional(),
})

const MEDIA: Record<string, 'image' | 'video' | 'file'> = { picture: 'image', video: 'video', file: 'file' }

/** Buttons we sent ride in tracking_data and come back with the reply. */
function buttonsIn(trackingData: string | undefined): Record<string, string> | undefined {
  if (!trackingData) return undefined
  try {
    const t = JSON.parse(trackingData) as { tawasul?: { buttons?: Record<string, string> } }
    return t.tawasul?.buttons
  } catch {
    return undefined
  }
}

function parseCallback(raw: string, body: unknown): InboundEvent[] {
  const c = parseOrThrow(callbackSchema, body, 'Viber callback')
  const token = idFromRaw(raw, 'message_token')
  const timestamp = new Date(c.timestamp)
  switch (c.event) {
    case 'delivered':
    case 'seen':
    case 'failed': {
      if (!token)
        throw new ValidationError('message_token is missing.', [
          { path: 'message_token', message: 'Required.' },
        ])
      return [
        {
          kind: 'status',
          providerMessageId: token,
          status: c.event === 'seen' ? 'read' : c.event,
          timestamp,
          error:
            c.event === 'failed'
              ? { code: 'viber_failed', title: 'Viber could not deliver the message.', detail: c.desc }
              : undefined,
        },
      ]
    }
    case 'message': {
      if (!token || !c.sender || !c.message)
        throw new ValidationError('A message callback needs message_token, sender and message.')
      const m = c.message
      const from = {
        identifier: c.sender.id,
        displayName: c.sender.name,
        avatarUrl: c.sender.avatar,
        language: c.sender.language,
      }
      const base = { kind: 'message' as const, providerMessageId: token, from, timestamp }
      const media = MEDIA[m.type]
      if (media) {
        if (!m.media) throw new ValidationError(`A ${m.type} message needs media.`)
        return [
          {
            ...base,
            type: media,
            text: m.text || undefined,
            content: {
              media: {
                url: m.media,
                fileName: m.file_name,
                size: m.size,
                providerRef: m.media,
                download: 'pending',
              },
            },
          },
        ]
      }
      if (m.type === 'location' && m.location)
        return [
          {
            ...base,
            type: 'location',
            content: { location: { latitude: m.location.lat, longitude: m.location.lon } },
          },
        ]
      if (m.type === 'sticker')
        return [{ ...base, type: 'sticker', content: { sticker: { stickerId: m.sticker_id, url: m.media } } }]
      if (m.type === 'contact')
        return [
          {
            ...base,
            type: 'contacts',
            text: m.contact?.name,
            content: { contacts: [{ name: m.contact?.name, phone: m.contact?.phone_number }] },
          },
        ]
      if (m.type === 'url') return [{ ...base, type: 'text', text: m.media ?? m.text, content: {} }]
      const buttons = buttonsIn(m.tracking_data)
      const title = m.text !== undefined ? buttons?.[m.text] : undefined
      if (title !== undefined)
        return [
          {
            ...base,
            type: 'interactive',
            text: title,
            content: { interactive: { kind: 'button_reply', id: m.text, title } },
          },
        ]
      if (m.type === 'text') return [{ ...base, type: 'text', text: m.text ?? '', content: {} }]
      return [{ ...base, type: 'unsupported', content: { viberType: m.type } }]
    }
    default:
      // webhook (set_webhook's check), subscribed, unsubscribed, conversation_started, client_status…
      return []
  }
}

async function call(sc: SendContext, c: Ref, method: string, body: Record<string, unknown>) {
  const res = await sc.fetch(`${c.config.apiBaseUrl}/pa/${method}`, {
    method: 'POST',
    headers: { 'x-viber-auth-token': c.secrets.authToken, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`Viber ${method} answered HTTP ${res.status}`)
  const data = JSON.parse(text) as { status: number; status_message?: string } & Record<string, unknown>
  return { data, text }
}

function viberError(status: number, statusMessage: string | undefined): Error {
  const known = STATUS[status]
  if ([2, 7, 8, 9].includes(status)) return new ChannelAuthError(known!.name, known!.title, statusMessage)
  if (!known || known.retry)
    return new Error(`Viber status ${status} (${statusMessage ?? known?.name ?? 'general error'})`)
  return new PermanentSendError(known.name, known.title, statusMessage)
}

async function sizeOf(sc: SendContext, url: string, known: unknown): Promise<number> {
  if (typeof known === 'number' && known > 0) return known
  const res = await sc.fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) })
  const n = Number(res.headers.get('content-length'))
  if (!res.ok || !(n > 0))
    throw new PermanentSendError(
      'file_size_unknown',
      'Viber needs the file size; the file URL did not say it.',
    )
  return n
}

async function payload(sc: SendContext, message: OutboundMessage): Promise<Record<string, unknown>> {
  const media = message.content.media as { url?: string; fileName?: string; size?: number } | undefined
  const needUrl = () => {
    if (!media?.url) throw new PermanentSendError('media_missing', 'The media has no URL to send.')
    return media.url
  }
  switch (message.type) {
    case 'text':
      return { type: 'text', text: message.text ?? '' }
    case 'image':
      return { type: 'picture', text: (message.text ?? '').slice(0, 768), media: needUrl() }
    case 'file': {
      const url = needUrl()
      return {
        type: 'file',
        media: url,
        size: await sizeOf(sc, url, media?.size),
        file_name: media?.fileName ?? decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file'),
      }
    }
    case 'location': {
      const l = message.content.location as { latitude: number; longitude: number }
      return { type: 'location', location: { lat: l.latitude, lon: l.longitude } }
    }
    case 'interactive': {
      const i = message.content.interactive as
        | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
        | { kind: 'list'; body: string; sections: { rows: { id: string; title: string }[] }[] }
      const buttons = i.kind === 'buttons' ? i.buttons : i.sections.flatMap((s) => s.rows)
      const columns = buttons.length <= 3 ? Math.floor(6 / buttons.length) : 6
      return {
        type: 'text',
        text: i.body,
        tracking_data: JSON.stringify({
          tawasul: { buttons: Object.fromEntries(buttons.map((b) => [b.id, b.title])) },
        }),
        keyboard: {
          Type: 'keyboard',
          DefaultHeight: false,
          Buttons: buttons.map((b) => ({
            ActionType: 'reply',
            ActionBody: b.id,
            Text: b.title,
            Columns: columns,
            Rows: 1,
          })),
        },
      }
    }
    default:
      throw new PermanentSendError('unsupported_message_type', `Viber cannot send ${message.type} messages.`)
  }
}

const field = (
  key: string,
  f: { in: 'config' | 'secrets'; input: 'text' | 'password' | 'url' | 'checkbox'; required?: boolean },
) => ({
  key,
  label: `channels.viber.${key}`,
  help: `channels.viber.${key}Help`,
  ...f,
})

export const viberChannel = defineChannel<Config, Secrets>({
  type: 'viber',
  label: 'Viber',
  configSchema: configSchema as unknown as z.ZodType<Config>,
  secretsSchema,
  sends: ['text', 'image', 'file', 'location', 'interactive'],
  setup: [
    field('authToken', { in: 'secrets', input: 'password', required: true }),
    field('senderName', { in: 'config', input: 'text', required: true }),
    field('senderAvatar', { in: 'config', input: 'url' }),
    field('commercialTermsAccepted', { in: 'config', input: 'checkbox' }),
    field('apiBaseUrl', { in: 'config', input: 'url' }),
  ],
  async verifyCredentials(sc, c) {
    const { data } = await call(sc, c, 'get_account_info', {})
    if (data.status !== 0)
      throw new Error(STATUS[data.status]?.title ?? `Viber status ${data.status}: ${data.status_message}`)
    return { ok: true, details: { name: data.name, uri: data.uri } }
  },
  async configureWebhook(sc, c) {
    if (!sc.webhookUrl) throw new Error('No webhook URL to register (PUBLIC_URL).')
    const { data } = await call(sc, c, 'set_webhook', {
      url: sc.webhookUrl,
      event_types: EVENT_TYPES,
      send_name: true,
      send_photo: true,
    })
    if (data.status !== 0)
      throw new Error(
        `${STATUS[data.status]?.title ?? `Viber status ${data.status}`} (${data.status_message ?? ''})`,
      )
    return { ok: true, details: { url: sc.webhookUrl } }
  },
  verify(req, c) {
    const got = req.headers['x-viber-content-signature']
    const expected = createHmac('sha256', c.secrets.authToken).update(req.rawBody).digest('hex')
    if (typeof got !== 'string' || !safeEqual(got.toLowerCase(), expected))
      throw new UnauthenticatedError('Invalid X-Viber-Content-Signature (check the authentication token).')
  },
  parse(req) {
    return parseCallback(req.rawBody.toString('utf8'), req.body)
  },
  async fetchMedia(sc, _c, media) {
    // Viber's media links are public and expire (about an hour): fetched right after ingest.
    const res = await sc.fetch(media.providerRef, { signal: AbortSignal.timeout(60_000) })
    if (!res.ok) throw new Error(`Viber media answered ${res.status}`)
    return {
      data: Buffer.from(await res.arrayBuffer()),
      mimeType: res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream',
      fileName: media.fileName,
    }
  },
  async send(sc, c, to, message) {
    const body = {
      receiver: to.identifier,
      min_api_version: message.type === 'interactive' ? 3 : 1,
      sender: {
        name: c.config.senderName,
        ...(c.config.senderAvatar ? { avatar: c.config.senderAvatar } : {}),
      },
      ...(await payload(sc, message)),
    }
    const { data, text } = await call(sc, c, 'send_message', body)
    if (data.status !== 0) throw viberError(data.status, data.status_message)
    const token = idFromRaw(text, 'message_token')
    if (!token) throw new Error('Viber answered without a message_token')
    return { providerMessageId: token }
  },
})
