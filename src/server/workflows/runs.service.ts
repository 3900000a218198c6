import { readPath } from '../../shared/workflow/variables'
import { actorOf, authorize, type Principal } from '../auth/principal'
import {
  defaultLifecycleStageId,
  findContact,
  findFirstContactBy,
  insertContact,
} from '../contacts/contacts.repo'
import { isDate } from '../contacts/fields.values'
import { normalizeEmail, normalizePhone } from '../contacts/standard-fields'
import { assertCanSee } from '../contacts/visibility'
import type { Ctx } from '../context'
import type { RunStatus } from '../db/schema'
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../errors'
import { emit } from '../events'
import { dryRun } from './dry-run'
import { finishRun } from './engine'
import { findRun, listRuns, lockRun, type RunRow, type StepLogRow, stepLogsOf } from './runs.repo'
import { startRun } from './start'
import type { DryChoice } from './step'
import { type FormField, shortcut } from './triggers/shortcut'
import { findVersion, findWorkflow, liveWorkflowsByTrigger, type WorkflowRow } from './workflows.repo'
import { webhookSecretMatches } from './workflows.service'

export type RunWithSteps = { run: RunRow; steps: StepLogRow[] }

async function withSteps(ctx: Ctx, workspaceId: number, runs: RunRow[]): Promise<RunWithSteps[]> {
  const logs = await stepLogsOf(
    ctx.db,
    workspaceId,
    runs.map((r) => r.id),
  )
  return runs.map((run) => ({ run, steps: logs.filter((l) => l.runId === run.id) }))
}

/** Runs of a workflow or of a contact, newest first, each with its step log. */
export async function listWorkflowRuns(
  ctx: Ctx,
  p: Principal,
  f: {
    workflowId?: number | undefined
    contactId?: number | undefined
    status?: RunStatus | undefined
    before?: number | undefined
    limit: number
  },
) {
  authorize(p, 'workflows.manage')
  if (f.workflowId && !(await findWorkflow(ctx.db, p.workspaceId, f.workflowId)))
    throw new NotFoundError('Workflow')
  if (f.contactId && !(await findContact(ctx.db, p.workspaceId, f.contactId)))
    throw new NotFoundError('Contact')
  const runs = await listRuns(ctx.db, p.workspaceId, f)
  return {
    runs: await withSteps(ctx, p.workspaceId, runs),
    nextBefore: runs.length === f.limit ? runs.at(-1)!.id : null,
  }
}

export async function getRun(ctx: Ctx, p: Principal, runId: number): Promise<RunWithSteps> {
  authorize(p, 'workflows.manage')
  const run = await findRun(ctx.db, p.workspaceId, runId)
  if (!run) throw new NotFoundError('Run')
  return (await withSteps(ctx, p.workspaceId, [run]))[0]!
}

/** Takes a contact out of a workflow now (its timers find nothing left to do). */
export async function cancelRun(ctx: Ctx, p: Principal, runId: number): Promise<RunWithSteps> {
  authorize(p, 'workflows.manage')
  await ctx.db.transaction(async (tx) => {
    const run = await lockRun(tx, p.workspaceId, runId)
    if (!run) throw new NotFoundError('Run')
    if (run.endedAt) throw new ConflictError('This run has already ended.', 'run_ended')
    await finishRun(ctx, tx, run, 'cancelled', { error: `Cancelled by ${actorOf(p).kind} ${actorOf(p).id}.` })
  })
  return getRun(ctx, p, runId)
}

async function liveDefinition(ctx: Ctx, w: WorkflowRow) {
  if (w.status !== 'published' || !w.liveVersionId) return undefined
  return findVersion(ctx.db, w.workspaceId, w.liveVersionId)
}

/** Rule 51: the shortcuts a user may start from the inbox (published, Shortcut trigger). */
export async function listShortcuts(ctx: Ctx, p: Principal) {
  authorize(p, 'inbox.view')
  authorize(p, 'shortcuts.use')
  // One query for the workflows and their live versions (was one version read per shortcut).
  const live = await liveWorkflowsByTrigger(ctx.db, p.workspaceId, ['shortcut'], 'name')
  return live.map(({ workflow, version }) => ({
    workflow,
    form: (version.definition.trigger.conditions.form ?? []) as FormField[],
  }))
}

