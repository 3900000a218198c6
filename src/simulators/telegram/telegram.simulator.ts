import { randomBytes } from 'node:crypto'
import { type Delivery, deliver, json, paramsOf, type SimReply, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * The Telegram Bot API as published (https://core.telegram.org/bots/api): the bot token in the
 * path (/bot<token>/<method>), parameters as JSON, form or query string, answers
 * {ok, result} or {ok:false, error_code, description, parameters}, setWebhook with secret_token
 * and allowed_updates, updates delivered with X-Telegram-Bot-Api-Secret-Token, getFile and
 * /file/bot<token>/<file_path> downloads. Telegram requires an HTTPS webhook; `allowHttpWebhook`
 * (on by default, for loopback tests) accepts http:// URLs too.
 */
type Bot = {
  id: number
  token: string
  username: string
  webhook?: { url: string; secretToken?: string | undefined; allowedUpdates?: string[] | undefined }
}
type TgUser = {
  id: number
  first_name: string
  last_name?: string
  username?: string
  language_code?: string
}
export type TelegramCall = { method: string; params: Record<string, unknown>; botId: number }

const fail = (error_code: number, description: string, parameters?: Record<string, unknown>): SimReply =>
  json(error_code, { ok: false, error_code, description, ...(parameters ? { parameters } : {}) })
const ok = (result: unknown): SimReply => json(200, { ok: true, result })

export async function startTelegramSimulator(
  opts: { port?: number; host?: string; allowHttpWebhook?: boolean; now?: () => number } = {},
) {
  const now = () => Math.floor((opts.now ?? Date.now)() / 1000)
  const bots = new Map<string, Bot>()
  const bot: Bot = {
    id: 6_000_000_000 + Math.floor(Math.random() * 1e8),
    token: '',
    username: 'tawasul_sim_bot',
  }
  bot.token = `${bot.id}:AA${randomBytes(24).toString('base64url')}`
  bots.set(bot.token, bot)
  const users = new Map<number, TgUser>()
  const blocked = new Set<number>()
  const files = new Map<string, { path: string; data: Buffer; botId: number }>()
  const sentMessages = new Map<string, Record<string, unknown>>()
  const openQueries = new Set<string>()
  const received: TelegramCall[] = []
  let updateId = 100_000
  let messageId = 1
  let failNext: SimReply | undefined

  function chatOf(id: unknown): TgUser | SimReply {
    const n = Number(id)
    const u = users.get(n)
    if (!u) return fail(400, 'Bad Request: chat not found')
    if (blocked.has(n)) return fail(403, 'Forbidden: bot was blocked by the user')
    return u
  }
  const isReply = (x: unknown): x is SimReply => Boolean(x && typeof x === 'object' && 'contentType' in x)

  function checkMarkup(markup: unknown): SimReply | undefined {
    if (markup === undefined) return undefined
    const m = (typeof markup === 'string' ? JSON.parse(markup) : markup) as { inline_keyboard?: unknown }
    if (!Array.isArray(m.inline_keyboard)) return fail(400, 'Bad Request: object expected as reply markup')
    for (const row of m.inline_keyboard) {
      if (!Array.isArray(row))
        return fail(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
      for (const b of row as { text?: string; callback_data?: string; url?: string }[]) {
        if (!b.text) return fail(400, 'Bad Request: text buttons are unallowed in the inline keyboard')
        if (
          b.callback_data !== undefined &&
          (b.callback_data.length === 0 || Buffer.byteLength(b.callback_data) > 64)
        )
          return fail(400, 'Bad Request: BUTTON_DATA_INVALID')
        if (b.callback_data === undefined && b.url === undefined)
          return fail(400, 'Bad Request: text buttons are unallowed in the inline keyboard')
      }
    }
    return undefined
  }

  function storeSent(chat: TgUser, fields: Record<string, unknown>): SimReply {
    const message = {
      message_id: messageId++,
      from: { id: bot.id, is_bot: true, first_name: 'Tawasul', username: bot.username },
      chat: { id: chat.id, first_name: chat.first_name, type: 'private' },
      date: now(),
      ...fields,
    }
    sentMessages.set(`${chat.id}:${message.message_id}`, message)
    return ok(message)
  }

  function method(b: Bot, name: string, p: Record<string, unknown>): SimReply {
    switch (name) {
      case 'getMe':
        return ok({
          id: b.id,
          is_bot: true,
          first_name: 'Tawasul',
          username: b.username,
          can_join_groups: true,
        })
      case 'setWebhook': {
        const url = String(p.url ?? '')
        if (url === '') {
          delete b.webhook
          return ok(true)
        }
        let parsed: URL
        try {
          parsed = new URL(url)
        } catch {
          return fail(400, 'Bad Request: bad webhook: Failed to resolve host')
        }
        if (parsed.protocol !== 'https:' && !(opts.allowHttpWebhook ?? true))
          return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook')
        const secret = p.secret_token === undefined ? undefined : String(p.secret_token)
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
          return fail(400, 'Bad Request: bad webhook: secret token contains unallowed characters')
        const allowed =
          typeof p.allowed_updates === 'string' ? JSON.parse(p.allowed_updates) : p.allowed_updates
        b.webhook = { url, secretToken: secret, allowedUpdates: allowed as string[] | undefined }
        return json(200, { ok: true, result: true, description: 'Webhook was set' })
      }
      case 'getWebhookInfo':
        return ok({
          url: b.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: 0,
          ...(b.webhook?.allowedUpdates ? { allowed_updates: b.webhook.allowedUpdates } : {}),
        })
      case 'deleteWebhook':
        delete b.webhook
        return json(200, { ok: true, result: true, description: 'Webhook was deleted' })
      case 'sendMessage': {
        const chat = chatOf(p.chat_id)
        if (isReply(chat)) return chat
        const text = p.text === undefined ? '' : String(p.text)
        if (!text.trim()) return fail(400, 'Bad Request: message text is empty')
        if (text.length > 4096) return fail(400, 'Bad Request: message is too long')
        const bad = checkMarkup(p.reply_markup)
        if (bad) return bad
        const markup = typeof p.reply_markup === 'string' ? JSON.parse(p.reply_markup) : p.reply_markup
        return storeSent(chat, { text, ...(markup ? { reply_markup: markup } : {}) })
      }
      case 'sendPhoto':
      case 'sendDocument':
      case 'sendVideo':
      case 'sendAudio': {
        const chat = chatOf(p.chat_id)
        if (isReply(chat)) return chat
        const field = name.slice(4).toLowerCase()
        const value = p[field]
        if (typeof value !== 'string' || !value)
          return fail(400, `Bad Request: there is no ${field} in the request`)
        if (p.caption !== undefined && String(p.caption).length > 1024)
          return fail(400, 'Bad Request: message caption is too long')
        const fileId = `${field.toUpperCase()}${randomBytes(12).toString('base64url')}`
        return storeSent(chat, {
          [field]: field === 'photo' ? [{ file_id: fileId, width: 1280, height: 960 }] : { file_id: fileId },
          ...(p.caption ? { caption: p.caption } : {}),
        })
      }
      case 'sendLocation':
      case 'sendVenue': {
        const chat = chatOf(p.chat_id)
        if (isReply(chat)) return chat
        const latitude = Number(p.latitude)
        const longitude = Number(p.longitude)
        if (!(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180))
          return fail(400, 'Bad Request: wrong latitude or longitude specified')
        if (name === 'sendVenue' && (!p.title || !p.address))
          return fail(400, 'Bad Request: venue title and address must be non-empty')
        return storeSent(chat, {
          location: { latitude, longitude },
          ...(name === 'sendVenue'
            ? { venue: { location: { latitude, longitude }, title: p.title, address: p.address } }
            : {}),
        })
      }
      case 'answerCallbackQuery': {
        const id = String(p.callback_query_id ?? '')
        if (!openQueries.delete(id))
          return fail(
            400,
            'Bad Request: query is too old and response timeout expired or query ID is invalid',
          )
        return ok(true)
      }
      case 'getFile': {
        const f = files.get(String(p.file_id ?? ''))
        if (!f || f.botId !== b.id) return fail(400, 'Bad Request: invalid file_id')
        return ok({
          file_id: p.file_id,
          file_unique_id: String(p.file_id).slice(0, 8),
          file_size: f.data.length,
          file_path: f.path,
        })
      }
      default:
        return fail(404, 'Not Found')
    }
  }

  const http = await startHttp(opts, (req) => {
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url.pathname)
    if (file && req.method === 'GET') {
      const b = bots.get(file[1]!)
      const f = [...files.values()].find((x) => x.path === file[2] && b && x.botId === b.id)
      if (!f) return fail(404, 'Not Found')
      return { status: 200, body: f.data, contentType: 'application/octet-stream' }
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url.pathname)
    if (!m) return fail(404, 'Not Found')
    const b = bots.get(m[1]!)
    if (!b) return fail(401, 'Unauthorized')
    let params: Record<string, unknown>
    try {
      params = paramsOf(req)
    } catch {
      return fail(400, "Bad Request: can't parse JSON object")
    }
    received.push({ method: m[2]!, params, botId: b.id })
    if (failNext && m[2]!.startsWith('send')) {
      const r = failNext
      failNext = undefined
      return r
    }
    return method(b, m[2]!, params)
  })

  function addUser(u: Partial<TgUser> = {}): TgUser {
    const user: TgUser = {
      id: 100_000_000 + users.size + Math.floor(Math.random() * 1e6),
      first_name: 'Sim',
      ...u,
    }
    users.set(user.id, user)
    return user
  }

  /** Posts an update to the bot's webhook as Telegram does; skips kinds not in allowed_updates. */
  async function sendUpdate(
    update: Record<string, unknown>,
    b = bot,
  ): Promise<{ update: Record<string, unknown>; delivery: Delivery | null }> {
    const full = { update_id: (update.update_id as number | undefined) ?? ++updateId, ...update }
    if (!b.webhook) throw new Error('setWebhook was never called for this bot')
    const kind = Object.keys(full).find((k) => k !== 'update_id')!
    const allowed = b.webhook.allowedUpdates
    if (allowed?.length && !allowed.includes(kind)) return { update: full, delivery: null }
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (b.webhook.secretToken) headers['x-telegram-bot-api-secret-token'] = b.webhook.secretToken
    return { update: full, delivery: await deliver(b.webhook.url, JSON.stringify(full), headers) }
  }

  const userMessage = (u: TgUser, fields: Record<string, unknown>) => ({
    message_id: messageId++,
    from: {
      id: u.id,
      is_bot: false,
      first_name: u.first_name,
      ...(u.last_name ? { last_name: u.last_name } : {}),
      ...(u.username ? { username: u.username } : {}),
      ...(u.language_code ? { language_code: u.language_code } : {}),
    },
    chat: { id: u.id, first_name: u.first_name, type: 'private' },
    date: now(),
    ...fields,
  })
  function addFile(data: Buffer, dir: string, ext: string) {
    const fileId = `AgAC${randomBytes(16).toString('base64url')}`
    files.set(fileId, { path: `${dir}/file_${files.size}.${ext}`, data, botId: bot.id })
    return fileId
  }

  const handle = {
    provider: 'telegram',
    url: http.url,
    details: { botToken: bot.token },
    close: http.close,
    bot,
    received,
    addUser,
    block: (userId: number) => blocked.add(userId),
    webhookOf: () => bot.webhook,
    sendUpdate,
    sendText: (u: TgUser, text: string) => sendUpdate({ message: userMessage(u, { text }) }),
    /** A photo in the three sizes Telegram makes; the largest carries `data`. */
    sendPhoto: (u: TgUser, data: Buffer, caption?: string) =>
      sendUpdate({
        message: userMessage(u, {
          photo: [
            {
              file_id: addFile(Buffer.from('thumb'), 'photos', 'jpg'),
              file_unique_id: 'a1',
              file_size: 5,
              width: 90,
              height: 67,
            },
            {
              file_id: addFile(data, 'photos', 'jpg'),
              file_unique_id: 'a3',
              file_size: data.length,
              width: 1280,
              height: 960,
            },
            {
              file_id: addFile(Buffer.from('medium'), 'photos', 'jpg'),
              file_unique_id: 'a2',
              file_size: 6,
              width: 320,
              height: 240,
            },
          ],
          ...(caption ? { caption } : {}),
        }),
      }),
    sendDocument: (u: TgUser, data: Buffer, fileName: string, mimeType: string) =>
      sendUpdate({
        message: userMessage(u, {
          document: {
            file_name: fileName,
            mime_type: mimeType,
            file_id: addFile(data, 'documents', 'bin'),
            file_unique_id: 'd1',
            file_size: data.length,
          },
        }),
      }),
    sendLocation: (u: TgUser, latitude: number, longitude: number) =>
      sendUpdate({ message: userMessage(u, { location: { latitude, longitude } }) }),
    sendContact: (u: TgUser, phone: string, firstName: string) =>
      sendUpdate({
        message: userMessage(u, { contact: { phone_number: phone, first_name: firstName, user_id: u.id } }),
      }),
    /** The user edits a message they sent earlier. */
    editText: (original: Record<string, unknown>, text: string) =>
      sendUpdate({ edited_message: { ...original, text, edit_date: now() } }),
    /** The user presses an inline button on a message the bot sent. */
    pressButton: (u: TgUser, botMessageId: number, data: string) => {
      const message = sentMessages.get(`${u.id}:${botMessageId}`)
      if (!message) throw new Error(`the bot sent no message ${botMessageId} to ${u.id}`)
      const id = String(BigInt(u.id) * 1000n + BigInt(messageId++))
      openQueries.add(id)
      return sendUpdate({
        callback_query: {
          id,
          from: { id: u.id, is_bot: false, first_name: u.first_name },
          message,
          chat_instance: '-1',
          data,
        },
      })
    },
    failNext: (code: number, description: string, retryAfter?: number) => {
      failNext = fail(code, description, retryAfter ? { retry_after: retryAfter } : undefined)
    },
  } satisfies SimulatorHandle & Record<string, unknown>
  return handle
}

export type TelegramSimulator = Awaited<ReturnType<typeof startTelegramSimulator>>
