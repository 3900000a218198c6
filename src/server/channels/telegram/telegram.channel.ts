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
 * Telegram Bot API (https://core.telegram.org/bots/api). The webhook is registered with setWebhook
 * (url, secret_token, allowed_updates) by the channels.setup job; every update must carry the
 * secret in X-Telegram-Bot-Api-Secret-Token. Only private chats become contacts (groups and
 * channels are ignored). An edited message is stored as a new inbound message that points at the
 * original (content.editOf), so the conversation keeps both what was first said and the correction.
 * Button presses (callback_query) become interactive replies and are answered with
 * answerCallbackQuery in a job, so the user's client stops its progress indicator.
 */
const configSchema = z.strictObject({
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.telegram.org')
    .transform((u) => u.replace(/\/+$/, '')),
})
const secretsSchema = z.strictObject({
  botToken: z
    .string()
    .regex(/^\d+:[A-Za-z0-9_-]{30,}$/, 'A bot token looks like 123456789:AAH…, from @BotFather.'),
  secretToken: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, '1–256 characters: A–Z a–z 0–9 _ -.'),
})
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>
type Ref = ChannelRef<Config, Secrets>

const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const

const user = z.object({
  id: z.number().int(),
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
})
const file = z.object({
  file_id: z.string().min(1),
  file_unique_id: z.string().optional(),
  file_size: z.number().optional(),
  mime_type: z.string().optional(),
  file_name: z.string().optional(),
})
const message = z.object({
  message_id: z.number().int(),
  from: user.optional(),
  // Older published samples omit chat.type; only an explicit non-private type is skipped.
  chat: z.object({ id: z.number().int(), type: z.string().optional() }),
  date: z.number().int(),
  edit_date: z.number().int().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(file.extend({ width: z.number(), height: z.number() })).optional(),
  document: file.optional(),
  video: file.optional(),
  audio: file.optional(),
  voice: file.optional(),
  sticker: file.extend({ emoji: z.string().optional() }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  venue: z
    .object({
      location: z.object({ latitude: z.number(), longitude: z.number() }),
      title: z.string(),
      address: z.string(),
    })
    .optional(),
  contact: z
    .object({
      phone_number: z.string(),
      first_name: z.string(),
      last_name: z.string().optional(),
      user_id: z.number().optional(),
    })
    .optional(),
  reply_to_message: z.object({ message_id: z.number().int() }).optional(),
  reply_markup: z
    .object({
      inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: z.string().optional() }))),
    })
    .optional(),
})
const updateSchema = z.object({
  update_id: z.number().int(),
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: z
    .object({
      id: z.string().min(1),
      from: user,
      message: message.optional(),
      data: z.string().optional(),
    })
    .optional(),
})
type TgMessage = z.infer<typeof message>
type TgUser = z.infer<typeof user>

const mid = (chatId: number, messageId: number) => `${chatId}:${messageId}`
const fromOf = (chatId: number, u: TgUser | undefined): InboundMessage['from'] => ({
  identifier: String(chatId),
  firstName: u?.first_name,
  lastName: u?.last_name,
  displayName: u?.username ? `@${u.username}` : undefined,
  language: u?.language_code,
})

function fromMessage(m: TgMessage, edited: boolean): InboundMessage | null {
  if (m.chat.type && m.chat.type !== 'private') return null
  const base = {
    kind: 'message' as const,
    providerMessageId: edited
      ? `${mid(m.chat.id, m.message_id)}:edit:${m.edit_date ?? m.date}`
      : mid(m.chat.id, m.message_id),
    from: fromOf(m.chat.id, m.from),
    timestamp: new Date((edited ? (m.edit_date ?? m.date) : m.date) * 1000),
    replyToProviderId: m.reply_to_message ? mid(m.chat.id, m.reply_to_message.message_id) : undefined,
  }
  const extra = edited ? { editOf: mid(m.chat.id, m.message_id) } : {}
  const media = (
    type: 'image' | 'video' | 'audio' | 'file' | 'sticker',
    f: z.infer<typeof file>,
    more: Record<string, unknown> = {},
  ): InboundMessage => ({
    ...base,
    type,
    text: m.caption,
    content: {
      ...extra,
      media: {
        providerFileId: f.file_id,
        fileName: f.file_name,
        mimeType: f.mime_type,
        size: f.file_size,
        ...more,
        providerRef: f.file_id,
        download: 'pending',
      },
    },
  })
  if (m.photo?.length) {
    // Telegram sends every size it made; keep the largest.
    const largest = [...m.photo].sort((a, b) => b.width * b.height - a.width * a.height)[0]!
    return media(
      'image',
      { ...largest, mime_type: 'image/jpeg' },
      { width: largest.width, height: largest.height },
    )
  }
  if (m.document) return media('file', m.document)
  if (m.video) return media('video', m.video)
  if (m.voice) return media('audio', m.voice, { voice: true })
  if (m.audio) return media('audio', m.audio)
  if (m.sticker) return { ...media('sticker', m.sticker), text: m.sticker.emoji }
  if (m.venue)
    return {
      ...base,
      type: 'location',
      text: m.venue.title,
      content: { ...extra, location: { ...m.venue.location, name: m.venue.title, address: m.venue.address } },
    }
  if (m.location) return { ...base, type: 'location', content: { ...extra, location: m.location } }
  if (m.contact)
    return {
      ...base,
      type: 'contacts',
      text: [m.contact.first_name, m.contact.last_name].filter(Boolean).join(' '),
      content: {
        ...extra,
        contacts: [
          {
            phone: m.contact.phone_number,
            firstName: m.contact.first_name,
            lastName: m.contact.last_name,
            userId: m.contact.user_id,
          },
        ],
      },
    }
  if (m.text !== undefined) return { ...base, type: 'text', text: m.text, content: extra }
  return { ...base, type: 'unsupported', content: extra }
}

