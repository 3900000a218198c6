import { z } from 'zod'
import { safeEqual } from '../../auth/crypto'
import type { MessageType } from '../../db/schema'
import { UnauthenticatedError, ValidationError } from '../../errors'
import {
  type ChannelRef,
  defineChannel,
  type InboundEvent,
  type InboundMessage,
  type InboundStatus,
  type OutboundMessage,
  PermanentSendError,
  type SendContext,
  type SetupField,
} from '../channel'
import { mediaTypeOf, parseOrThrow } from '../validate'
import { twilioErrorTitle, twilioSendError } from './errors'
import { twilioSignature } from './signature'

/**
 * Twilio Programmable Messaging, for SMS/MMS and for WhatsApp through Twilio
 * (https://www.twilio.com/docs/messaging/api/message-resource,
 * https://www.twilio.com/docs/messaging/guides/webhook-request,
 * https://www.twilio.com/docs/whatsapp/api). Inbound messages and status callbacks are form posts
 * signed with X-Twilio-Signature over the URL Twilio called — PUBLIC_URL must be exactly the
 * origin configured at Twilio (behind a proxy, the public https URL, not the internal one).
 * Templates on twilio_whatsapp go out as Content API templates: the template's providerTemplateId
 * is its Content SID (HX…) and the body values become ContentVariables {"1": …, "2": …}.
 */
const E164 = /^\+[1-9]\d{6,14}$/

const configSchema = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'An Account SID is "AC" followed by 32 hex digits.'),
  fromNumber: z.string().regex(E164, 'The sending number in E.164 form, e.g. +14155238886.'),
  apiBaseUrl: z
    .url({ protocol: /^https?$/ })
    .default('https://api.twilio.com')
    .transform((u) => u.replace(/\/+$/, '')),
})
const secretsSchema = z.strictObject({ authToken: z.string().min(16).max(128) })
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>
type Ref = ChannelRef<Config, Secrets>

const inboundSchema = z
  .object({
    AccountSid: z.string().min(1),
    MessageSid: z.string().min(1).max(64),
    From: z.string().min(1).max(100).optional(),
    To: z.string().max(100).optional(),
    Body: z.string().max(20_000).optional(),
    MessageStatus: z.string().optional(),
    SmsStatus: z.string().optional(),
    NumMedia: z.string().regex(/^\d+$/).optional(),
    ErrorCode: z.string().optional(),
    ErrorMessage: z.string().optional(),
    ProfileName: z.string().max(200).optional(),
    WaId: z.string().max(20).optional(),
    Latitude: z.string().optional(),
    Longitude: z.string().optional(),
    Address: z.string().optional(),
    Label: z.string().optional(),
    ButtonText: z.string().optional(),
    ButtonPayload: z.string().optional(),
    OriginalRepliedMessageSid: z.string().optional(),
  })
  .catchall(z.string())

const STATUS: Record<string, InboundStatus['status'] | null> = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: null,
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
}

const basicAuth = (c: Ref) =>
  `Basic ${Buffer.from(`${c.config.accountSid}:${c.secrets.authToken}`).toString('base64')}`

