import type { z } from 'zod'
import {
  definitionSchema,
  LIMITS,
  type StepNode,
  type WorkflowDefinition,
} from '../../shared/workflow/definition'
import { countSteps, indexSteps, walkSteps } from '../../shared/workflow/tree'
import { findChannel } from '../channels/channels.repo'
import { findFieldByKey } from '../contacts/fields.repo'
import { findStage } from '../contacts/lifecycle.repo'
import { findTagsByIds } from '../contacts/tags.repo'
import { findClosingCategory } from '../conversations/conversations.repo'
import type { DbOrTx } from '../db/database'
import { ValidationError } from '../errors'
import { findTeam } from '../teams/teams.repo'
import { findMember } from '../users/users.repo'
import type { Outcomes, Reference } from './step'
import { stepFor } from './steps'
import { triggerFor } from './triggers'
import { isStandardContactKey } from './variables'
import { findCredential, findVersion, findWorkflow } from './workflows.repo'

/** An incomplete or invalid part of a definition (rule 64): the builder highlights `stepId`. */
export type Problem = { stepId: string | null; path: string; message: string }

/** Largest definition accepted (JSON text). */
export const MAX_DEFINITION_BYTES = 512 * 1024

const issuesOf = (error: z.ZodError, stepId: string | null, prefix: string): Problem[] =>
  error.issues.map((i) => ({
    stepId,
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }))

/**
 * The shape check every save passes (hard errors, 400): the structure, unique step ids and the
 * limit of 100 steps (rule 61). Incomplete configurations are not errors here; see findProblems.
 */
export function parseDefinition(input: unknown): WorkflowDefinition {
  if (JSON.stringify(input ?? null).length > MAX_DEFINITION_BYTES)
    throw new ValidationError('The workflow is too large (512 KB at most).', [
      { path: 'definition', message: 'Too large.' },
    ])
  const r = definitionSchema.safeParse(input)
  if (!r.success) {
    const fields = r.error.issues.map((i) => ({
      path: ['definition', ...i.path.map(String)].join('.'),
      message: i.message,
    }))
    throw new ValidationError(
      `The workflow definition is malformed: ${fields[0]?.path}: ${fields[0]?.message}`,
      fields,
    )
  }
  const def = r.data as WorkflowDefinition
  const seen = new Set<string>()
  const dupes: string[] = []
  walkSteps(def.steps, (n) => {
    if (seen.has(n.id)) dupes.push(n.id)
    seen.add(n.id)
  })
  if (dupes.length)
    throw new ValidationError(`Step ids must be unique: ${[...new Set(dupes)].join(', ')}.`, [
      { path: 'definition.steps', message: `Duplicate step ids: ${[...new Set(dupes)].join(', ')}.` },
    ])
  const n = countSteps(def.steps)
  if (n > LIMITS.stepsPerWorkflow)
    throw new ValidationError(
      `A workflow has at most ${LIMITS.stepsPerWorkflow} steps (this one has ${n}).`,
      [{ path: 'definition.steps', message: `At most ${LIMITS.stepsPerWorkflow} steps.` }],
    )
  return def
}

/**
 * A complete definition with every default written out (publishing stores this), so a version
 * means the same thing whatever later releases change in defaults. Call after findProblems.
 */
export function normalizeDefinition(def: WorkflowDefinition): WorkflowDefinition {
  const trigger = triggerFor(def.trigger.type)!
  const copy = JSON.parse(JSON.stringify(def)) as WorkflowDefinition
  copy.trigger.conditions = trigger.conditionsSchema.parse(def.trigger.conditions) as Record<string, unknown>
  walkSteps(copy.steps, (node) => {
    node.config = stepFor(node.kind).configSchema.parse(node.config) as Record<string, unknown>
  })
  return copy
}

/** The outcomes of each step as configured (the builder draws a branch slot per branch outcome). */
export function outcomesOf(def: WorkflowDefinition): Record<string, Outcomes> {
  const out: Record<string, Outcomes> = {}
  walkSteps(def.steps, (node) => {
    const s = stepFor(node.kind)
    const parsed = s.configSchema.safeParse(node.config)
    if (parsed.success) out[node.id] = s.outcomes(parsed.data)
  })
  return out
}

