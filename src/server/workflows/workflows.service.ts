import {
  EXPORT_FORMAT,
  emptyDefinition,
  LIMITS,
  type WorkflowDefinition,
  type WorkflowExport,
} from '../../shared/workflow/definition'
import { countSteps } from '../../shared/workflow/tree'
import { decryptSecret, encryptSecret, randomToken, safeEqual } from '../auth/crypto'
import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../errors'
import { finishRun } from './engine'
import { activeRunIdsOfWorkflow, countActiveRuns, lockRun } from './runs.repo'
import { workflowSchemas } from './schema'
import { TEMPLATES, templateByKey } from './templates'
import { findProblems, normalizeDefinition, outcomesOf, type Problem, parseDefinition } from './validate'
import {
  countWorkflows,
  deleteWorkflow,
  findVersion,
  findVersionByNumber,
  findWorkflow,
  insertVersion,
  insertWorkflow,
  listVersions,
  listWorkflows,
  lockWorkflowCreation,
  updateWorkflow,
  type WorkflowRow,
} from './workflows.repo'

const sealWebhookSecret = (ctx: Ctx) => encryptSecret(ctx.config.secret, randomToken(24))

/** The workflow's incoming-webhook secret (rule 68), shown to managers in the builder. */
export function webhookSecretOf(ctx: Ctx, w: WorkflowRow): string {
  return decryptSecret(ctx.config.secret, w.webhookSecret)
}

export function webhookSecretMatches(ctx: Ctx, w: WorkflowRow, given: string): boolean {
  return safeEqual(webhookSecretOf(ctx, w), given)
}

async function mustFind(ctx: Ctx, p: Principal, id: number, lock = false, db = ctx.db) {
  const w = await findWorkflow(db, p.workspaceId, id, { lock })
  if (!w) throw new NotFoundError('Workflow')
  return w
}

export async function listAllWorkflows(ctx: Ctx, p: Principal) {
  authorize(p, 'workflows.manage')
  const [rows, active] = await Promise.all([
    listWorkflows(ctx.db, p.workspaceId),
    countActiveRuns(ctx.db, p.workspaceId),
  ])
  return rows.map((w) => ({ workflow: w, activeRuns: active.get(w.id) ?? 0 }))
}

export type CreateInput = {
  name: string
  description?: string | undefined
  definition?: unknown
  templateKey?: string | undefined
}

/** Rules 61 and 64: at most 100 workflows per workspace; a new workflow is a draft. */
export async function createWorkflow(ctx: Ctx, p: Principal, input: CreateInput): Promise<WorkflowRow> {
  authorize(p, 'workflows.manage')
  let definition: WorkflowDefinition = emptyDefinition()
  if (input.templateKey) {
    const t = templateByKey(input.templateKey)
    if (!t)
      throw new ValidationError('Unknown template.', [{ path: 'templateKey', message: 'No such template.' }])
    definition = t.build()
  } else if (input.definition !== undefined) definition = parseDefinition(input.definition)
  return ctx.db.transaction(async (tx) => {
    await lockWorkflowCreation(tx, p.workspaceId)
    if ((await countWorkflows(tx, p.workspaceId)) >= LIMITS.workflowsPerWorkspace)
      throw new ConflictError(
        `A workspace has at most ${LIMITS.workflowsPerWorkspace} workflows; delete one to add another.`,
        'limit_reached',
      )
    return insertWorkflow(tx, {
      workspaceId: p.workspaceId,
      name: input.name,
      description: input.description ?? '',
      draft: definition,
      webhookSecret: sealWebhookSecret(ctx),
      templateKey: input.templateKey ?? null,
      createdByUserId: p.kind === 'user' ? p.userId : null,
    })
  })
}

export type WorkflowDetail = {
  workflow: WorkflowRow
  problems: Problem[]
  outcomes: ReturnType<typeof outcomesOf>
  liveVersion: number | null
  activeRuns: number
}

async function detail(ctx: Ctx, w: WorkflowRow): Promise<WorkflowDetail> {
  const live = w.liveVersionId ? await findVersion(ctx.db, w.workspaceId, w.liveVersionId) : undefined
  return {
    workflow: w,
    problems: await findProblems(ctx.db, w.workspaceId, w.id, w.draft),
    outcomes: outcomesOf(w.draft),
    liveVersion: live?.version ?? null,
    activeRuns: (await countActiveRuns(ctx.db, w.workspaceId, w.id)).get(w.id) ?? 0,
  }
}

export async function getWorkflow(ctx: Ctx, p: Principal, id: number): Promise<WorkflowDetail> {
  authorize(p, 'workflows.manage')
  return detail(ctx, await mustFind(ctx, p, id))
}

/** Saves the whole draft (rule 65's operations happen in the builder); incomplete steps are allowed. */
export async function saveDraft(ctx: Ctx, p: Principal, id: number, input: unknown): Promise<WorkflowDetail> {
  authorize(p, 'workflows.manage')
  const definition = parseDefinition(input)
  const w = await ctx.db.transaction(async (tx) => {
    await mustFind(ctx, p, id, true, tx)
    return (await updateWorkflow(tx, p.workspaceId, id, { draft: definition, draftChanged: true }))!
  })
  return detail(ctx, w)
}

export async function editWorkflow(
  ctx: Ctx,
  p: Principal,
  id: number,
  input: { name?: string | undefined; description?: string | undefined },
): Promise<WorkflowDetail> {
  authorize(p, 'workflows.manage')
  await mustFind(ctx, p, id)
  const w = (await updateWorkflow(ctx.db, p.workspaceId, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  }))!
  return detail(ctx, w)
}

