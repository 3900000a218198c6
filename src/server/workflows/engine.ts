import { LIMITS, type StepNode, type WorkflowDefinition } from '../../shared/workflow/definition'
import { indexSteps, type Located } from '../../shared/workflow/tree'
import { type ContactRow, findContact, lockContact } from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import { findOpenConversation, updateConversation } from '../conversations/conversations.repo'
import type { DbOrTx, Tx } from '../db/database'
import type { Ref } from '../db/refs'
import { type RunStatus, workflowRunSteps } from '../db/schema'
import { insertRowsSql, recordset, runScript } from '../db/script'
import { AppError } from '../errors'
import { createOutboundHttp, type OutboundHttp, type OutboundRequest, type Reach } from './http/outbound'
import {
  insertStepLog,
  lockRun,
  lockRuns,
  otherActiveRunsOfContact,
  type RunRow,
  updateRun,
  updateStepLog,
} from './runs.repo'
import {
  type DryChoice,
  type Json,
  type Outcomes,
  type Resume,
  type StepContext,
  type StepDefinition,
  StepError,
  type StepResult,
} from './step'
import { stepFor } from './steps'
import { VariableScope } from './variables'
import { armTimer, enqueueRun, enqueueRuns, type RunJob } from './wake'
import { findSettings, findVersion } from './workflows.repo'

/**
 * The run executor. A job wakes a run; the executor then takes steps one at a time, each in its
 * own transaction holding the run row's lock (FOR UPDATE), so however many processes work on
 * the queue a step's effects and the run's progress commit together, once:
 *
 * - internal steps change the database through the run's transaction;
 * - external steps (HTTP, Sheets, Conversions APIs) run between two short transactions under a
 *   lease recorded on the row (`inflight`); a process that finds a lease expired takes over with
 *   the next attempt and the same idempotency key (run, step, visit);
 * - waits persist what they wait for on the row and arm a durable timer job (pg-boss startAfter);
 * - `seq` moves on every change, so a timer that lost a race finds nothing to do.
 */

const STEPS_PER_JOB = 50
const JOB_BUDGET_MS = 15_000
/** Longer than any external step may take (HTTP: 10 s; Sheets: token + append). */
export const LEASE_MS = 60_000

export type Loaded = { definition: WorkflowDefinition; index: Map<string, Located> }

const versions = new WeakMap<Ctx, Map<number, Loaded>>()

/** Versions are immutable, so each process caches them. */
export async function loadVersion(
  ctx: Ctx,
  db: DbOrTx,
  workspaceId: number,
  versionId: number,
): Promise<Loaded> {
  let cache = versions.get(ctx)
  if (!cache) {
    cache = new Map()
    versions.set(ctx, cache)
  }
  const hit = cache.get(versionId)
  if (hit) return hit
  const row = await findVersion(db, workspaceId, versionId)
  if (!row) throw new StepError(`Workflow version ${versionId} no longer exists.`)
  const loaded = { definition: row.definition, index: indexSteps(row.definition) }
  if (cache.size >= 1000) cache.delete(cache.keys().next().value!)
  cache.set(versionId, loaded)
  return loaded
}

const outbound = new WeakMap<Ctx, OutboundHttp>()
export function outboundFor(ctx: Ctx): OutboundHttp {
  let o = outbound.get(ctx)
  if (!o) {
    o = createOutboundHttp([new URL(ctx.config.publicUrl).host])
    outbound.set(ctx, o)
  }
  return o
}

/** Closes this process's outbound HTTP connections (shutdown). */
export async function closeOutbound(ctx: Ctx): Promise<void> {
  await outbound.get(ctx)?.close()
  outbound.delete(ctx)
}

/** Where an outcome leads: the next step of the sequence, the first step of a branch, or the end (null). */
function navigate(loaded: Loaded, node: StepNode, outcome: string, outcomes: Outcomes): string | null {
  if (outcome === outcomes.continue) {
    const at = loaded.index.get(node.id)!
    return at.sequence[at.index + 1]?.id ?? null
  }
  if (!outcomes.branches.includes(outcome))
    throw new StepError(`The ${node.kind} step has no outcome "${outcome}".`)
  return node.branches?.[outcome]?.[0]?.id ?? null
}

/**
 * Where a finished step leads (null: the run ends), the branch its log shows, and the run's
 * variables and jump counts after it (the engine and test runs share this).
 */