type TgAnswer = {
  ok: boolean
  result?: unknown
  error_code?: number
  description?: string
  parameters?: { retry_after?: number }
}

/** Calls a Bot API method; maps {ok:false} answers (403 blocked, 400 bad request, 429 retry_after). */
async function call(
  sc: SendContext,
  c: Ref,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const res = await sc.fetch(`${c.config.apiBaseUrl}/bot${c.secrets.botToken}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(30_000),
  })
  const data = (await res.json().catch(() => ({ ok: false }))) as TgAnswer
  if (data.ok) return data.result
  const code = data.error_code ?? res.status
  const description = data.description ?? `Telegram answered ${res.status}`
  if (code === 429 || code >= 500) {
    const after = data.parameters?.retry_after
    throw new Error(`Telegram ${method}: ${description}${after ? ` (retry after ${after} s)` : ''}`)
  }
  if (code === 403)
    throw new PermanentSendError('blocked', 'The contact blocked the bot or deleted the chat.', description)
  if (code === 401 || code === 404)
    throw new ChannelAuthError('bot_token_invalid', 'Telegram rejected the bot token.', description)
  throw new PermanentSendError(String(code), `Telegram refused the message: ${description}`, description)
}

function keyboard(message: OutboundMessage) {
  const i = message.content.interactive as
    | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
    | { kind: 'list'; body: string; sections: { rows: { id: string; title: string }[] }[] }
    | undefined
  if (!i) throw new PermanentSendError('interactive_missing', 'The buttons are missing.')
  const buttons = i.kind === 'buttons' ? i.buttons : i.sections.flatMap((s) => s.rows)
  for (const b of buttons) {
    // callback_data is 1–64 bytes (https://core.telegram.org/bots/api#inlinekeyboardbutton).
    if (Buffer.byteLength(b.id) > 64)
      throw new PermanentSendError(
        'button_id_too_long',
        `Telegram button ids are at most 64 bytes: "${b.id.slice(0, 20)}…".`,
      )
  }
  return {
    text: i.body,
    reply_markup: {
      inline_keyboard:
        i.kind === 'buttons'
          ? [buttons.map((b) => ({ text: b.title, callback_data: b.id }))]
          : buttons.map((b) => [{ text: b.title, callback_data: b.id }]),
    },
  }
}

export const telegramChannel = defineChannel<Config, Secrets>({
  type: 'telegram',
  label: 'Telegram',
  configSchema: configSchema as unknown as z.ZodType<Config>,
  secretsSchema,
  sends: ['text', 'image', 'video', 'audio', 'file', 'location', 'interactive'],
  setup: [
    {
      key: 'botToken',
      in: 'secrets',
      label: 'channels.telegram.botToken',
      help: 'channels.telegram.botTokenHelp',
      input: 'password',
      required: true,
    },
    {
      key: 'secretToken',
      in: 'secrets',
      label: 'channels.telegram.secretToken',
      help: 'channels.telegram.secretTokenHelp',
      input: 'password',
      generated: true,
    },
    {
      key: 'apiBaseUrl',
      in: 'config',
      label: 'channels.telegram.apiBaseUrl',
      help: 'channels.telegram.apiBaseUrlHelp',
      input: 'url',
    },
  ],
  async verifyCredentials(sc, c) {
    const me = (await call(sc, c, 'getMe', {}).catch((err: Error) => {
      throw new Error(err instanceof PermanentSendError ? err.title : err.message)
    })) as { id: number; username?: string; is_bot?: boolean }
    return { ok: true, details: { botId: me.id, username: me.username } }
  },
  async configureWebhook(sc, c) {
    if (!sc.webhookUrl) throw new Error('No webhook URL to register (PUBLIC_URL).')
    await call(sc, c, 'setWebhook', {
      url: sc.webhookUrl,
      secret_token: c.secrets.secretToken,
      allowed_updates: ALLOWED_UPDATES,
    }).catch((err: Error) => {
      throw new Error(err instanceof PermanentSendError ? (err.detail ?? err.title) : err.message)
    })
    return { ok: true, details: { url: sc.webhookUrl } }
  },
  verify(req, c) {
    const got = req.headers['x-telegram-bot-api-secret-token']
    if (typeof got !== 'string' || !safeEqual(got, c.secrets.secretToken))
      throw new UnauthenticatedError('Missing or wrong X-Telegram-Bot-Api-Secret-Token.')
  },
  parse(req) {
    const u = parseOrThrow(updateSchema, req.body, 'Telegram update')
    if (u.message) return [fromMessage(u.message, false)].filter((m) => m !== null)
    if (u.edited_message) return [fromMessage(u.edited_message, true)].filter((m) => m !== null)
    const q = u.callback_query
    if (q) {
      if (q.message?.chat.type && q.message.chat.type !== 'private') return []
      const title = q.message?.reply_markup?.inline_keyboard
        .flat()
        .find((b) => b.callback_data === q.data)?.text
      return [
        {
          kind: 'message',
          providerMessageId: `cb:${q.id}`,
          from: fromOf(q.message?.chat.id ?? q.from.id, q.from),
          // A button press carries no date of its own: it happens now.
          timestamp: new Date(),
          type: 'interactive',
          text: title ?? q.data,
          content: { interactive: { kind: 'button_reply', id: q.data, title } },
          replyToProviderId: q.message ? mid(q.message.chat.id, q.message.message_id) : undefined,
          followUp: { callbackQueryId: q.id },
        },
      ]
    }
    return [] // other update kinds (my_chat_member, polls…) are not conversation messages
  },
  async followUp(sc, c, data) {
    await call(sc, c, 'answerCallbackQuery', { callback_query_id: data.callbackQueryId })
  },
  async fetchMedia(sc, c, media) {
    const f = (await call(sc, c, 'getFile', { file_id: media.providerRef })) as { file_path?: string }
    if (!f.file_path) throw new Error('Telegram getFile returned no file_path (file larger than 20 MB?)')
    const res = await sc.fetch(`${c.config.apiBaseUrl}/file/bot${c.secrets.botToken}/${f.file_path}`, {
      signal: AbortSignal.timeout(60_000),
    })
    if (!res.ok) throw new Error(`Telegram file download answered ${res.status}`)
    const mimeType =
      media.mimeType ?? res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream'
    return {
      data: Buffer.from(await res.arrayBuffer()),
      mimeType,
      fileName: media.fileName ?? f.file_path.split('/').pop(),
    }
  },
  async send(sc, c, to, message) {
    const chat_id = to.identifier
    const media = message.content.media as { url?: string } | undefined
    const caption = message.text ? { caption: message.text } : {}
    const needUrl = () => {
      if (!media?.url) throw new PermanentSendError('media_missing', 'The media has no URL to send.')
      return media.url
    }
    let result: unknown
    switch (message.type) {
      case 'text':
        result = await call(sc, c, 'sendMessage', { chat_id, text: message.text ?? '' })
        break
      case 'interactive':
        result = await call(sc, c, 'sendMessage', { chat_id, ...keyboard(message) })
        break
      case 'image':
        result = await call(sc, c, 'sendPhoto', { chat_id, photo: needUrl(), ...caption })
        break
      case 'video':
        result = await call(sc, c, 'sendVideo', { chat_id, video: needUrl(), ...caption })
        break
      case 'audio':
        result = await call(sc, c, 'sendAudio', { chat_id, audio: needUrl(), ...caption })
        break
      case 'file':
        result = await call(sc, c, 'sendDocument', { chat_id, document: needUrl(), ...caption })
        break
      case 'location': {
        const l = message.content.location as {
          latitude: number
          longitude: number
          name?: string
          address?: string
        }
        result =
          l.name && l.address
            ? await call(sc, c, 'sendVenue', {
                chat_id,
                latitude: l.latitude,
                longitude: l.longitude,
                title: l.name,
                address: l.address,
              })
            : await call(sc, c, 'sendLocation', { chat_id, latitude: l.latitude, longitude: l.longitude })
        break
      }
      default:
        throw new PermanentSendError(
          'unsupported_message_type',
          `Telegram cannot send ${message.type} messages.`,
        )
    }
    const sent = result as { message_id: number; chat: { id: number } }
    return { providerMessageId: mid(sent.chat.id, sent.message_id) }
  },
})