/**
 * Publishes the draft as a new immutable version (rule 64: only once nothing is incomplete).
 * Running contacts stay on the version they started on. Publishing a stopped workflow whose
 * draft did not change makes its live version active again.
 */
export async function publishWorkflow(ctx: Ctx, p: Principal, id: number): Promise<WorkflowDetail> {
  authorize(p, 'workflows.manage')
  const w = await ctx.db.transaction(async (tx) => {
    const w = await mustFind(ctx, p, id, true, tx)
    if (!w.draftChanged && w.liveVersionId)
      return (await updateWorkflow(tx, p.workspaceId, id, { status: 'published' }))!
    const problems = await findProblems(tx, p.workspaceId, id, w.draft)
    if (problems.length)
      throw new UnprocessableError(
        `Complete the workflow before publishing: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`,
        'workflow_incomplete',
        problems.map((x) => ({
          path: x.stepId ? `steps.${x.stepId}${x.path ? `.${x.path}` : ''}` : x.path,
          message: x.message,
        })),
      )
    const version = await insertVersion(tx, {
      workspaceId: p.workspaceId,
      workflowId: id,
      version: w.lastVersion + 1,
      definition: normalizeDefinition(w.draft),
      publishedByUserId: p.kind === 'user' ? p.userId : null,
    })
    return (await updateWorkflow(tx, p.workspaceId, id, {
      status: 'published',
      liveVersionId: version.id,
      liveTriggerType: w.draft.trigger.type,
      lastVersion: version.version,
      draftChanged: false,
    }))!
  })
  return detail(ctx, w)
}

/** Stops triggering; contacts already in the workflow finish their run. */
export async function stopWorkflow(ctx: Ctx, p: Principal, id: number): Promise<WorkflowDetail> {
  authorize(p, 'workflows.manage')
  const w = await mustFind(ctx, p, id)
  if (w.status !== 'published') throw new ConflictError('The workflow is not published.', 'not_published')
  return detail(ctx, (await updateWorkflow(ctx.db, p.workspaceId, id, { status: 'stopped' }))!)
}

/** Throws away the draft's changes: the draft becomes the live version again. */
export async function discardDraft(ctx: Ctx, p: Principal, id: number): Promise<WorkflowDetail> {
  authorize(p, 'workflows.manage')
  const w = await mustFind(ctx, p, id)
  if (!w.liveVersionId)
    throw new ConflictError(
      'The workflow was never published; there is nothing to go back to.',
      'never_published',
    )
  const live = (await findVersion(ctx.db, p.workspaceId, w.liveVersionId))!
  return detail(
    ctx,
    (await updateWorkflow(ctx.db, p.workspaceId, id, { draft: live.definition, draftChanged: false }))!,
  )
}

/** Deletes a workflow; its active runs are cancelled first (and conversations handed back). */
export async function removeWorkflow(ctx: Ctx, p: Principal, id: number): Promise<void> {
  authorize(p, 'workflows.manage')
  await ctx.db.transaction(async (tx) => {
    await mustFind(ctx, p, id, true, tx)
    for (const runId of await activeRunIdsOfWorkflow(tx, p.workspaceId, id)) {
      const run = await lockRun(tx, p.workspaceId, runId)
      if (run && !run.endedAt)
        await finishRun(ctx, tx, run, 'cancelled', { error: 'The workflow was deleted.' })
    }
    await deleteWorkflow(tx, p.workspaceId, id)
  })
  ctx.log.info({ workflowId: id, actor: actorOf(p) }, 'workflow deleted')
}

export async function versionsOf(ctx: Ctx, p: Principal, id: number) {
  authorize(p, 'workflows.manage')
  await mustFind(ctx, p, id)
  return listVersions(ctx.db, p.workspaceId, id)
}

export async function versionOf(ctx: Ctx, p: Principal, id: number, version: number) {
  authorize(p, 'workflows.manage')
  await mustFind(ctx, p, id)
  const v = await findVersionByNumber(ctx.db, p.workspaceId, id, version)
  if (!v) throw new NotFoundError('Version')
  return v
}

/** Export: the draft as a file another workspace can import (references are checked there). */
export async function exportWorkflow(ctx: Ctx, p: Principal, id: number): Promise<WorkflowExport> {
  authorize(p, 'workflows.manage')
  const w = await mustFind(ctx, p, id)
  return {
    format: EXPORT_FORMAT,
    formatVersion: 1,
    name: w.name,
    description: w.description,
    definition: w.draft,
  }
}

/** Import: a new draft; ids of tags, users, channels… that this workspace lacks show as problems. */
export async function importWorkflow(
  ctx: Ctx,
  p: Principal,
  file: WorkflowExport,
  name?: string,
): Promise<WorkflowRow> {
  return createWorkflow(ctx, p, {
    name: name ?? file.name,
    description: file.description,
    definition: file.definition,
  })
}

export async function rotateWebhookSecret(ctx: Ctx, p: Principal, id: number): Promise<WorkflowRow> {
  authorize(p, 'workflows.manage')
  await mustFind(ctx, p, id)
  return (await updateWorkflow(ctx.db, p.workspaceId, id, { webhookSecret: sealWebhookSecret(ctx) }))!
}

export function listTemplates(p: Principal) {
  authorize(p, 'workflows.manage')
  return TEMPLATES.map((t) => {
    const d = t.build()
    return {
      key: t.key,
      name: t.name,
      description: t.description,
      triggerType: d.trigger.type,
      steps: countSteps(d.steps),
    }
  })
}

export function builderSchemas(p: Principal) {
  authorize(p, 'workflows.manage')
  return workflowSchemas()
}