export function follow(
  loaded: Loaded,
  node: StepNode,
  outcomes: Outcomes,
  result: Exclude<StepResult, { wait: unknown }>,
  run: { vars: Record<string, unknown>; jumps: Record<string, number> },
): { next: string | null; branch: string; vars: Record<string, unknown>; jumps: Record<string, number> } {
  const { vars, jumps } = run
  if ('jump' in result) {
    if (!loaded.index.has(result.jump))
      throw new StepError(`Jump target ${result.jump} is not in this version.`)
    return {
      next: result.jump,
      branch: 'jump',
      vars,
      jumps: { ...jumps, [node.id]: (jumps[node.id] ?? 0) + 1 },
    }
  }
  if ('stop' in result) return { next: null, branch: 'stop', vars, jumps }
  return {
    next: navigate(loaded, node, result.next, outcomes),
    branch: result.next,
    vars: result.set ? { ...vars, ...result.set } : vars,
    jumps,
  }
}

/** What a step's log keeps of its configuration (secrets redacted by the step kind). */
export function logInput(def: StepDefinition<unknown>, config: unknown): Json {
  return { config: (def.redact ? def.redact(config) : config) as Json }
}

export type ContextInput = {
  ctx: Ctx
  tx: Tx | null
  mode: 'live' | 'dry'
  workspaceId: number
  run: {
    id: number
    workflowId: number
    contactId: number
    depth: number
    vars: Record<string, unknown>
    jumps: Record<string, number>
  }
  node: StepNode
  config: unknown
  visit: number
  attempt: number
  now: Date
  resume: Resume | null
  dry: DryChoice | null
}

export function buildContext(i: ContextInput): StepContext<unknown> {
  let contact: Promise<ContactRow> | undefined
  const loadContact = () => {
    contact ??= (async () => {
      const row = i.tx
        ? await lockContact(i.tx, i.workspaceId, i.run.contactId)
        : await findContact(i.ctx.db, i.workspaceId, i.run.contactId)
      if (!row) throw new StepError('The contact no longer exists.')
      return row
    })()
    return contact
  }
  // The workspace's private-network setting, read once per step and only by a step that calls out.
  let reach: Promise<Reach> | undefined
  const http = {
    request: async (req: OutboundRequest) => {
      reach ??= findSettings(i.tx ?? i.ctx.db, i.workspaceId).then((s) => ({
        allowPrivate: s.allowPrivateNetwork,
      }))
      return outboundFor(i.ctx).request(req, await reach)
    },
  }
  const scope = new VariableScope(
    i.tx ?? i.ctx.db,
    i.workspaceId,
    i.run.contactId,
    i.run.vars,
    i.now,
    loadContact,
  )
  return {
    ctx: i.ctx,
    tx: i.tx,
    mode: i.mode,
    workspaceId: i.workspaceId,
    run: { id: i.run.id, workflowId: i.run.workflowId, contactId: i.run.contactId, depth: i.run.depth },
    step: { id: i.node.id, name: i.node.name, kind: i.node.kind },
    config: i.config,
    visit: i.visit,
    attempt: i.attempt,
    key: i.mode === 'dry' ? `wf-dry:${i.node.id}:${i.visit}` : `wf:${i.run.id}:${i.node.id}:${i.visit}`,
    actor: { kind: 'workflow', id: i.run.workflowId },
    now: i.now,
    vars: i.run.vars,
    jumps: i.run.jumps[i.node.id] ?? 0,
    interpolate: (t, how) => scope.fill(t, how),
    variable: (r) => scope.value(r),
    contact: loadContact,
    resume: i.resume,
    http,
    dry: i.dry,
  }
}

/** A thrown step failure, carried out of the rolled-back transaction to be recorded. */
class StepFailed extends Error {
  constructor(
    readonly error: unknown,
    readonly at: { stepId: string; kind: string; visit: number; seq: number; input: Json; startedAt: Date },
  ) {
    super(error instanceof Error ? error.message : String(error))
  }
}

/** Database errors worth a retry of the job rather than failing the run. */
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } }
  const code = e?.cause?.code ?? e?.code
  return (
    code === '40001' ||
    code === '40P01' ||
    code === '57P01' ||
    code === 'ECONNRESET' ||
    code === 'ECONNREFUSED' ||
    code === '08006' ||
    code === '08003'
  )
}

