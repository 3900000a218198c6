import { z } from 'zod'
import type { Ctx } from '../context'
import type { MessageRow } from '../messages/messages.repo'

const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

export const messageOut = z
  .object({
    messageId: z.number().int(),
    channelMessageId: z.string().nullable().describe('The provider’s id of the message, once it has one.'),
    contactId: z.number().int(),
    channelId: z.number().int(),
    traffic: z.enum(['outgoing', 'incoming']),
    message: z.object({ type: z.string() }).loose(),
    status: z
      .array(
        z.object({
          value: z.enum(['pending', 'sent', 'delivered', 'read', 'failed']),
          timestamp: z.number().int(),
          message: z.string().optional(),
        }),
      )
      .optional()
      .describe(
        'Delivery statuses of an outgoing message, oldest first (Unix seconds); absent on incoming messages.',
      ),
    sender: z
      .object({ source: z.string(), userId: z.number().int().optional() })
      .optional()
      .describe(
        'Who sent an outgoing message: user (with userId), api, workflow, broadcast, ai_agent or system.',
      ),
  })
  .meta({
    examples: [
      {
        messageId: 1262965213,
        channelMessageId: 'wamid.HBgLOTY2NTAxMjM0NTY3FQIAERgS',
        contactId: 123,
        channelId: 4,
        traffic: 'outgoing',
        message: { type: 'text', text: 'Your order is on its way.' },
        status: [
          { value: 'pending', timestamp: 1767225600 },
          { value: 'sent', timestamp: 1767225601 },
          { value: 'delivered', timestamp: 1767225603 },
        ],
        sender: { source: 'api' },
      },
    ],
  })
export type MessageOut = z.infer<typeof messageOut>

type Media = { url?: string; fileId?: number; fileName?: string }

/** Our stored message → respond.io's message content (the inverse of what /v2 accepts). */
function contentOf(ctx: Ctx, m: MessageRow): MessageOut['message'] {
  const c = m.content as Record<string, unknown>
  switch (m.type) {
    case 'text':
      return { type: 'text', text: m.text ?? '', ...(c.messageTag ? { messageTag: c.messageTag } : {}) }
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
    case 'sticker': {
      const media = (c.media ?? {}) as Media
      // Files we hold are downloaded with the same bearer token from the v1 file route.
      const url =
        media.url ??
        (media.fileId
          ? `${ctx.config.publicUrl}/api/v1/workspaces/${m.workspaceId}/files/${media.fileId}`
          : '')
      return {
        type: 'attachment',
        attachment: {
          type: m.type === 'sticker' ? 'image' : m.type,
          url,
          ...(media.fileName ? { fileName: media.fileName } : {}),
        },
        ...(m.text ? { text: m.text } : {}),
      }
    }
    case 'template': {
      const t = (c.template ?? {}) as { name?: string; language?: string; components?: unknown[] }
      return {
        type: 'whatsapp_template',
        template: { name: t.name ?? '', languageCode: t.language ?? '', components: t.components ?? [] },
        ...(m.text ? { text: m.text } : {}),
      }
    }
    case 'email': {
      const e = (c.email ?? {}) as { subject?: string }
      return { type: 'email', text: m.text ?? '', ...(e.subject ? { subject: e.subject } : {}) }
    }
    case 'interactive': {
      const i = (c.interactive ?? {}) as {
        kind?: string
        body?: string
        buttons?: { title: string }[]
        sections?: { rows: { title: string }[] }[]
      }
      const replies =
        i.buttons?.map((b) => b.title) ?? i.sections?.flatMap((s) => s.rows.map((r) => r.title)) ?? []
      return { type: 'quick_reply', title: i.body ?? m.text ?? '', replies }
    }
    case 'location': {
      const l = (c.location ?? {}) as Record<string, unknown>
      return { type: 'location', ...l }
    }
    default:
      // contacts, reaction, unsupported: respond.io has no equivalent; our type and text are kept.
      return { type: m.type, ...(m.text ? { text: m.text } : {}) }
  }
}

const SOURCES: Record<string, string> = {
  user: 'user',
  api: 'api',
  workflow: 'workflow',
  broadcast: 'broadcast',
  ai: 'ai_agent',
  system: 'system',
}

/** developers.respond.io getmessage: statuses are built from the times our message row records. */
export function presentMessage(ctx: Ctx, m: MessageRow): MessageOut {
  const out: MessageOut = {
    messageId: m.id,
    channelMessageId: m.providerMessageId,
    contactId: m.contactId,
    channelId: m.channelId,
    traffic: m.direction === 'out' ? 'outgoing' : 'incoming',
    message: contentOf(ctx, m),
  }
  if (m.direction === 'in') return out
  const status: NonNullable<MessageOut['status']> = [{ value: 'pending', timestamp: seconds(m.createdAt) }]
  if (m.sentAt) status.push({ value: 'sent', timestamp: seconds(m.sentAt) })
  if (m.deliveredAt) status.push({ value: 'delivered', timestamp: seconds(m.deliveredAt) })
  if (m.readAt) status.push({ value: 'read', timestamp: seconds(m.readAt) })
  if (m.failedAt || m.status === 'failed') {
    status.push({
      value: 'failed',
      timestamp: seconds(m.failedAt ?? m.createdAt),
      ...(m.error ? { message: m.error.detail ? `${m.error.title}: ${m.error.detail}` : m.error.title } : {}),
    })
  }
  return {
    ...out,
    status,
    sender: {
      source: SOURCES[m.authorKind] ?? m.authorKind,
      ...(m.authorKind === 'user' && m.authorId !== null ? { userId: m.authorId } : {}),
    },
  }
}
