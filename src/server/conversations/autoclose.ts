import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { type ConversationRow, updateConversation } from './conversations.repo'

export const AUTO_CLOSE_QUEUE = 'conversations.auto-close'
export const UNSNOOZE_QUEUE = 'conversations.unsnooze'

/** Rule 39 limits: 30 minutes to 14 days. */
export const AUTO_CLOSE_MIN_MINUTES = 30
export const AUTO_CLOSE_MAX_MINUTES = 14 * 24 * 60

/**
 * Rule 39: the timer runs from the last outgoing message of a human; while snoozed it waits
 * for the snooze to end (snooze takes precedence). Null means no timer.
 */
export function autoCloseDeadline(
  minutes: number | null,
  conversation: Pick<ConversationRow, 'autoCloseEligible' | 'snoozedUntil'>,
  lastHumanOutgoingAt: Date | null,
): Date | null {
  if (!minutes || !conversation.autoCloseEligible || !lastHumanOutgoingAt) return null
  const snooze = conversation.snoozedUntil
  const start = snooze && snooze.getTime() > lastHumanOutgoingAt.getTime() ? snooze : lastHumanOutgoingAt
  return new Date(start.getTime() + minutes * 60_000)
}

/**
 * Stores the deadline and enqueues a job for it in the same transaction. A job whose deadline no
 * longer matches the conversation's (reset, cancelled) does nothing when it fires.
 */
export async function armAutoClose(
  ctx: Ctx,
  tx: DbOrTx,
  conversation: ConversationRow,
  deadline: Date | null,
): Promise<void> {
  const same = (conversation.autoCloseAt?.getTime() ?? null) === (deadline?.getTime() ?? null)
  if (same) return
  await updateConversation(tx, conversation.workspaceId, conversation.id, { autoCloseAt: deadline })
  conversation.autoCloseAt = deadline
  if (deadline) {
    await ctx.jobs.enqueue(
      tx,
      AUTO_CLOSE_QUEUE,
      { workspaceId: conversation.workspaceId, conversationId: conversation.id, at: deadline.toISOString() },
      { startAfter: deadline },
    )
  }
}