/** What a failed step leaves on its log and its run; an unexpected error is logged as well. */
function failureText(ctx: Ctx, err: unknown, at: { runId: number; stepId: string }): string {
  if (err instanceof AppError || err instanceof StepError) return err.message
  ctx.log.error({ err, ...at }, 'workflow step failed unexpectedly')
  return `Unexpected error: ${err instanceof Error ? err.message : String(err)}`
}

/** A run between two steps (or ended): nothing awaited, nothing to resume, no external call in flight. */
const BETWEEN_STEPS = {
  waitKind: null,
  waitUntil: null,
  waitMessageId: null,
  waitState: null,
  waitLogId: null,
  resume: null,
  inflight: null,
} as const satisfies Partial<RunRow>

/** Ends a run: state, variables erased (rule 66), and the conversation back to humans (rule 93). */
export async function finishRun(
  ctx: Ctx,
  tx: Tx,
  run: Pick<RunRow, 'workspaceId' | 'id' | 'contactId' | 'seq'>,
  status: Exclude<RunStatus, 'running' | 'waiting'>,
  extra: Partial<RunRow> & { error?: string | null } = {},
): Promise<void> {
  await updateRun(tx, run.workspaceId, run.id, {
    ...extra,
    status,
    endedAt: ctx.clock.now(),
    currentStepId: null,
    vars: {},
    ...BETWEEN_STEPS,
    seq: extra.seq ?? run.seq + 1,
  })
  await releaseConversation(tx, run.workspaceId, run.contactId, run.id)
}

/**
 * Rule 93 (Azir's "bot" state): when a run starts, an open conversation of an unassigned contact
 * is handled by the workflow until a person is assigned or the run ends.
 */
async function claimConversation(tx: Tx, contact: ContactRow) {
  if (contact.assigneeUserId !== null) return
  const conversation = await findOpenConversation(tx, contact.workspaceId, contact.id)
  if (conversation?.handler === 'human')
    await updateConversation(tx, contact.workspaceId, conversation.id, { handler: 'workflow' })
}

/** Rule 93: the conversation goes back to "human" when no workflow handles the contact any more. */
export async function releaseConversation(tx: Tx, workspaceId: number, contactId: number, runId: number) {
  const conversation = await findOpenConversation(tx, workspaceId, contactId)
  if (conversation?.handler !== 'workflow') return
  if ((await otherActiveRunsOfContact(tx, workspaceId, contactId, runId)) > 0) return
  await updateConversation(tx, workspaceId, conversation.id, { handler: 'human' })
}

type External = {
  run: RunRow
  node: StepNode
  def: StepDefinition<unknown>
  config: unknown
  loaded: Loaded
  visit: number
  attempt: number
  logId: number
  startedAt: Date
}

type Taken = 'continue' | 'stop' | { external: External }

/** Handles one job: steps until the run waits, ends, or this job has used its budget. */
export async function executeRun(ctx: Ctx, job: RunJob): Promise<void> {
  const started = Date.now()
  let wake = job.seq
  for (let i = 0; ; i++) {
    if (i >= STEPS_PER_JOB || Date.now() - started > JOB_BUDGET_MS) {
      // A long run yields its worker; the next job continues it.
      await enqueueRun(ctx, null, { workspaceId: job.workspaceId, runId: job.runId })
      return
    }
    const taken = await takeStep(ctx, job.workspaceId, job.runId, wake)
    wake = undefined
    if (taken === 'stop') return
    if (taken !== 'continue' && (await runExternal(ctx, taken.external)) === 'stop') return
  }
}

async function takeStep(
  ctx: Ctx,
  workspaceId: number,
  runId: number,
  wakeSeq: number | undefined,
): Promise<Taken> {
  try {
    return await ctx.db.transaction(async (tx) =>
      stepLocked(ctx, tx, workspaceId, await lockRun(tx, workspaceId, runId), wakeSeq),
    )
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err
    if (isTransient(err.error)) throw err.error
    await recordFailure(ctx, workspaceId, runId, err)
    return 'stop'
  }
}