const formOf = (conditions: Record<string, unknown>): FormField[] =>
  shortcut.conditionsSchema.parse(conditions).form

function checkForm(form: FormField[], values: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {}
  const problems: { path: string; message: string }[] = []
  for (const f of form) {
    const raw = values[f.key]
    const text = raw === undefined || raw === null ? '' : String(raw).trim()
    if (!text) {
      if (f.required) problems.push({ path: `values.${f.key}`, message: `${f.label} is required.` })
      continue
    }
    switch (f.type) {
      case 'number':
        if (!/^-?\d+(\.\d+)?$/.test(text))
          problems.push({ path: `values.${f.key}`, message: 'Expected a number.' })
        else data[f.key] = Number(text)
        break
      case 'email': {
        const r = normalizeEmail(text)
        if (r.ok) data[f.key] = r.value
        else problems.push({ path: `values.${f.key}`, message: r.message })
        break
      }
      case 'phone': {
        const r = normalizePhone(text)
        if (r.ok) data[f.key] = r.value.e164
        else problems.push({ path: `values.${f.key}`, message: r.message })
        break
      }
      case 'date':
        if (isDate(text)) data[f.key] = text
        else problems.push({ path: `values.${f.key}`, message: 'Expected a date as YYYY-MM-DD.' })
        break
      case 'select':
        if (f.options?.includes(text)) data[f.key] = text
        else problems.push({ path: `values.${f.key}`, message: `One of: ${f.options?.join(', ')}.` })
        break
      default:
        data[f.key] = text.slice(0, 2000)
    }
  }
  if (problems.length) throw new ValidationError(problems.map((x) => x.message).join(' '), problems)
  return data
}

const SKIPPED: Record<string, string> = {
  already_running: 'This contact is already in this workflow.',
  once_per_contact: 'This workflow runs only once per contact, and this contact was already enrolled.',
  chain_too_deep: 'Too many workflows started one another.',
}

/**
 * Rule 68 Shortcut: a user starts the workflow on a contact they can see, with the form's
 * answers as $trigger.<key>. Agents restricted from shortcuts cannot (rule 51).
 */
export async function startShortcut(
  ctx: Ctx,
  p: Principal,
  workflowId: number,
  contactId: number,
  values: Record<string, unknown>,
): Promise<RunRow> {
  authorize(p, 'inbox.view')
  authorize(p, 'shortcuts.use')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  const w = await findWorkflow(ctx.db, p.workspaceId, workflowId)
  const v = w ? await liveDefinition(ctx, w) : undefined
  if (!w || !v || v.definition.trigger.type !== 'shortcut') throw new NotFoundError('Shortcut')
  const data = checkForm(formOf(v.definition.trigger.conditions), values)
  return ctx.db.transaction(async (tx) => {
    const r = await startRun(ctx, tx, {
      workspaceId: p.workspaceId,
      workflowId,
      versionId: v.id,
      definition: v.definition,
      contactId,
      data,
      startedBy: { kind: 'user', id: p.kind === 'user' ? p.userId : null },
      depth: 0,
    })
    if (!r.started) throw new ConflictError(SKIPPED[r.reason]!, r.reason)
    return r.run
  })
}

export type WebhookOutcome =
  | { started: true; runId: number; contactId: number; contactCreated: boolean }
  | { started: false; reason: string; contactId: number | null }

/**
 * Rule 68 Incoming Webhook (proposal): the JSON body identifies the contact by phone, email or
 * contactId; a contact that does not exist is created (phone or email) unless the trigger says
 * not to; the body becomes $trigger.*. Runs start in the request's transaction (nothing leaves the process).
 */