function twilioChannel(kind: 'sms' | 'whatsapp') {
  const type = kind === 'sms' ? 'twilio_sms' : 'twilio_whatsapp'
  const prefix = kind === 'whatsapp' ? 'whatsapp:' : ''
  const address = (n: string) => `${prefix}${n}`
  const field = (key: string, f: Omit<SetupField, 'key' | 'label' | 'help'>): SetupField => ({
    key,
    label: `channels.${type}.${key}`,
    help: `channels.${type}.${key}Help`,
    ...f,
  })
  const sends: MessageType[] =
    kind === 'sms'
      ? ['text', 'image', 'video', 'audio', 'file']
      : ['text', 'image', 'video', 'audio', 'file', 'location', 'template']

  function fromOf(raw: string | undefined): string {
    const from = raw ?? ''
    if (kind === 'whatsapp' && !from.startsWith('whatsapp:'))
      throw new ValidationError('From: a WhatsApp sender is "whatsapp:+<number>".', [
        { path: 'From', message: 'Expected whatsapp:+E.164.' },
      ])
    const number = from.slice(prefix.length)
    if (kind === 'sms' && from.includes(':'))
      throw new ValidationError(`From: "${from}" is not an SMS sender; use a twilio_whatsapp channel.`, [
        { path: 'From', message: 'Expected +E.164.' },
      ])
    return number
  }

  function parseMessage(b: z.infer<typeof inboundSchema>): InboundMessage[] {
    const number = fromOf(b.From)
    const from = {
      identifier: number,
      displayName: b.ProfileName || undefined,
      phone: b.WaId ? `+${b.WaId}` : E164.test(number) ? number : undefined,
    }
    // Twilio's inbound webhook carries no timestamp: the message is as recent as the request.
    const base = {
      kind: 'message' as const,
      from,
      timestamp: new Date(),
      replyToProviderId: b.OriginalRepliedMessageSid,
    }
    const numMedia = Number(b.NumMedia ?? '0')
    if (numMedia > 0) {
      const out: InboundMessage[] = []
      for (let i = 0; i < numMedia; i++) {
        const url = b[`MediaUrl${i}`]
        const mimeType = b[`MediaContentType${i}`]
        if (!url)
          throw new ValidationError(`MediaUrl${i} is missing.`, [
            { path: `MediaUrl${i}`, message: 'Required.' },
          ])
        out.push({
          ...base,
          providerMessageId: i === 0 ? b.MessageSid : `${b.MessageSid}/${i}`,
          type: mediaTypeOf(mimeType),
          text: i === 0 ? b.Body || undefined : undefined,
          content: { media: { url, mimeType, providerRef: url, download: 'pending' } },
        })
      }
      return out
    }
    if (b.Latitude && b.Longitude) {
      const latitude = Number(b.Latitude)
      const longitude = Number(b.Longitude)
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude))
        throw new ValidationError('Latitude/Longitude are not numbers.')
      return [
        {
          ...base,
          providerMessageId: b.MessageSid,
          type: 'location',
          text: b.Label || b.Address || undefined,
          content: { location: { latitude, longitude, name: b.Label, address: b.Address } },
        },
      ]
    }
    if (b.ButtonPayload || b.ButtonText) {
      return [
        {
          ...base,
          providerMessageId: b.MessageSid,
          type: 'interactive',
          text: b.ButtonText ?? b.Body,
          content: {
            interactive: { kind: 'button_reply', id: b.ButtonPayload, title: b.ButtonText ?? b.Body },
          },
        },
      ]
    }
    return [
      {
        ...base,
        providerMessageId: b.MessageSid,
        type: b.Body ? 'text' : 'unsupported',
        text: b.Body || undefined,
        content: {},
      },
    ]
  }

  function body(message: OutboundMessage, to: string, c: Ref, statusCallback: string | undefined) {
    const form = new URLSearchParams({ To: address(to), From: address(c.config.fromNumber) })
    if (statusCallback) form.set('StatusCallback', statusCallback)
    const media = message.content.media as { url?: string } | undefined
    const location = message.content.location as
      | { latitude: number; longitude: number; name?: string; address?: string }
      | undefined
    const template = message.content.template as
      | {
          providerTemplateId?: string
          name: string
          components?: { type: string; parameters?: { text?: string }[] }[]
        }
      | undefined
    switch (message.type) {
      case 'text':
        form.set('Body', message.text ?? '')
        break
      case 'image':
      case 'video':
      case 'audio':
      case 'file':
        if (!media?.url) throw new PermanentSendError('media_missing', 'The media has no URL to send.')
        form.append('MediaUrl', media.url)
        if (message.text) form.set('Body', message.text)
        break
      case 'location':
        if (!location) throw new PermanentSendError('location_missing', 'The location is missing.')
        // WhatsApp location messages: https://www.twilio.com/docs/whatsapp/api#location-messages-with-whatsapp
        form.set('Body', [location.name, location.address].filter(Boolean).join(', ') || 'Location')
        form.append(
          'PersistentAction',
          `geo:${location.latitude},${location.longitude}${location.address || location.name ? `|${location.address ?? location.name}` : ''}`,
        )
        break
      case 'template': {
        const sid = template?.providerTemplateId
        if (!sid || !/^HX[0-9a-fA-F]{32}$/.test(sid))
          throw new PermanentSendError(
            'template_not_linked',
            `Template "${template?.name ?? '?'}" has no Twilio Content SID (HX…): set it as the template's provider id.`,
          )
        form.set('ContentSid', sid)
        const values = (template.components ?? [])
          .filter((c) => c.type === 'body')
          .flatMap((c) => c.parameters ?? [])
          .map((p) => p.text ?? '')
        if (values.length)
          form.set(
            'ContentVariables',
            JSON.stringify(Object.fromEntries(values.map((v, i) => [String(i + 1), v]))),
          )
        break
      }
      default:
        throw new PermanentSendError(
          'unsupported_message_type',
          `${type} cannot send ${message.type} messages.`,
        )
    }
    return form
  }

  const send = async (sc: SendContext, c: Ref, to: { identifier: string }, message: OutboundMessage) => {
    const res = await sc.fetch(
      `${c.config.apiBaseUrl}/2010-04-01/Accounts/${c.config.accountSid}/Messages.json`,
      {
        method: 'POST',
        headers: { authorization: basicAuth(c), 'content-type': 'application/x-www-form-urlencoded' },
        body: body(message, to.identifier, c, sc.webhookUrl),
        signal: AbortSignal.timeout(15_000),
      },
    )
    const data = (await res.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string }
    if (res.ok && data.sid) return { providerMessageId: data.sid }
    throw twilioSendError(res.status, data)
  }

  return defineChannel<Config, Secrets>({
    type,
    label: kind === 'sms' ? 'SMS (Twilio)' : 'WhatsApp (Twilio)',
    configSchema: configSchema as unknown as z.ZodType<Config>,
    secretsSchema,
    sends,
    setup: [
      field('accountSid', { in: 'config', input: 'text', required: true }),
      field('fromNumber', { in: 'config', input: 'text', required: true }),
      field('authToken', { in: 'secrets', input: 'password', required: true }),
      field('apiBaseUrl', { in: 'config', input: 'url' }),
    ],
    async verifyCredentials(sc, c) {
      const res = await sc.fetch(`${c.config.apiBaseUrl}/2010-04-01/Accounts/${c.config.accountSid}.json`, {
        headers: { authorization: basicAuth(c) },
        signal: AbortSignal.timeout(15_000),
      })
      const data = (await res.json().catch(() => ({}))) as {
        code?: number
        message?: string
        status?: string
        friendly_name?: string
      }
      if (!res.ok) throw new Error(twilioErrorTitle(String(data.code ?? res.status), data.message))
      if (data.status && data.status !== 'active')
        throw new Error(`The Twilio account is ${data.status}, not active.`)
      return { ok: true, details: { friendlyName: data.friendly_name } }
    },
    verify(req, c) {
      const signature = req.headers['x-twilio-signature']
      const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>
      const expected = twilioSignature(c.secrets.authToken, req.publicUrl ?? req.url, params)
      if (typeof signature !== 'string' || !safeEqual(signature, expected)) {
        throw new UnauthenticatedError(
          'Invalid X-Twilio-Signature (check the Auth Token, and that PUBLIC_URL is exactly the URL configured at Twilio).',
        )
      }
    },
    parse(req, c): InboundEvent[] {
      const b = parseOrThrow(inboundSchema, req.body, 'Twilio webhook')
      if (b.AccountSid !== c.config.accountSid)
        throw new ValidationError('AccountSid does not belong to this channel.', [
          { path: 'AccountSid', message: 'Does not match the channel.' },
        ])
      const status = b.MessageStatus ?? (b.SmsStatus !== 'received' ? b.SmsStatus : undefined)
      if (status && status !== 'received' && status !== 'receiving') {
        if (!(status in STATUS))
          throw new ValidationError(`Unknown MessageStatus "${status}".`, [
            { path: 'MessageStatus', message: 'Unknown.' },
          ])
        const mapped = STATUS[status]
        if (!mapped) return []
        return [
          {
            kind: 'status',
            providerMessageId: b.MessageSid,
            status: mapped,
            timestamp: new Date(),
            error:
              mapped === 'failed'
                ? {
                    code: b.ErrorCode ?? status,
                    title: b.ErrorCode
                      ? twilioErrorTitle(b.ErrorCode, b.ErrorMessage)
                      : `Twilio reports the message ${status}.`,
                    detail: b.ErrorMessage,
                  }
                : undefined,
          },
        ]
      }
      return parseMessage(b)
    },
    ack: () => ({
      status: 200,
      body: '<?xml version="1.0" encoding="UTF-8"?><Response/>',
      contentType: 'text/xml',
    }),
    async fetchMedia(sc, c, media) {
      const url = media.providerRef
      // Credentials go only to Twilio's own API host (media may be protected by HTTP basic auth).
      const own = new URL(url).origin === new URL(c.config.apiBaseUrl).origin
      const res = await sc.fetch(url, {
        headers: own ? { authorization: basicAuth(c) } : {},
        redirect: 'follow',
        signal: AbortSignal.timeout(60_000),
      })
      if (!res.ok) throw new Error(`Twilio media answered ${res.status}`)
      const mimeType =
        res.headers.get('content-type')?.split(';')[0] ?? media.mimeType ?? 'application/octet-stream'
      return { data: Buffer.from(await res.arrayBuffer()), mimeType }
    },
    send,
  })
}

export const twilioSmsChannel = twilioChannel('sms')
export const twilioWhatsappChannel = twilioChannel('whatsapp')