/** One step of a run whose row `tx` holds locked (takeStep, executeRuns). */
async function stepLocked(
  ctx: Ctx,
  tx: Tx,
  workspaceId: number,
  run: RunRow | undefined,
  wakeSeq: number | undefined,
): Promise<Taken> {
  if (!run) return 'stop'
  const runId = run.id
  if (run.endedAt) return 'stop'
  if (wakeSeq !== undefined) {
    if (run.status !== 'waiting' || run.seq !== wakeSeq) return 'stop'
    run.status = 'running'
    run.resume = { kind: 'timer' }
  }
  if (run.status !== 'running') return 'stop'
  const loaded = await loadVersion(ctx, tx, workspaceId, run.versionId)
  if (!run.currentStepId) {
    await finishRun(ctx, tx, run, 'completed')
    return 'stop'
  }
  const at = loaded.index.get(run.currentStepId)
  if (!at) {
    await finishRun(ctx, tx, run, 'failed', {
      error: `Step ${run.currentStepId} is not in this version.`,
    })
    return 'stop'
  }
  if (run.stepsExecuted >= LIMITS.stepsPerRun) {
    await finishRun(ctx, tx, run, 'failed', {
      error: `Stopped after ${LIMITS.stepsPerRun} steps (a loop of jumps?).`,
    })
    return 'stop'
  }
  const node = at.node
  const def = stepFor(node.kind)
  const parsed = def.configSchema.safeParse(node.config)
  const now = ctx.clock.now()
  if (!parsed.success) {
    await insertStepLog(tx, {
      workspaceId,
      runId,
      stepId: node.id,
      kind: node.kind,
      visit: (run.visits[node.id] ?? 0) + 1,
      status: 'error',
      error: `The step's configuration is invalid: ${parsed.error.issues[0]?.message ?? ''}`,
      startedAt: now,
      finishedAt: now,
    })
    await finishRun(ctx, tx, run, 'failed', {
      error: `Step "${node.name || node.kind}" is misconfigured.`,
    })
    return 'stop'
  }
  const config = parsed.data
  if (run.stepsExecuted === 0 && !run.resume && !run.inflight) {
    const contact = await lockContact(tx, workspaceId, run.contactId)
    if (contact) await claimConversation(tx, contact)
  }
  if (def.external) return prepareExternal(ctx, tx, run, loaded, node, def, config, now)

  const resuming = run.resume !== null
  const visit = resuming ? (run.visits[node.id] ?? 1) : (run.visits[node.id] ?? 0) + 1
  const input = logInput(def, config)
  const sc = buildContext({
    ctx,
    tx,
    mode: 'live',
    workspaceId,
    run,
    node,
    config,
    visit,
    attempt: 1,
    now,
    resume: resumeOf(run),
    dry: null,
  })
  let result: StepResult
  try {
    result = await def.run(sc)
  } catch (err) {
    throw new StepFailed(err, {
      stepId: node.id,
      kind: node.kind,
      visit,
      seq: run.seq,
      input,
      startedAt: now,
    })
  }
  return applyResult(ctx, tx, run, loaded, node, def, config, result, {
    visit,
    logId: resuming ? run.waitLogId : null,
    input,
    startedAt: now,
  })
}

/**
 * Moves many claimed runs (a timer tick's claim) one step in ONE transaction — the runs locked in
 * one statement, in id order — so a group costs one commit however many runs it moves; resumed
 * Wait steps are written set-based (resumeWaitsInBulk), any other step through stepLocked. Runs
 * that go on continue as run jobs enqueued with that commit, which every process shares (an HTTP
 * step after a wait runs wherever a worker is free). If anything in the group fails (a step's
 * error, a deadlock), nothing of it committed and each run goes on alone (`alone`: executeRun,
 * which records a step's failure or retries a transient error as a job).
 */
export async function executeRuns(ctx: Ctx, refs: Ref[], alone: (ref: Ref) => Promise<void>): Promise<void> {
  let taken: Taken[]
  try {
    taken = await ctx.db.transaction(async (tx) => {
      const locked = new Map<string, RunRow>(
        (await lockRuns(tx, refs)).map((r) => [`${r.workspaceId}:${r.id}`, r]),
      )
      const bulk = await resumeWaitsInBulk(ctx, tx, [...locked.values()])
      const out: Taken[] = []
      for (const r of refs) {
        const key = `${r.workspaceId}:${r.id}`
        out.push(bulk.get(key) ?? (await stepLocked(ctx, tx, r.workspaceId, locked.get(key), undefined)))
      }
      await enqueueRuns(
        ctx,
        refs
          .filter((_, i) => out[i] === 'continue')
          .map((r) => ({ workspaceId: r.workspaceId, runId: r.id })),
        tx,
      )
      return out
    })
  } catch {
    for (const r of refs) await alone(r)
    return
  }
  // A waiting step is internal, so this is rare: a run whose current step calls out.
  for (const [i, t] of taken.entries()) {
    if (typeof t === 'string') continue
    if ((await runExternal(ctx, t.external)) === 'continue')
      await enqueueRun(ctx, null, { workspaceId: refs[i]!.workspaceId, runId: refs[i]!.id })
  }
}

