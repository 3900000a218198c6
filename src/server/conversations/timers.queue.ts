import { lockContact } from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import { SYSTEM } from '../events'
import { defineQueue } from '../jobs/jobs'
import { AUTO_CLOSE_QUEUE, UNSNOOZE_QUEUE } from './autoclose'
import { findConversation } from './conversations.repo'
import { closeLocked, endSnoozeLocked } from './conversations.service'

export type Timer = { workspaceId: number; conversationId: number; at?: string; until?: string }

/** Rule 39/40: close an idle conversation when its armed deadline is still current. */
export async function runAutoClose(ctx: Ctx, { workspaceId, conversationId, at }: Timer): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const conversation = await findConversation(tx, workspaceId, conversationId)
    if (conversation?.status !== 'open' || !conversation.autoCloseAt) return
    const contact = await lockContact(tx, workspaceId, conversation.contactId)
    const current = await findConversation(tx, workspaceId, conversationId)
    if (!contact || !current || current.status !== 'open' || current.autoCloseAt?.toISOString() !== at) return
    if (current.autoCloseAt!.getTime() > ctx.clock.now().getTime()) return
    if (current.snoozedUntil && current.snoozedUntil.getTime() > ctx.clock.now().getTime()) return
    if (contact.blockedAt) return
    await closeLocked(ctx, tx, contact, current, { source: 'auto_close', actor: SYSTEM })
  })
}

/** Rule 13: the snooze ends at its time (unless it was changed or ended since). */
export async function runUnsnooze(ctx: Ctx, { workspaceId, conversationId, until }: Timer): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const conversation = await findConversation(tx, workspaceId, conversationId)
    if (!conversation?.snoozedUntil || conversation.snoozedUntil.toISOString() !== until) return
    const contact = await lockContact(tx, workspaceId, conversation.contactId)
    const current = await findConversation(tx, workspaceId, conversationId)
    if (!contact || !current || current.status !== 'open' || current.snoozedUntil?.toISOString() !== until)
      return
    await endSnoozeLocked(tx, contact, current, 'expired', SYSTEM)
  })
}

/**
 * Durable conversation timers. Each job carries the deadline it was armed for; when a later
 * change moved or cancelled the deadline, the job finds a mismatch and does nothing.
 */
export function conversationTimerQueues(ctx: Ctx) {
  const options = { retryLimit: 5, retryDelay: 10, retryBackoff: true }
  return [
    defineQueue<Timer>({ name: AUTO_CLOSE_QUEUE, options, handler: (data) => runAutoClose(ctx, data) }),
    defineQueue<Timer>({ name: UNSNOOZE_QUEUE, options, handler: (data) => runUnsnooze(ctx, data) }),
  ]
}
