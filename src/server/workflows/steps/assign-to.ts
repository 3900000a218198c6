import { z } from 'zod'
import { setAssignee } from '../../contacts/assignment'
import type { ContactRow } from '../../contacts/contacts.repo'
import { findOpenConversation, updateConversation } from '../../conversations/conversations.repo'
import { emit } from '../../events'
import { openContactCounts } from '../../presence/presence.repo'
import { findMember } from '../../users/users.repo'
import { onlineMembers, pickAssignee } from '../assignees'
import { durationMs, durationSchema } from '../duration'
import { assignableMembers } from '../lookups.repo'
import { defineStep, type StepContext } from '../step'
import { lockStepState, saveStepState } from '../workflows.repo'

const id = z.number().int().positive()

const configSchema = z
  .strictObject({
    /** Rule 24: a specific user, a user in a team, a user in the workspace, or unassign. */
    action: z.enum(['user', 'team', 'workspace', 'unassign']),
    userId: id.optional(),
    teamId: id.optional(),
    /** Rule 25, for team and workspace: round robin or least open contacts. */
    logic: z.enum(['round_robin', 'least_open']).default('round_robin'),
    /** Rule 26: only users who are online… */
    onlineOnly: z.boolean().default(false),
    /** …and only users with fewer than this many open contacts. */
    maxOpenContacts: z.number().int().min(1).max(10_000).optional(),
    /** Rule 27: the contact must be assigned within this time, else the Timeout branch. */
    timeout: durationSchema(7 * 86_400_000, 'The timeout').optional(),
  })
  .refine((c) => c.action !== 'user' || c.userId !== undefined, {
    message: 'Choose a user.',
    path: ['userId'],
  })
  .refine((c) => c.action !== 'team' || c.teamId !== undefined, {
    message: 'Choose a team.',
    path: ['teamId'],
  })
type Config = z.infer<typeof configSchema>

/** Between attempts while waiting for someone assignable (bounded by the timeout). */
const RETRY_MS = 30_000

async function assign(s: StepContext<Config>, contact: ContactRow, userId: number | null, reason: string) {
  await setAssignee(s.ctx, s.tx!, contact, userId, s.actor, reason)
  // Rule 93: a person now handles the conversation.
  const conversation = await findOpenConversation(s.tx!, s.workspaceId, contact.id)
  if (userId !== null && conversation?.handler === 'workflow')
    await updateConversation(s.tx!, s.workspaceId, conversation.id, { handler: 'human' })
}

type Choice =
  | { userId: number; candidates: number }
  | { userId: null; reason: 'no_user' | 'no_online_user' | 'all_at_capacity' }

/** The user to assign now, or why nobody meets the filters. Moves the round-robin pointer. */
async function choose(s: StepContext<Config>): Promise<Choice> {
  const c = s.config
  const tx = s.tx!
  let candidates = await assignableMembers(tx, s.workspaceId, c.action === 'team' ? c.teamId : undefined)
  if (candidates.length === 0) return { userId: null, reason: 'no_user' }
  if (c.onlineOnly) {
    const online = await onlineMembers(tx, s.workspaceId)
    candidates = candidates.filter((u) => online.has(u))
    if (candidates.length === 0) return { userId: null, reason: 'no_online_user' }
  }
  const counts =
    c.maxOpenContacts !== undefined || c.logic === 'least_open'
      ? await openContactCounts(tx, s.workspaceId)
      : new Map<number, number>()
  if (c.maxOpenContacts !== undefined) {
    candidates = candidates.filter((u) => (counts.get(u) ?? 0) < c.maxOpenContacts!)
    if (candidates.length === 0) return { userId: null, reason: 'all_at_capacity' }
  }
  // The pointer is shared by every run of this step: locked, so concurrent runs take turns.
  const state = await lockStepState(tx, s.workspaceId, s.run.workflowId, s.step.id)
  const last = typeof state.lastUserId === 'number' ? state.lastUserId : null
  const userId = pickAssignee(candidates, { logic: c.logic, last, counts })
  if (userId === null) return { userId: null, reason: 'no_user' }
  await saveStepState(tx, s.workspaceId, s.run.workflowId, s.step.id, { lastUserId: userId })
  return { userId, candidates: candidates.length }
}

async function assignmentFailed(s: StepContext<Config>, contact: ContactRow, reason: string) {
  const conversation = await findOpenConversation(s.tx!, s.workspaceId, contact.id)
  // Rule 28: the contact stays unassigned and a "Failed to Assign" event is logged.
  if (conversation)
    await emit(s.tx!, s.workspaceId, s.actor, {
      type: 'conversation.assignment_failed',
      payload: { contactId: contact.id, conversationId: conversation.id, reason },
    })
}

/**
 * Rules 24–28. When nobody can be assigned: with a timeout the step keeps trying until it ends
 * (then assignment_failed and the Timeout branch); without one, assignment_failed at once and the
 * contact proceeds unassigned.
 */
export const assignTo = defineStep({
  kind: 'assign_to',
  label: 'Assign To',
  configSchema,
  outcomes: (c) => ({ continue: 'next', branches: c.timeout ? ['timeout'] : [] }),
  references: (c) => [
    ...(c.action === 'user' && c.userId
      ? [{ kind: 'user' as const, id: c.userId, path: 'config.userId' }]
      : []),
    ...(c.action === 'team' && c.teamId
      ? [{ kind: 'team' as const, id: c.teamId, path: 'config.teamId' }]
      : []),
  ],
  async run(s) {
    const c = s.config
    const contact = await s.contact()
    if (c.action === 'unassign') {
      await assign(s, contact, null, 'unassigned_by_workflow')
      return { next: 'next', output: { assigned: null } }
    }
    if (c.action === 'user') {
      if (await findMember(s.tx!, s.workspaceId, c.userId!)) {
        await assign(s, contact, c.userId!, 'assigned_by_workflow')
        return { next: 'next', output: { assigned: c.userId } }
      }
      await assignmentFailed(s, contact, 'not_a_member')
      return {
        next: c.timeout ? 'timeout' : 'next',
        output: { assigned: null, reason: 'The user is no longer a member.' },
      }
    }
    const deadline =
      s.resume?.kind === 'timer'
        ? Number(s.resume.state.deadline)
        : c.timeout
          ? s.now.getTime() + durationMs(c.timeout)
          : 0
    if (s.resume && contact.assigneeUserId !== null && contact.assigneeUserId !== s.resume.state.before) {
      // Someone assigned the contact while this step waited.
      return { next: 'next', output: { assigned: contact.assigneeUserId, by: 'someone_else' } }
    }
    const picked = await choose(s)
    if (picked.userId !== null) {
      await assign(
        s,
        contact,
        picked.userId,
        c.logic === 'least_open' ? 'least_open_contacts' : 'round_robin',
      )
      return { next: 'next', output: { assigned: picked.userId, candidates: picked.candidates } }
    }
    const reason = picked.reason
    if (c.timeout && s.now.getTime() < deadline) {
      const retry = Math.min(
        deadline,
        s.now.getTime() + Math.max(2000, Math.min(RETRY_MS, durationMs(c.timeout) / 6)),
      )
      return {
        wait: { for: 'assignment', until: new Date(retry) },
        state: { deadline, before: contact.assigneeUserId },
        output: { assigned: null, reason, retryAt: new Date(retry).toISOString() },
      }
    }
    await assignmentFailed(s, contact, reason)
    return { next: c.timeout ? 'timeout' : 'next', output: { assigned: null, reason } }
  },
})
