import { z } from 'zod'
import { findOpenConversation } from '../../conversations/conversations.repo'
import { openLocked } from '../../conversations/conversations.service'
import { defineStep } from '../step'

/** Rule 76: opens a conversation with source Workflow; does nothing if one is open (or the contact is blocked, rule 12). */
export const openConversation = defineStep({
  kind: 'open_conversation',
  label: 'Open Conversation',
  configSchema: z.strictObject({}),
  outcomes: () => ({ continue: 'next', branches: [] }),
  async run(s) {
    const contact = await s.contact()
    const open = await findOpenConversation(s.tx!, s.workspaceId, contact.id)
    if (open) return { next: 'next', output: { opened: false, conversationId: open.id } }
    if (contact.blockedAt)
      return { next: 'next', output: { opened: false, reason: 'The contact is blocked.' } }
    const c = await openLocked(s.ctx, s.tx!, contact, {
      source: 'workflow',
      channelId: contact.lastInteractedChannelId,
      actor: s.actor,
      workflowId: s.run.workflowId,
    })
    return { next: 'next', output: { opened: true, conversationId: c.id } }
  },
})
