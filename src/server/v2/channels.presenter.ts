import { z } from 'zod'
import type { ChannelRow } from '../channels/channels.repo'
import type { IdentityRow } from '../contacts/contacts.repo'
import type { TemplateRow } from '../messages/templates.repo'

const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

/**
 * respond.io's channel "source" names (its SDK's ChannelSource) for our channel types whose name
 * differs; whatsapp_cloud, instagram, line, telegram, viber, wechat and twilio_whatsapp are
 * already its names. Our email channel is any SMTP/IMAP mailbox, respond.io's "other_email". The
 * SDK's list has no name for website chat, so webchat keeps ours.
 */
const SOURCES: Record<string, string> = {
  custom: 'custom_channel',
  messenger: 'facebook',
  twilio_sms: 'twilio',
  email: 'other_email',
}
export const sourceOf = (type: string) => SOURCES[type] ?? type

export const spaceChannelOut = z
  .object({ id: z.number().int(), name: z.string(), source: z.string(), created_at: z.number().int() })
  .meta({
    examples: [{ id: 4, name: 'WhatsApp Business', source: 'whatsapp_cloud', created_at: 1663274081 }],
  })

export const presentChannel = (c: ChannelRow): z.infer<typeof spaceChannelOut> => ({
  id: c.id,
  name: c.name,
  source: sourceOf(c.type),
  created_at: seconds(c.createdAt),
})

export const contactChannelOut = z
  .object({
    id: z.number().int(),
    name: z.string(),
    source: z.string(),
    meta: z
      .object({ identifier: z.string() })
      .describe('The contact’s id on the channel (phone, PSID, custom id).'),
    lastMessageTime: z.number().int().optional(),
    lastIncomingMessageTime: z.number().int().optional(),
    created_at: z.number().int().describe('When the contact was first seen on this channel (Unix seconds).'),
  })
  .meta({
    examples: [
      {
        id: 4,
        name: 'WhatsApp Business',
        source: 'whatsapp_cloud',
        meta: { identifier: '966501234567' },
        lastMessageTime: 1767225700,
        lastIncomingMessageTime: 1767225600,
        created_at: 1767225600,
      },
    ],
  })

export function presentContactChannel(i: IdentityRow, c: ChannelRow): z.infer<typeof contactChannelOut> {
  const last = [i.lastIncomingAt, i.lastOutgoingAt].filter((d): d is Date => d !== null)
  const lastMessage = last.length ? Math.max(...last.map((d) => d.getTime())) : null
  return {
    id: c.id,
    name: c.name,
    source: sourceOf(c.type),
    meta: { identifier: i.identifier },
    ...(lastMessage !== null ? { lastMessageTime: Math.floor(lastMessage / 1000) } : {}),
    ...(i.lastIncomingAt ? { lastIncomingMessageTime: seconds(i.lastIncomingAt) } : {}),
    created_at: seconds(i.createdAt),
  }
}

type GraphComponent = {
  type?: string
  format?: string
  text?: string
  buttons?: { type?: string; text?: string; url?: string; phone_number?: string }[]
}

export const templateOut = z
  .object({
    id: z.number().int(),
    name: z.string(),
    components: z.array(z.object({ type: z.string() }).loose()),
    channelId: z.number().int(),
    botId: z.number().int().describe('The workspace id (respond.io’s "bot" is its workspace).'),
    languageCode: z.string(),
    namespace: z.string().nullable(),
    category: z.string(),
    status: z.string().describe('approved, pending, rejected, paused or disabled.'),
    templateId: z.string().optional().describe('The provider’s template id.'),
  })
  .meta({
    examples: [
      {
        id: 12345,
        name: 'order_update',
        components: [
          { type: 'header', format: 'text', text: 'Order {{1}}' },
          { type: 'body', text: 'Hi {{1}}, your order is {{2}}.' },
        ],
        channelId: 4,
        botId: 1,
        languageCode: 'en',
        namespace: null,
        category: 'UTILITY',
        status: 'approved',
        templateId: '1192339204654488',
      },
    ],
  })

/** Our synced template (Graph API components, upper case) in respond.io's lower-case shape. */
export function presentTemplate(t: TemplateRow): z.infer<typeof templateOut> {
  const components = (t.components as GraphComponent[]).map((c) => ({
    type: (c.type ?? '').toLowerCase(),
    ...(c.format ? { format: c.format.toLowerCase() } : {}),
    ...(c.text !== undefined ? { text: c.text } : {}),
    ...(c.buttons
      ? {
          buttons: c.buttons.map((b) => ({
            type: (b.type ?? '').toLowerCase(),
            ...(b.text !== undefined ? { text: b.text } : {}),
            ...(b.url !== undefined ? { url: b.url } : {}),
            ...(b.phone_number !== undefined ? { phone_number: b.phone_number } : {}),
          })),
        }
      : {}),
  }))
  return {
    id: t.id,
    name: t.name,
    components,
    channelId: t.channelId,
    botId: t.workspaceId,
    languageCode: t.language,
    namespace: null,
    category: t.category,
    status: t.status.toLowerCase(),
    ...(t.providerTemplateId ? { templateId: t.providerTemplateId } : {}),
  }
}
