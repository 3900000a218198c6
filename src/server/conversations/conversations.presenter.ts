import { z } from 'zod'
import type { WindowState } from '../messages/windows'
import type { ConversationRow } from './conversations.repo'
import { conversationState } from './conversations.service'

export const windowOut = z.object({
  channelId: z.number().nullable(),
  status: z.enum(['none', 'open', 'human_agent', 'expired']),
  closesAt: z.string().nullable(),
  since: z.string().nullable(),
  allows: z.string().nullable(),
  remainingOutbound: z.number().nullable(),
})

/** A realistic example for the OpenAPI document (checked against the schemas, src/server/http/openapi.ts). */
export const CONVERSATION_EXAMPLE = {
  id: 311,
  contactId: 1042,
  status: 'closed',
  state: 'closed',
  openedAt: '2026-11-18T09:12:47.000Z',
  openedSource: 'contact',
  openedByUserId: null,
  openedChannelId: 3,
  firstAssigneeUserId: 7,
  lastAssigneeUserId: 7,
  firstResponseAt: '2026-11-18T09:14:03.512Z',
  closedAt: '2026-11-18T10:02:15.330Z',
  closedSource: 'user',
  closedByUserId: 7,
  closingNote: { categoryId: 4, summary: 'تم تأكيد موعد التوصيل — delivery confirmed for Thursday.' },
  snoozedUntil: null,
  handler: 'human',
  autoCloseAt: null,
  window: {
    channelId: 3,
    status: 'open',
    closesAt: '2026-11-19T09:12:47.000Z',
    since: null,
    allows: null,
    remainingOutbound: null,
  },
} as const

export const conversationOut = z
  .object({
    id: z.number(),
    contactId: z.number(),
    status: z.enum(['open', 'closed']),
    /** Azir's states (rules 90–94): open, expired, closed, bot. */
    state: z.enum(['open', 'expired', 'closed', 'bot']),
    openedAt: z.string(),
    openedSource: z.string(),
    openedByUserId: z.number().nullable(),
    openedChannelId: z.number().nullable(),
    firstAssigneeUserId: z.number().nullable(),
    lastAssigneeUserId: z.number().nullable(),
    firstResponseAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedSource: z.string().nullable(),
    closedByUserId: z.number().nullable(),
    closingNote: z.object({ categoryId: z.number().nullable(), summary: z.string().nullable() }).nullable(),
    snoozedUntil: z.string().nullable(),
    handler: z.string(),
    autoCloseAt: z.string().nullable(),
    window: windowOut,
  })
  .meta({ examples: [CONVERSATION_EXAMPLE] })

const iso = (d: Date | null) => d?.toISOString() ?? null

export function presentWindow(channelId: number | null, w: WindowState): z.infer<typeof windowOut> {
  return {
    channelId,
    status: w.status,
    closesAt: w.status === 'open' || w.status === 'human_agent' ? w.closesAt.toISOString() : null,
    since: w.status === 'expired' ? iso(w.since) : w.status === 'human_agent' ? w.since.toISOString() : null,
    allows: w.status === 'expired' ? w.allows : w.status === 'human_agent' ? 'human_agent' : null,
    remainingOutbound: w.status === 'open' ? (w.remainingOutbound ?? null) : null,
  }
}

export function presentConversation(
  c: ConversationRow,
  window: z.infer<typeof windowOut>,
): z.infer<typeof conversationOut> {
  return {
    id: c.id,
    contactId: c.contactId,
    status: c.status,
    state: conversationState(c, window),
    openedAt: c.openedAt.toISOString(),
    openedSource: c.openedSource,
    openedByUserId: c.openedByUserId,
    openedChannelId: c.openedChannelId,
    firstAssigneeUserId: c.firstAssigneeUserId,
    lastAssigneeUserId: c.lastAssigneeUserId,
    firstResponseAt: iso(c.firstResponseAt),
    closedAt: iso(c.closedAt),
    closedSource: c.closedSource,
    closedByUserId: c.closedByUserId,
    closingNote:
      c.status === 'closed' ? { categoryId: c.closingCategoryId, summary: c.closingSummary } : null,
    snoozedUntil: iso(c.snoozedUntil),
    handler: c.handler,
    autoCloseAt: iso(c.autoCloseAt),
    window,
  }
}