async function referenceProblem(
  db: DbOrTx,
  workspaceId: number,
  ref: Reference,
  ctx: { workflowId: number; index: Map<string, unknown>; self: StepNode | null },
): Promise<string | null> {
  switch (ref.kind) {
    case 'tag':
      return (await findTagsByIds(db, workspaceId, [ref.id])).length
        ? null
        : `Tag ${ref.id} no longer exists.`
    case 'user':
      return (await findMember(db, workspaceId, ref.id))
        ? null
        : `User ${ref.id} is not a member of this workspace.`
    case 'team':
      return (await findTeam(db, workspaceId, ref.id)) ? null : `Team ${ref.id} no longer exists.`
    case 'channel':
      return (await findChannel(db, workspaceId, ref.id)) ? null : `Channel ${ref.id} no longer exists.`
    case 'stage':
      return (await findStage(db, workspaceId, ref.id)) ? null : `Lifecycle stage ${ref.id} no longer exists.`
    case 'category':
      return (await findClosingCategory(db, workspaceId, ref.id))
        ? null
        : `Conversation category ${ref.id} no longer exists.`
    case 'field':
      if (isStandardContactKey(ref.key)) return null
      return (await findFieldByKey(db, workspaceId, ref.key))
        ? null
        : `There is no contact field "${ref.key}".`
    case 'credential': {
      const c = await findCredential(db, workspaceId, ref.id)
      if (!c) return `Connection ${ref.id} no longer exists.`
      return c.kind === ref.credential
        ? null
        : `Connection ${ref.id} is a ${c.kind}, not a ${ref.credential}.`
    }
    case 'step':
      if (ctx.self && ref.id === ctx.self.id) return 'A step cannot jump to itself.'
      return ctx.index.has(ref.id) ? null : 'The step to jump to no longer exists.'
    case 'workflow': {
      if (ref.id === ctx.workflowId) return 'A workflow cannot trigger itself.'
      const w = await findWorkflow(db, workspaceId, ref.id)
      if (!w) return `Workflow ${ref.id} no longer exists.`
      const live = w.liveVersionId ? await findVersion(db, workspaceId, w.liveVersionId) : undefined
      const type = live?.definition.trigger.type ?? w.draft.trigger.type
      return type === 'manual' ? null : `"${w.name}" does not start with a Manual trigger.`
    }
  }
}

/**
 * Everything that must be fixed before publishing (rule 64): trigger conditions, each step's
 * configuration, branches that no longer exist for a step's configuration, steps that can never
 * run, and references to things the workspace no longer has.
 */
export async function findProblems(
  db: DbOrTx,
  workspaceId: number,
  workflowId: number,
  def: WorkflowDefinition,
): Promise<Problem[]> {
  const problems: Problem[] = []
  const trigger = triggerFor(def.trigger.type)!
  const cond = trigger.conditionsSchema.safeParse(def.trigger.conditions)
  if (!cond.success) problems.push(...issuesOf(cond.error, null, 'trigger.conditions'))
  else
    for (const ref of trigger.references?.(cond.data as never) ?? []) {
      const why = await referenceProblem(db, workspaceId, ref, { workflowId, index: new Map(), self: null })
      if (why) problems.push({ stepId: null, path: ref.path, message: why })
    }
  if (def.trigger.oncePerContact && !trigger.oncePerContact)
    problems.push({
      stepId: null,
      path: 'trigger.oncePerContact',
      message: `"Trigger once per contact" does not apply to the ${trigger.label}.`,
    })
  if (def.steps.length === 0)
    problems.push({ stepId: null, path: 'steps', message: 'Add at least one step.' })

  const index = indexSteps(def)
  const nodes: { node: StepNode; sequence: StepNode[]; at: number }[] = []
  walkSteps(def.steps, (node, l) => nodes.push({ node, sequence: l.sequence, at: l.index }))
  for (const { node, sequence, at } of nodes) {
    const s = stepFor(node.kind)
    const parsed = s.configSchema.safeParse(node.config)
    if (!parsed.success) {
      problems.push(...issuesOf(parsed.error, node.id, 'config'))
      continue
    }
    const outcomes = s.outcomes(parsed.data)
    for (const [name, branch] of Object.entries(node.branches ?? {})) {
      if (branch.length && !outcomes.branches.includes(name))
        problems.push({
          stepId: node.id,
          path: `branches.${name}`,
          message: `This step has no "${name}" outcome any more; move or delete the steps under it.`,
        })
    }
    if (outcomes.continue === null && at < sequence.length - 1) {
      const next = sequence[at + 1]!
      problems.push({
        stepId: next.id,
        path: '',
        message: `This step can never run: "${node.name || node.kind}" before it always goes into one of its branches.`,
      })
    }
    for (const ref of s.references?.(parsed.data) ?? []) {
      const why = await referenceProblem(db, workspaceId, ref, { workflowId, index, self: node })
      if (why) problems.push({ stepId: node.id, path: ref.path, message: why })
    }
  }
  return problems
}
