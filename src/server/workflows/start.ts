import { LIMITS, type WorkflowDefinition } from '../../shared/workflow/definition'
import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import { enroll, insertRunIfIdle, type RunRow, setEnrollmentRun } from './runs.repo'
import { triggerFor } from './triggers'
import { enqueueRun } from './wake'

export type StartInput = {
  workspaceId: number
  workflowId: number
  versionId: number
  definition: WorkflowDefinition
  contactId: number
  /** $trigger.* */
  data: Record<string, unknown>
  startedBy: { kind: 'event' | 'user' | 'webhook' | 'workflow'; id: number | null }
  depth: number
  parentRunId?: number | null
}

export type StartOutcome =
  | { started: true; run: RunRow }
  | { started: false; reason: 'once_per_contact' | 'already_running' | 'chain_too_deep' }

/**
 * Enrolls a contact in a workflow's live version, in the caller's transaction:
 * - rule 63: with "trigger once per contact", a contact ever enrolled (toggle on or off) is skipped;
 * - rule 67: a contact with an active run of this workflow is skipped (partial unique index);
 * - chains of workflows starting workflows stop at LIMITS.chainDepth.
 */
export async function startRun(ctx: Ctx, tx: Tx, s: StartInput): Promise<StartOutcome> {
  if (s.depth > LIMITS.chainDepth) return { started: false, reason: 'chain_too_deep' }
  const trigger = s.definition.trigger
  const once = trigger.oncePerContact && (triggerFor(trigger.type)?.oncePerContact ?? false)
  const first = await enroll(tx, s.workspaceId, s.workflowId, s.contactId)
  if (once && !first) return { started: false, reason: 'once_per_contact' }
  const run = await insertRunIfIdle(tx, {
    workspaceId: s.workspaceId,
    workflowId: s.workflowId,
    versionId: s.versionId,
    contactId: s.contactId,
    status: 'running',
    triggerType: trigger.type,
    startedByKind: s.startedBy.kind,
    startedById: s.startedBy.id,
    parentRunId: s.parentRunId ?? null,
    depth: s.depth,
    currentStepId: s.definition.steps[0]?.id ?? null,
    vars: { trigger: s.data },
    startedAt: ctx.clock.now(),
  })
  if (!run) return { started: false, reason: 'already_running' }
  if (first) await setEnrollmentRun(tx, s.workspaceId, s.workflowId, s.contactId, run.id)
  await enqueueRun(ctx, tx, { workspaceId: s.workspaceId, runId: run.id })
  return { started: true, run }
}