export async function receiveWebhook(
  ctx: Ctx,
  workspaceId: number,
  workflowId: number,
  secret: string,
  body: unknown,
): Promise<WebhookOutcome> {
  const w = await findWorkflow(ctx.db, workspaceId, workflowId)
  // The same answer for an unknown workflow and a wrong secret: nothing to learn by guessing.
  if (!w || !secret || !webhookSecretMatches(ctx, w, secret)) throw new NotFoundError('Webhook')
  const v = await liveDefinition(ctx, w)
  if (v?.definition.trigger.type !== 'incoming_webhook')
    throw new ConflictError(
      'This workflow is not published with an Incoming Webhook trigger.',
      'not_listening',
    )
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('Send a JSON object.', [{ path: 'body', message: 'Expected a JSON object.' }])
  const c = v.definition.trigger.conditions as {
    identifyBy?: 'phone' | 'email' | 'contactId'
    path?: string
    createContact?: boolean
  }
  const by = c.identifyBy ?? 'phone'
  const raw = readPath(body, (c.path ?? by).split('.'))
  const where = c.path ?? by
  let match:
    | { by: 'phone' | 'email'; value: string; country: string | null }
    | { by: 'contactId'; value: number }
  if (by === 'contactId') {
    const n = Number(raw)
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new UnprocessableError(`The body needs the contact id at "${where}".`, 'no_contact', [
        { path: where, message: 'Expected a contact id.' },
      ])
    match = { by, value: n }
  } else {
    const r = by === 'phone' ? normalizePhone(String(raw ?? '')) : normalizeEmail(String(raw ?? ''))
    if (raw === undefined || raw === null || !r.ok)
      throw new UnprocessableError(`The body needs a valid ${by} at "${where}".`, 'no_contact', [
        { path: where, message: r.ok ? 'Required.' : r.message },
      ])
    match =
      typeof r.value === 'string'
        ? { by, value: r.value, country: null }
        : { by, value: r.value.e164, country: r.value.country }
  }
  const actor = { kind: 'workflow' as const, id: workflowId }
  return ctx.db.transaction(async (tx) => {
    let contact =
      match.by === 'contactId'
        ? await findContact(tx, workspaceId, match.value)
        : await findFirstContactBy(
            tx,
            workspaceId,
            match.by === 'phone' ? { phone: match.value } : { email: match.value },
          )
    let created = false
    if (!contact) {
      if (match.by === 'contactId' || c.createContact === false)
        throw new UnprocessableError('No contact matches.', 'contact_not_found')
      const b = body as Record<string, unknown>
      const first =
        typeof b.firstName === 'string' ? b.firstName : typeof b.first_name === 'string' ? b.first_name : ''
      const last =
        typeof b.lastName === 'string' ? b.lastName : typeof b.last_name === 'string' ? b.last_name : ''
      contact = await insertContact(tx, {
        workspaceId,
        firstName: first.slice(0, 100),
        lastName: last.slice(0, 100),
        ...(match.by === 'phone' ? { phone: match.value, country: match.country } : { email: match.value }),
        lifecycleStageId: await defaultLifecycleStageId(tx, workspaceId),
      })
      created = true
      await emit(tx, workspaceId, actor, {
        type: 'contact.created',
        payload: { contactId: contact.id, source: 'workflow' },
      })
    }
    const r = await startRun(ctx, tx, {
      workspaceId,
      workflowId,
      versionId: v.id,
      definition: v.definition,
      contactId: contact.id,
      data: body as Record<string, unknown>,
      startedBy: { kind: 'webhook', id: null },
      depth: 0,
    })
    return r.started
      ? { started: true as const, runId: r.run.id, contactId: contact.id, contactCreated: created }
      : { started: false as const, reason: r.reason, contactId: contact.id }
  })
}

/** The builder's test run (see dry-run.ts): no side effects, every step's would-be action. */
export async function testRun(
  ctx: Ctx,
  p: Principal,
  workflowId: number,
  input: {
    contactId: number
    version: 'draft' | 'live'
    trigger?: Record<string, unknown> | undefined
    choices?: Record<string, DryChoice> | undefined
  },
) {
  authorize(p, 'workflows.manage')
  const w = await findWorkflow(ctx.db, p.workspaceId, workflowId)
  if (!w) throw new NotFoundError('Workflow')
  if (!(await findContact(ctx.db, p.workspaceId, input.contactId))) throw new NotFoundError('Contact')
  let definition = w.draft
  if (input.version === 'live') {
    const v = w.liveVersionId ? await findVersion(ctx.db, p.workspaceId, w.liveVersionId) : undefined
    if (!v) throw new ConflictError('The workflow has no published version.', 'never_published')
    definition = v.definition
  }
  return dryRun(
    ctx,
    p.workspaceId,
    workflowId,
    definition,
    input.contactId,
    input.trigger ?? {},
    input.choices ?? {},
  )
}
