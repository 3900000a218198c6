import { z } from 'zod'
import { definitionSchema, STEP_KINDS, TRIGGER_TYPES } from '../../shared/workflow/definition'
import type { Ctx } from '../context'
import type { StepLogRow } from './runs.repo'
import type { RunWithSteps } from './runs.service'
import type { CredentialRow, VersionRow, WorkflowRow } from './workflows.repo'
import type { WorkflowDetail } from './workflows.service'
import { webhookSecretOf } from './workflows.service'

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null

export const workflowSummaryOut = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  /** draft: never published; published: live; stopped: not triggering (its runs finish). */
  status: z.enum(['draft', 'published', 'stopped']),
  triggerType: z.enum(TRIGGER_TYPES),
  liveTriggerType: z.enum(TRIGGER_TYPES).nullable(),
  lastVersion: z.number(),
  /** The draft has changes the live version does not. */
  draftChanged: z.boolean(),
  templateKey: z.string().nullable(),
  activeRuns: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
})

export function presentSummary(w: WorkflowRow, activeRuns = 0): z.infer<typeof workflowSummaryOut> {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    status: w.status,
    triggerType: w.draft.trigger.type,
    liveTriggerType: (w.liveTriggerType as z.infer<typeof workflowSummaryOut>['liveTriggerType']) ?? null,
    lastVersion: w.lastVersion,
    draftChanged: w.draftChanged,
    templateKey: w.templateKey,
    activeRuns,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  }
}

export const problemOut = z.object({
  /** The step to highlight; null for the trigger or the workflow as a whole. */
  stepId: z.string().nullable(),
  path: z.string(),
  message: z.string(),
})

export const workflowDetailOut = workflowSummaryOut.extend({
  definition: definitionSchema,
  /** Rule 64: what must be completed before publishing; empty when the draft can be published. */
  problems: z.array(problemOut),
  /** Per step: the outcome that continues the sequence and the outcomes that have branch slots. */
  outcomes: z.record(
    z.string(),
    z.object({ continue: z.string().nullable(), branches: z.array(z.string()) }),
  ),
  liveVersion: z.number().nullable(),
  /** Incoming Webhook trigger: POST JSON here (or to `url` without the secret, with X-Webhook-Secret). */
  webhook: z.object({ url: z.string(), secret: z.string(), header: z.literal('X-Webhook-Secret') }),
})

export function webhookUrl(ctx: Ctx, w: WorkflowRow) {
  return `${ctx.config.publicUrl}/api/v1/workflow-hooks/${w.workspaceId}/${w.id}`
}

export function presentDetail(ctx: Ctx, d: WorkflowDetail): z.infer<typeof workflowDetailOut> {
  const secret = webhookSecretOf(ctx, d.workflow)
  return {
    ...presentSummary(d.workflow, d.activeRuns),
    definition: d.workflow.draft,
    problems: d.problems,
    outcomes: d.outcomes,
    liveVersion: d.liveVersion,
    webhook: { url: `${webhookUrl(ctx, d.workflow)}/${secret}`, secret, header: 'X-Webhook-Secret' },
  }
}

export const versionOut = z.object({
  version: z.number(),
  publishedAt: z.string(),
  publishedByUserId: z.number().nullable(),
})
export const versionDetailOut = versionOut.extend({ definition: definitionSchema })

export function presentVersion(v: Pick<VersionRow, 'version' | 'publishedAt' | 'publishedByUserId'>) {
  return {
    version: v.version,
    publishedAt: v.publishedAt.toISOString(),
    publishedByUserId: v.publishedByUserId,
  }
}

export const stepLogOut = z.object({
  id: z.number(),
  stepId: z.string(),
  kind: z.enum(STEP_KINDS),
  visit: z.number(),
  attempt: z.number(),
  status: z.enum(['running', 'waiting', 'done', 'skipped', 'error']),
  input: z.record(z.string(), z.unknown()).nullable(),
  output: z.record(z.string(), z.unknown()).nullable(),
  /** The outcome taken: the continue outcome, a branch, "jump" or "stop". */
  branch: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
})

export function presentStepLog(l: StepLogRow): z.infer<typeof stepLogOut> {
  return {
    id: l.id,
    stepId: l.stepId,
    kind: l.kind as z.infer<typeof stepLogOut>['kind'],
    visit: l.visit,
    attempt: l.attempt,
    status: l.status,
    input: l.input ?? null,
    output: l.output ?? null,
    branch: l.branch,
    error: l.error,
    startedAt: l.startedAt.toISOString(),
    finishedAt: iso(l.finishedAt),
    durationMs: l.finishedAt ? l.finishedAt.getTime() - l.startedAt.getTime() : null,
  }
}

export const runOut = z.object({
  id: z.number(),
  workflowId: z.number(),
  versionId: z.number(),
  contactId: z.number(),
  status: z.enum(['running', 'waiting', 'completed', 'failed', 'cancelled']),
  triggerType: z.string(),
  startedBy: z.object({ kind: z.string(), id: z.number().nullable() }),
  parentRunId: z.number().nullable(),
  depth: z.number(),
  currentStepId: z.string().nullable(),
  /** What a waiting run waits for. */
  waiting: z
    .object({
      for: z.enum(['timer', 'reply', 'message_status', 'assignment']),
      until: z.string().nullable(),
      messageId: z.number().nullable(),
    })
    .nullable(),
  variables: z.record(z.string(), z.unknown()),
  stepsExecuted: z.number(),
  error: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  steps: z.array(stepLogOut),
})

export function presentRun({ run, steps }: RunWithSteps): z.infer<typeof runOut> {
  return {
    id: run.id,
    workflowId: run.workflowId,
    versionId: run.versionId,
    contactId: run.contactId,
    status: run.status,
    triggerType: run.triggerType,
    startedBy: { kind: run.startedByKind, id: run.startedById },
    parentRunId: run.parentRunId,
    depth: run.depth,
    currentStepId: run.currentStepId,
    waiting:
      run.status === 'waiting' && run.waitKind
        ? { for: run.waitKind, until: iso(run.waitUntil), messageId: run.waitMessageId }
        : null,
    variables: run.vars,
    stepsExecuted: run.stepsExecuted,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    endedAt: iso(run.endedAt),
    steps: steps.map(presentStepLog),
  }
}

export const credentialOut = z.object({
  id: z.number(),
  kind: z.enum(['google_service_account', 'meta_conversions', 'tiktok_events']),
  name: z.string(),
  /** What may be shown (client email, dataset id, base URLs); keys and tokens never are. */
  details: z.record(z.string(), z.string()),
  createdAt: z.string(),
})

export function presentCredential(c: CredentialRow): z.infer<typeof credentialOut> {
  return { id: c.id, kind: c.kind, name: c.name, details: c.details, createdAt: c.createdAt.toISOString() }
}
