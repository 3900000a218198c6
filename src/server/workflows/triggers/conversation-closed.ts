import { z } from 'zod'
import { CLOSE_SOURCES } from '../../db/schema'
import { defineTrigger } from './trigger'

/** Rule 68: a conversation closed, optionally only by some closers and with some categories. */
export const conversationClosed = defineTrigger({
  type: 'conversation_closed',
  label: 'Conversation Closed',
  conditionsSchema: z.strictObject({
    closedBy: z
      .array(z.enum(CLOSE_SOURCES))
      .default([])
      .describe('Closed by a user, a workflow, auto-close…; empty means any.'),
    categoryIds: z
      .array(z.number().int().positive())
      .max(50)
      .default([])
      .describe('Closing-note categories; empty means any.'),
  }),
  events: ['conversation.closed'],
  oncePerContact: true,
  match: (e, c) => {
    const p = e.payload as {
      conversationId: number
      source: string
      categoryId: number | null
      summary: string | null
    }
    if (c.closedBy.length && !(c.closedBy as readonly string[]).includes(p.source)) return null
    if (c.categoryIds.length && (p.categoryId === null || !c.categoryIds.includes(p.categoryId))) return null
    return {
      conversationId: p.conversationId,
      closedBy: p.source,
      categoryId: p.categoryId,
      summary: p.summary,
    }
  },
  references: (c) =>
    c.categoryIds.map((id, i) => ({ kind: 'category', id, path: `trigger.conditions.categoryIds.${i}` })),
})
