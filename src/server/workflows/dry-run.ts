import type { WorkflowDefinition } from '../../shared/workflow/definition'
import { LIMITS } from '../../shared/workflow/definition'
import { indexSteps } from '../../shared/workflow/tree'
import type { Ctx } from '../context'
import { AppError } from '../errors'
import { buildContext, follow, logInput } from './engine'
import { type DryChoice, type Json, type Resume, StepError, type StepResult } from './step'
import { stepFor } from './steps'

/** One step of a test run: what it would do and where the contact would go next. */
export type DryStep = {
  stepId: string
  kind: string
  name: string
  visit: number
  /** The simulated time the step ran at (waits move it forward). */
  at: string
  input: Json
  output: Json
  outcome: string | null
  waited: { for: string; until: string | null } | null
  error: string | null
}

export type DryRun = {
  steps: DryStep[]
  /** completed: ran to the end; waiting: stopped at a question nobody answered; failed: a step failed. */
  status: 'completed' | 'waiting' | 'failed' | 'step_limit'
  variables: Record<string, unknown>
}

class Rollback extends Error {
  constructor(readonly result: DryRun) {
    super('dry run')
  }
}

const STEP_CAP = 200

/**
 * The builder's test run: the definition runs against a real contact inside a transaction that is
 * always rolled back, so every step does exactly what it would (the window check of a send, the
 * round-robin pick, the field validation) and nothing stays: no message, no assignment, no event,
 * no job. Steps that call out do not: they report the request they would make and take the
 * outcome the user chose (`choices[stepId]`). Waits advance a simulated clock.
 */
export async function dryRun(
  ctx: Ctx,
  workspaceId: number,
  workflowId: number,
  definition: WorkflowDefinition,
  contactId: number,
  trigger: Record<string, unknown>,
  choices: Record<string, DryChoice>,
): Promise<DryRun> {
  const loaded = { definition, index: indexSteps(definition) }
  try {
    await ctx.db.transaction(async (tx) => {
      const steps: DryStep[] = []
      const state = {
        vars: { trigger } as Record<string, unknown>,
        visits: {} as Record<string, number>,
        jumps: {} as Record<string, number>,
      }
      let now = ctx.clock.now()
      let current: string | null = definition.steps[0]?.id ?? null
      let status: DryRun['status'] = 'completed'
      for (let n = 0; current !== null; n++) {
        if (n >= Math.min(STEP_CAP, LIMITS.stepsPerRun)) {
          status = 'step_limit'
          break
        }
        const at = loaded.index.get(current)!
        const node = at.node
        const def = stepFor(node.kind)
        const visit = (state.visits[node.id] ?? 0) + 1
        state.visits[node.id] = visit
        const record: DryStep = {
          stepId: node.id,
          kind: node.kind,
          name: node.name,
          visit,
          at: now.toISOString(),
          input: {},
          output: {},
          outcome: null,
          waited: null,
          error: null,
        }
        steps.push(record)
        const parsed = def.configSchema.safeParse(node.config)
        if (!parsed.success) {
          record.error =
            `Incomplete: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim()
          status = 'failed'
          break
        }
        record.input = logInput(def, parsed.data)
        const choice = choices[node.id] ?? null
        let resume: Resume | null = null
        let result: StepResult | undefined
        try {
          for (let turn = 0; turn < 50; turn++) {
            const sc = buildContext({
              ctx,
              tx,
              mode: 'dry',
              workspaceId,
              run: { id: 0, workflowId, contactId, depth: 0, vars: state.vars, jumps: state.jumps },
              node,
              config: parsed.data,
              visit,
              attempt: 1,
              now,
              resume,
              dry: choice,
            })
            result = await def.run(sc)
            if (!('wait' in result)) break
            record.waited = { for: result.wait.for, until: result.wait.until?.toISOString() ?? null }
            record.output = { ...record.output, ...(result.output ?? {}) }
            const state2 = result.state ?? {}
            if (result.wait.for === 'reply') {
              if (choice?.answer !== undefined) resume = { kind: 'reply', state: state2, messageId: 0 }
              else if (choice?.outcome === 'timeout' && result.wait.until) {
                now = result.wait.until
                resume = { kind: 'timer', state: state2 }
              } else break
            } else if (result.wait.for === 'message_status') {
              resume = {
                kind: 'message_status',
                state: state2,
                status: choice?.outcome === 'failure' ? 'failed' : 'sent',
              }
            } else {
              if (result.wait.until) now = result.wait.until
              resume = { kind: 'timer', state: state2 }
            }
          }
        } catch (err) {
          record.error = err instanceof AppError || err instanceof StepError ? err.message : String(err)
          status = 'failed'
          break
        }
        if (!result || 'wait' in result) {
          status = 'waiting'
          break
        }
        record.output = { ...record.output, ...(result.output ?? {}) }
        const to = follow(loaded, node, def.outcomes(parsed.data), result, state)
        record.outcome = to.branch
        state.vars = to.vars
        state.jumps = to.jumps
        current = to.next
      }
      throw new Rollback({ steps, status, variables: state.vars })
    })
  } catch (err) {
    if (err instanceof Rollback) return err.result
    throw err
  }
  throw new Error('unreachable')
}
