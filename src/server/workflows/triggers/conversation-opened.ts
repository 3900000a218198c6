import { z } from 'zod'
import { OPEN_SOURCES } from '../../db/schema'
import { defineTrigger } from './trigger'

/** Rules 4–5 and 68: a conversation opened; by default only those the contact opened. */
export const conversationOpened = defineTrigger({
  type: 'conversation_opened',
  label: 'Conversation Opened',
  conditionsSchema: z.strictObject({
    sources: z
      .array(z.enum(OPEN_SOURCES))
      .min(1, 'Choose at least one source.')
      .default(['contact'])
      .describe('Who opened the conversation (rule 5); the default is the contact.'),
  }),
  events: ['conversation.opened'],
  oncePerContact: true,
  match: (e, c) => {
    const p = e.payload as { conversationId: number; source: string; channelId: number | null }
    if (!(c.sources as readonly string[]).includes(p.source)) return null
    return { conversationId: p.conversationId, source: p.source, channelId: p.channelId }
  },
})