/**
 * Runs whose Wait step's timer fired (claimed by a tick: running, resume = timer): the step's
 * result needs nothing from the database, so they are moved on together — the step's log row,
 * the run's next position (or its end, rule 66) and rule 93's release of the conversation — in
 * one round trip of set-based statements, with exactly what applyResult and finishRun write one
 * run at a time. Other runs are left to stepLocked. Returns what each handled run does next.
 */
async function resumeWaitsInBulk(
  ctx: Ctx,
  tx: Tx,
  runs: RunRow[],
): Promise<Map<string, 'continue' | 'stop'>> {
  const out = new Map<string, 'continue' | 'stop'>()
  const now = ctx.clock.now()
  const logUpdates: Record<string, unknown>[] = []
  const logInserts: (typeof workflowRunSteps.$inferInsert)[] = []
  const runUpdates: Record<string, unknown>[] = []
  const ended: Record<string, unknown>[] = []
  for (const run of runs) {
    if (run.endedAt || run.status !== 'running' || run.resume?.kind !== 'timer' || run.inflight) continue
    if (!run.currentStepId || run.stepsExecuted >= LIMITS.stepsPerRun) continue
    const loaded = await loadVersion(ctx, tx, run.workspaceId, run.versionId)
    const node = loaded.index.get(run.currentStepId)?.node
    if (node?.kind !== 'wait') continue
    const def = stepFor(node.kind)
    const parsed = def.configSchema.safeParse(node.config)
    if (!parsed.success) continue
    const visit = run.visits[node.id] ?? 1
    const result = await def.run(
      buildContext({
        ctx,
        tx,
        mode: 'live',
        workspaceId: run.workspaceId,
        run,
        node,
        config: parsed.data,
        visit,
        attempt: 1,
        now,
        resume: resumeOf(run),
        dry: null,
      }),
    )
    if ('wait' in result) throw new Error('A resumed Wait step waited again.')
    const { next, branch, vars, jumps } = follow(loaded, node, def.outcomes(parsed.data), result, run)
    const output = { ...(result.output ?? {}), ...('stop' in result ? { reason: result.reason } : {}) }
    if (run.waitLogId)
      logUpdates.push({ workspace_id: run.workspaceId, id: run.waitLogId, branch, output, finished_at: now })
    else
      logInserts.push({
        workspaceId: run.workspaceId,
        runId: run.id,
        stepId: node.id,
        kind: node.kind,
        visit,
        attempt: 1,
        status: 'done',
        input: logInput(def, parsed.data),
        output,
        branch,
        error: null,
        startedAt: now,
        finishedAt: now,
      })
    runUpdates.push({
      workspace_id: run.workspaceId,
      id: run.id,
      status: next === null ? 'completed' : 'running',
      current_step_id: next,
      vars: next === null ? {} : vars,
      visits: { ...run.visits, [node.id]: visit },
      jumps,
      steps_executed: run.stepsExecuted + 1,
      seq: run.seq + 1,
      ended_at: next === null ? now : null,
    })
    if (next === null) ended.push({ workspace_id: run.workspaceId, contact_id: run.contactId })
    out.set(`${run.workspaceId}:${run.id}`, next === null ? 'stop' : 'continue')
  }
  if (out.size === 0) return out
  const statements: string[] = []
  if (logUpdates.length)
    statements.push(`UPDATE workflow_run_steps s
      SET status = 'done', branch = v.branch, output = v.output, finished_at = v.finished_at
      FROM ${recordset(logUpdates, 'workspace_id bigint, id bigint, branch text, output jsonb, finished_at timestamptz')} AS v
      WHERE s.workspace_id = v.workspace_id AND s.id = v.id`)
  if (logInserts.length) statements.push(insertRowsSql(workflowRunSteps, logInserts))
  statements.push(`UPDATE workflow_runs r
    SET status = v.status, current_step_id = v.current_step_id, vars = v.vars, visits = v.visits,
        jumps = v.jumps, steps_executed = v.steps_executed, seq = v.seq, ended_at = v.ended_at,
        wait_kind = NULL, wait_until = NULL, wait_message_id = NULL, wait_state = NULL,
        wait_log_id = NULL, resume = NULL, inflight = NULL, updated_at = now()
    FROM ${recordset(runUpdates, 'workspace_id bigint, id bigint, status text, current_step_id text, vars jsonb, visits jsonb, jumps jsonb, steps_executed int, seq int, ended_at timestamptz')} AS v
    WHERE r.workspace_id = v.workspace_id AND r.id = v.id`)
  // Rule 93, as releaseConversation: back to humans once no run of the contact is active (the
  // statement above has ended these runs, so two of one contact ending together both count).
  if (ended.length)
    statements.push(`UPDATE conversations c SET handler = 'human', updated_at = now()
      FROM ${recordset(ended, 'workspace_id bigint, contact_id bigint')} AS v
      WHERE c.workspace_id = v.workspace_id AND c.contact_id = v.contact_id AND c.status = 'open'
        AND c.handler = 'workflow'
        AND NOT EXISTS (SELECT 1 FROM workflow_runs r
          WHERE r.workspace_id = c.workspace_id AND r.contact_id = c.contact_id AND r.ended_at IS NULL)`)
  await runScript(tx, statements)
  return out
}

