import { z } from 'zod'
import type { MessageRow } from './messages.repo'

/** A realistic example for the OpenAPI document (checked against the schemas, src/server/http/openapi.ts). */
export const MESSAGE_EXAMPLE = {
  id: 90215,
  contactId: 1042,
  conversationId: 311,
  channelId: 3,
  direction: 'out',
  author: { kind: 'user', id: 7 },
  type: 'text',
  text: 'أهلاً ليلى، طلبك رقم 4471 في الطريق وسيصل غداً إن شاء الله.',
  content: { type: 'text', text: 'أهلاً ليلى، طلبك رقم 4471 في الطريق وسيصل غداً إن شاء الله.' },
  status: 'delivered',
  error: null,
  replyToMessageId: null,
  createdAt: '2026-11-18T09:14:03.512Z',
  sentAt: '2026-11-18T09:14:04.101Z',
  deliveredAt: '2026-11-18T09:14:05.870Z',
  readAt: null,
  failedAt: null,
} as const

export const messageOut = z
  .object({
    id: z.number(),
    contactId: z.number(),
    conversationId: z.number().nullable(),
    channelId: z.number(),
    direction: z.enum(['in', 'out']),
    author: z.object({ kind: z.string(), id: z.number().nullable() }),
    type: z.string(),
    text: z.string().nullable(),
    content: z.record(z.string(), z.unknown()),
    status: z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']),
    error: z.object({ code: z.string(), title: z.string(), detail: z.string().optional() }).nullable(),
    replyToMessageId: z.number().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    readAt: z.string().nullable(),
    failedAt: z.string().nullable(),
  })
  .meta({ examples: [MESSAGE_EXAMPLE] })
export type MessageOut = z.infer<typeof messageOut>

const iso = (d: Date | null) => d?.toISOString() ?? null

/** Public JSON of a message; webhooks reuse it so the API and webhooks never drift. */
export function presentMessage(m: MessageRow): MessageOut {
  const { sendMode: _sendMode, ...content } = m.content
  return {
    id: m.id,
    contactId: m.contactId,
    conversationId: m.conversationId,
    channelId: m.channelId,
    direction: m.direction,
    author: { kind: m.authorKind, id: m.authorId },
    type: m.type,
    text: m.text,
    content,
    status: m.status,
    error: m.error ?? null,
    replyToMessageId: m.replyToMessageId,
    createdAt: m.createdAt.toISOString(),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    failedAt: iso(m.failedAt),
  }
}
