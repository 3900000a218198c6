import type { Ctx } from '../context'
import { armAutoClose, autoCloseDeadline } from '../conversations/autoclose'
import { findOpenConversation, updateConversation } from '../conversations/conversations.repo'
import type { Tx } from '../db/database'
import { type Actor, emit } from '../events'
import { lastMessageAtByUser } from '../messages/messages.repo'
import { notify } from '../notifications/notify'
import { findWorkspace } from '../workspaces/workspaces.repo'
import { type ContactRow, teamOfUser, updateContact } from './contacts.repo'

/**
 * Sets (or clears) a contact's assignee. Assignment lives on the contact and survives closing
 * (rule 32); the open conversation snapshots first and last assignee for reports. The caller has
 * locked the contact and checked permissions.
 */
export async function setAssignee(
  ctx: Ctx,
  tx: Tx,
  contact: ContactRow,
  to: number | null,
  actor: Actor,
  reason: string,
): Promise<ContactRow> {
  if (contact.assigneeUserId === to) return contact
  const ws = contact.workspaceId
  const teamId = to === null ? null : await teamOfUser(tx, ws, to)
  const updated = (await updateContact(tx, ws, contact.id, { assigneeUserId: to, assigneeTeamId: teamId }))!
  const conversation = await findOpenConversation(tx, ws, contact.id)
  if (conversation && to !== null) {
    const snap = await updateConversation(tx, ws, conversation.id, {
      lastAssigneeUserId: to,
      ...(conversation.firstAssigneeUserId === null ? { firstAssigneeUserId: to } : {}),
    })
    // Rule 39: reassigning to a human restarts the timer from that person's latest outgoing message.
    if (snap!.autoCloseEligible) {
      const last = await lastMessageAtByUser(tx, ws, conversation.id, to)
      const workspace = await findWorkspace(tx, ws)
      await armAutoClose(ctx, tx, snap!, autoCloseDeadline(workspace!.autoCloseMinutes, snap!, last))
    }
  }
  await emit(tx, ws, actor, {
    type: 'contact.assignee_updated',
    payload: {
      contactId: contact.id,
      from: contact.assigneeUserId,
      to,
      reason,
      conversationId: conversation?.id ?? null,
    },
  })
  if (to !== null && !(actor.kind === 'user' && actor.id === to)) {
    await notify(tx, ws, actor, {
      userId: to,
      kind: 'assignment',
      contactId: contact.id,
      conversationId: conversation?.id ?? null,
    })
  }
  return updated
}