function resumeOf(run: RunRow): Resume | null {
  if (!run.resume) return null
  const state = (run.waitState ?? {}) as Json
  if (run.resume.kind === 'reply') return { kind: 'reply', state, messageId: run.resume.messageId }
  if (run.resume.kind === 'message_status')
    return { kind: 'message_status', state, status: run.resume.status }
  return { kind: 'timer', state }
}

async function recordFailure(ctx: Ctx, workspaceId: number, runId: number, f: StepFailed): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const run = await lockRun(tx, workspaceId, runId)
    if (!run || run.endedAt || run.seq !== f.at.seq) return
    const message = failureText(ctx, f.error, { runId, stepId: f.at.stepId })
    const values = {
      status: 'error' as const,
      error: message,
      finishedAt: ctx.clock.now(),
    }
    if (run.waitLogId && run.resume) await updateStepLog(tx, workspaceId, run.waitLogId, values)
    else
      await insertStepLog(tx, {
        workspaceId,
        runId,
        stepId: f.at.stepId,
        kind: f.at.kind,
        visit: f.at.visit,
        input: f.at.input,
        startedAt: f.at.startedAt,
        ...values,
      })
    await finishRun(ctx, tx, run, 'failed', { error: message })
  })
}

async function prepareExternal(
  ctx: Ctx,
  tx: Tx,
  run: RunRow,
  loaded: Loaded,
  node: StepNode,
  def: StepDefinition<unknown>,
  config: unknown,
  now: Date,
): Promise<Taken> {
  const held = run.inflight?.stepId === node.id ? run.inflight : null
  // A lease whose holder died (kill -9) is taken over at once rather than waited out; a live
  // holder may still be calling out, so look again when its lease ends.
  if (
    held &&
    Date.parse(held.leaseUntil) > now.getTime() &&
    (held.owner === undefined || (await ctx.database.isAlive(held.owner, tx)))
  ) {
    await enqueueRun(
      ctx,
      tx,
      { workspaceId: run.workspaceId, runId: run.id },
      new Date(Date.parse(held.leaseUntil) + 1000),
    )
    return 'stop'
  }
  const visit = held ? held.visit : (run.visits[node.id] ?? 0) + 1
  const attempt = held ? held.attempt + 1 : 1
  let logId = held?.logId
  if (logId) await updateStepLog(tx, run.workspaceId, logId, { attempt })
  else
    logId = await insertStepLog(tx, {
      workspaceId: run.workspaceId,
      runId: run.id,
      stepId: node.id,
      kind: node.kind,
      visit,
      attempt,
      status: 'running',
      input: logInput(def, config),
      startedAt: now,
    })
  const visits = { ...run.visits, [node.id]: visit }
  const inflight = {
    stepId: node.id,
    visit,
    attempt,
    leaseUntil: new Date(now.getTime() + LEASE_MS).toISOString(),
    logId,
    owner: ctx.database.instanceId,
  }
  await updateRun(tx, run.workspaceId, run.id, { inflight, visits, seq: run.seq + 1 })
  return {
    external: {
      run: { ...run, inflight, visits, seq: run.seq + 1 },
      node,
      def,
      config,
      loaded,
      visit,
      attempt,
      logId,
      startedAt: now,
    },
  }
}

