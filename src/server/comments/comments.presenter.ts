import { z } from 'zod'
import type { comments } from '../db/schema'

export type CommentRow = typeof comments.$inferSelect

/** A realistic example for the OpenAPI document (checked against the schemas, src/server/http/openapi.ts). */
export const COMMENT_EXAMPLE = {
  id: 5120,
  contactId: 1042,
  conversationId: 311,
  author: { kind: 'user', id: 7 },
  body: '{{@user.12}} العميلة تسأل عن الاسترجاع — can you check order 4471?',
  mentions: [12],
  createdAt: '2026-11-18T09:20:41.208Z',
} as const

export const commentOut = z
  .object({
    id: z.number(),
    contactId: z.number(),
    conversationId: z.number().nullable(),
    author: z.object({ kind: z.enum(['user', 'workflow', 'api', 'ai']), id: z.number().nullable() }),
    body: z.string(),
    /** User ids mentioned with @ (rule 50: each gets a notification). */
    mentions: z.array(z.number()),
    createdAt: z.string(),
  })
  .meta({ examples: [COMMENT_EXAMPLE] })
export type CommentOut = z.infer<typeof commentOut>

/** Public JSON of an internal comment; webhooks reuse it so the API and webhooks never drift. */
export function presentComment(c: CommentRow): CommentOut {
  return {
    id: c.id,
    contactId: c.contactId,
    conversationId: c.conversationId,
    author: { kind: c.authorKind, id: c.authorId },
    body: c.body,
    mentions: c.mentions,
    createdAt: c.createdAt.toISOString(),
  }
}
