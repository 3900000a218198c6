import { z } from 'zod'
import type { InboundEvent, InboundMessage, InboundStatus } from '../channel'
import { fromUnix, parseOr400 } from '../meta-graph'
import { errorTitle } from './whatsapp.errors'

/**
 * The `messages` webhook of the WhatsApp Business Platform (Cloud API), as documented at
 * developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages.
 * Unknown fields are allowed (Meta adds fields over time); the ones we read are checked.
 */
const waError = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
})

const media = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  animated: z.boolean().optional(),
  voice: z.boolean().optional(),
})

const message = z.object({
  from: z.string().regex(/^\d{6,15}$/, 'Expected a WhatsApp ID (digits).'),
  id: z.string().min(1).max(200),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
  text: z.object({ body: z.string() }).optional(),
  image: media.optional(),
  video: media.optional(),
  audio: media.optional(),
  document: media.optional(),
  sticker: media.optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z.array(z.record(z.string(), z.unknown())).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
      list_reply: z
        .object({ id: z.string(), title: z.string(), description: z.string().optional() })
        .optional(),
    })
    .optional(),
  button: z.object({ payload: z.string().optional(), text: z.string() }).optional(),
  reaction: z.object({ message_id: z.string(), emoji: z.string().optional() }).optional(),
  errors: z.array(waError).optional(),
})

const status = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().regex(/^\d+$/),
  recipient_id: z.string().optional(),
  errors: z.array(waError).optional(),
})

const value = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() }),
  contacts: z
    .array(z.object({ wa_id: z.string(), profile: z.object({ name: z.string().optional() }).optional() }))
    .optional(),
  messages: z.array(message).optional(),
  statuses: z.array(status).optional(),
  errors: z.array(waError).optional(),
})

export const whatsappWebhookSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z
    .array(
      z.object({
        id: z.string(),
        changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
      }),
    )
    .min(1),
})

type WaMessage = z.infer<typeof message>
type WaError = z.infer<typeof waError>

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const

/** Meta's wa_id is the phone number in digits; contacts are identified in E.164 with '+'. */
export const toE164 = (waId: string) => `+${waId}`

function describeContacts(contacts: Record<string, unknown>[]): string {
  return contacts
    .map((c) => {
      const name = (c.name as { formatted_name?: string } | undefined)?.formatted_name ?? ''
      const phones = ((c.phones as { phone?: string }[] | undefined) ?? [])
        .map((p) => p.phone)
        .filter(Boolean)
      return [name, ...phones].filter(Boolean).join(' ')
    })
    .join('\n')
}

function body(m: WaMessage): Pick<InboundMessage, 'type' | 'text' | 'content'> {
  for (const kind of MEDIA_TYPES) {
    const item = m[kind]
    if (m.type === kind && item) {
      return {
        type: kind === 'document' ? 'file' : kind,
        text: item.caption,
        content: {
          media: {
            providerRef: item.id,
            mimeType: item.mime_type,
            sha256: item.sha256,
            fileName: item.filename,
            ...(item.voice ? { voice: true } : {}),
            download: 'pending',
          },
        },
      }
    }
  }
  switch (m.type) {
    case 'text':
      return { type: 'text', text: m.text?.body ?? '', content: {} }
    case 'location':
      return {
        type: 'location',
        text: m.location?.name,
        content: { location: m.location ?? {} },
      }
    case 'contacts':
      return {
        type: 'contacts',
        text: describeContacts(m.contacts ?? []),
        content: { contacts: m.contacts ?? [] },
      }
    case 'interactive': {
      const r = m.interactive?.button_reply ?? m.interactive?.list_reply
      const kind = m.interactive?.button_reply ? 'button' : m.interactive?.list_reply ? 'list' : undefined
      if (r && kind) return { type: 'interactive', text: r.title, content: { reply: { kind, ...r } } }
      break
    }
    case 'button':
      // A tap on a template's quick-reply button.
      if (m.button)
        return {
          type: 'interactive',
          text: m.button.text,
          content: { reply: { kind: 'template_button', title: m.button.text, payload: m.button.payload } },
        }
      break
    case 'reaction':
      if (m.reaction)
        return {
          type: 'reaction',
          // An empty emoji means the customer removed their reaction.
          text: m.reaction.emoji ?? '',
          content: { reaction: { emoji: m.reaction.emoji ?? '', messageId: m.reaction.message_id } },
        }
      break
  }
  return {
    type: 'unsupported',
    text: undefined,
    content: { unsupported: { type: m.type, errors: (m.errors ?? []).map(describeError) } },
  }
}

function describeError(e: WaError) {
  return { code: String(e.code), title: e.title ?? e.message ?? '', detail: e.error_data?.details }
}

function statusEvent(s: z.infer<typeof status>): InboundStatus | undefined {
  if (s.status !== 'sent' && s.status !== 'delivered' && s.status !== 'read' && s.status !== 'failed')
    return undefined // e.g. "deleted", "played": no delivery state of ours
  const e = s.errors?.[0]
  return {
    kind: 'status',
    providerMessageId: s.id,
    status: s.status,
    timestamp: fromUnix(s.timestamp, 's'),
    ...(s.status === 'failed'
      ? {
          error: e
            ? {
                code: String(e.code),
                title:
                  errorTitle(e.code) ?? e.title ?? e.message ?? 'WhatsApp could not deliver the message.',
                detail: [e.message, e.error_data?.details].filter(Boolean).join(' — ') || undefined,
              }
            : { code: 'failed', title: 'WhatsApp could not deliver the message.' },
        }
      : {}),
  }
}

/**
 * Pure: a verified webhook body → normalized events. Changes for other phone numbers of the same
 * WhatsApp Business Account (one app subscription covers them all) are skipped.
 */
export function parseWhatsappWebhook(raw: unknown, phoneNumberId: string): InboundEvent[] {
  const payload = parseOr400(whatsappWebhookSchema, raw)
  const events: InboundEvent[] = []
  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue
      const v = parseOr400(value, change.value)
      if (v.metadata.phone_number_id !== phoneNumberId) continue
      const names = new Map((v.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]))
      for (const m of v.messages ?? []) {
        const name = names.get(m.from)
        events.push({
          kind: 'message',
          providerMessageId: m.id,
          from: { identifier: toE164(m.from), phone: toE164(m.from), displayName: name || undefined },
          timestamp: fromUnix(m.timestamp, 's'),
          ...body(m),
          replyToProviderId: m.type === 'reaction' ? m.reaction?.message_id : (m.context?.id ?? undefined),
        })
      }
      for (const s of v.statuses ?? []) {
        const e = statusEvent(s)
        if (e) events.push(e)
      }
    }
  }
  return events
}
