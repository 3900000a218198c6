import { z } from 'zod'
import { findClosingCategory, findOpenConversation } from '../../conversations/conversations.repo'
import { closeLocked } from '../../conversations/conversations.service'
import { findWorkspace } from '../../workspaces/workspaces.repo'
import { defineStep } from '../step'

/**
 * Rules 41 and 77: closes the open conversation with source Workflow; the category and summary
 * are optional and are appended unless the workspace has closing notes disabled (rule 36).
 */
export const closeConversation = defineStep({
  kind: 'close_conversation',
  label: 'Close Conversation',
  configSchema: z.strictObject({
    categoryId: z.number().int().positive().nullable().default(null),
    summary: z.string().max(1000).default(''),
  }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  references: (c) =>
    c.categoryId ? [{ kind: 'category', id: c.categoryId, path: 'config.categoryId' }] : [],
  async run(s) {
    const contact = await s.contact()
    const conversation = await findOpenConversation(s.tx!, s.workspaceId, contact.id)
    if (!conversation) return { next: 'next', output: { closed: false, reason: 'No open conversation.' } }
    if (contact.blockedAt)
      return { next: 'next', output: { closed: false, reason: 'The contact is blocked.' } }
    const ws = (await findWorkspace(s.tx!, s.workspaceId))!
    const notes = ws.closingNotesMode !== 'disabled'
    const category =
      notes && s.config.categoryId
        ? await findClosingCategory(s.tx!, s.workspaceId, s.config.categoryId)
        : undefined
    const summary = notes ? (await s.interpolate(s.config.summary)).trim() || null : null
    await closeLocked(s.ctx, s.tx!, contact, conversation, {
      source: 'workflow',
      actor: s.actor,
      categoryId: category?.id ?? null,
      summary,
    })
    return {
      next: 'next',
      output: { closed: true, conversationId: conversation.id, categoryId: category?.id ?? null, summary },
    }
  },
})