async function runExternal(ctx: Ctx, x: External): Promise<'continue' | 'stop'> {
  const sc = buildContext({
    ctx,
    tx: null,
    mode: 'live',
    workspaceId: x.run.workspaceId,
    run: x.run,
    node: x.node,
    config: x.config,
    visit: x.visit,
    attempt: x.attempt,
    now: ctx.clock.now(),
    resume: null,
    dry: null,
  })
  let result: StepResult | undefined
  let failure: unknown
  try {
    result = await x.def.run(sc)
    if ('wait' in result) throw new StepError('An external step cannot wait.')
  } catch (err) {
    failure = err
  }
  return ctx.db.transaction(async (tx) => {
    const run = await lockRun(tx, x.run.workspaceId, x.run.id)
    // Cancelled, or another process took the step over after our lease ended: its attempt counts.
    if (!run || run.endedAt || run.inflight?.stepId !== x.node.id || run.inflight.attempt !== x.attempt)
      return 'stop'
    if (failure !== undefined || !result) {
      const message = failureText(ctx, failure, { runId: run.id, stepId: x.node.id })
      await updateStepLog(tx, run.workspaceId, x.logId, {
        status: 'error',
        error: message,
        finishedAt: ctx.clock.now(),
      })
      await finishRun(ctx, tx, run, 'failed', { error: message })
      return 'stop'
    }
    const taken = await applyResult(ctx, tx, run, x.loaded, x.node, x.def, x.config, result, {
      visit: x.visit,
      logId: x.logId,
      input: logInput(x.def, x.config),
      startedAt: x.startedAt,
    })
    return taken === 'continue' ? 'continue' : 'stop'
  })
}

/** Persists a step's result: the log row, the run's next position, variables, waits and timers. */
async function applyResult(
  ctx: Ctx,
  tx: Tx,
  run: RunRow,
  loaded: Loaded,
  node: StepNode,
  def: StepDefinition<unknown>,
  config: unknown,
  result: StepResult,
  log: { visit: number; logId: number | null; input: Json; startedAt: Date },
): Promise<'continue' | 'stop'> {
  const ws = run.workspaceId
  const now = ctx.clock.now()
  const visits = { ...run.visits, [node.id]: log.visit }
  const seq = run.seq + 1
  const writeLog = async (values: { status: 'done' | 'waiting'; branch?: string | null; output?: Json }) => {
    const row = {
      ...values,
      output: values.output ?? null,
      finishedAt: values.status === 'done' ? now : null,
    }
    if (log.logId) {
      await updateStepLog(tx, ws, log.logId, row)
      return log.logId
    }
    return insertStepLog(tx, {
      workspaceId: ws,
      runId: run.id,
      stepId: node.id,
      kind: node.kind,
      visit: log.visit,
      input: log.input,
      startedAt: log.startedAt,
      ...row,
    })
  }

  if ('wait' in result) {
    const logId = await writeLog({
      status: 'waiting',
      output: result.output ?? { waitingFor: result.wait.for },
    })
    await updateRun(tx, ws, run.id, {
      status: 'waiting',
      visits,
      seq,
      waitKind: result.wait.for,
      waitUntil: result.wait.until ?? null,
      waitMessageId: result.wait.messageId ?? null,
      waitState: result.state ?? {},
      waitLogId: logId,
      resume: null,
      inflight: null,
    })
    if (result.wait.until) await armTimer(ctx, tx, result.wait.until)
    return 'stop'
  }

  const { next, branch, vars, jumps } = follow(loaded, node, def.outcomes(config), result, run)
  await writeLog({
    status: 'done',
    branch,
    output: { ...(result.output ?? {}), ...('stop' in result ? { reason: result.reason } : {}) },
  })
  const common = { visits, jumps, stepsExecuted: run.stepsExecuted + 1 }
  if (next === null) {
    await finishRun(ctx, tx, run, 'completed', { ...common, seq })
    return 'stop'
  }
  await updateRun(tx, ws, run.id, {
    ...common,
    seq,
    status: 'running',
    currentStepId: next,
    vars,
    ...BETWEEN_STEPS,
  })
  return 'continue'
}
