import type { StepNode, WorkflowDefinition } from './definition'

/**
 * Rule 65, as pure functions on a definition: add, rename, copy and paste (within the same
 * workflow only), move (a step moves with its branches) and delete (a step goes with everything
 * stemming from it: its branches). Every function returns a new definition and never mutates its
 * input; the builder applies them locally and saves the whole draft with one PUT.
 */

/** Where a step sits: a sequence (the root, or a branch of a step) and an index in it. */
export type Slot = { parent: { stepId: string; outcome: string } | null; index: number }

export type Located = {
  node: StepNode
  /** The sequence holding the step. */
  sequence: StepNode[]
  index: number
  parent: { stepId: string; outcome: string } | null
  /** Ancestor step ids, root first. */
  ancestors: string[]
}

export class TreeError extends Error {}

/** Visits every step, depth first, in document order. */
export function walkSteps(steps: StepNode[], visit: (node: StepNode, located: Located) => void): void {
  const go = (seq: StepNode[], parent: Located['parent'], ancestors: string[]) => {
    seq.forEach((node, index) => {
      visit(node, { node, sequence: seq, index, parent, ancestors })
      for (const [outcome, branch] of Object.entries(node.branches ?? {})) {
        go(branch, { stepId: node.id, outcome }, [...ancestors, node.id])
      }
    })
  }
  go(steps, null, [])
}

export function indexSteps(def: Pick<WorkflowDefinition, 'steps'>): Map<string, Located> {
  const map = new Map<string, Located>()
  walkSteps(def.steps, (node, located) => {
    if (!map.has(node.id)) map.set(node.id, located)
  })
  return map
}

export function countSteps(steps: StepNode[]): number {
  let n = 0
  walkSteps(steps, () => n++)
  return n
}

export function findStep(def: Pick<WorkflowDefinition, 'steps'>, stepId: string): StepNode | undefined {
  return indexSteps(def).get(stepId)?.node
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** A fresh step id (s_ + 10 random base-36 characters), unique among `taken`. */
export function newStepId(taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    const bytes = new Uint8Array(10)
    globalThis.crypto.getRandomValues(bytes)
    const id = `s_${[...bytes].map((b) => ALPHABET[b % 36]).join('')}`
    if (!taken.has(id)) return id
  }
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

/** The sequence a slot points into, in a (cloned) definition. */
function sequenceAt(def: WorkflowDefinition, parent: Slot['parent']): StepNode[] {
  if (!parent) return def.steps
  const owner = indexSteps(def).get(parent.stepId)?.node
  if (!owner) throw new TreeError(`No step ${parent.stepId}.`)
  owner.branches ??= {}
  owner.branches[parent.outcome] ??= []
  return owner.branches[parent.outcome]!
}

function insertAt(seq: StepNode[], index: number, nodes: StepNode[]) {
  const at = Math.max(0, Math.min(index, seq.length))
  seq.splice(at, 0, ...nodes)
}

/** Adds a new step (with a fresh id) at a slot. */
export function addStep(
  def: WorkflowDefinition,
  slot: Slot,
  step: Omit<StepNode, 'id'> & { id?: string },
): { definition: WorkflowDefinition; stepId: string } {
  const next = clone(def)
  const taken = new Set(indexSteps(next).keys())
  const id = step.id && !taken.has(step.id) ? step.id : newStepId(taken)
  insertAt(sequenceAt(next, slot.parent), slot.index, [{ ...clone(step), id }])
  return { definition: next, stepId: id }
}

export function renameStep(def: WorkflowDefinition, stepId: string, name: string): WorkflowDefinition {
  const next = clone(def)
  const node = indexSteps(next).get(stepId)?.node
  if (!node) throw new TreeError(`No step ${stepId}.`)
  node.name = name
  return next
}

/** Replaces a step's configuration (the drawer's save). */
export function configureStep(
  def: WorkflowDefinition,
  stepId: string,
  config: Record<string, unknown>,
): WorkflowDefinition {
  const next = clone(def)
  const node = indexSteps(next).get(stepId)?.node
  if (!node) throw new TreeError(`No step ${stepId}.`)
  node.config = clone(config)
  return next
}

/** Removes a step and everything stemming from it (its branches); the steps after it move up. */
export function deleteStep(def: WorkflowDefinition, stepId: string): WorkflowDefinition {
  const next = clone(def)
  const at = indexSteps(next).get(stepId)
  if (!at) throw new TreeError(`No step ${stepId}.`)
  at.sequence.splice(at.index, 1)
  return next
}

/** Ids of a step and all steps in its branches. */
export function subtreeIds(node: StepNode): Set<string> {
  const ids = new Set<string>([node.id])
  walkSteps(Object.values(node.branches ?? {}).flat(), (n) => ids.add(n.id))
  return ids
}

/** Moves a step with its branches to a slot (not into its own branches). */
export function moveStep(def: WorkflowDefinition, stepId: string, to: Slot): WorkflowDefinition {
  const next = clone(def)
  const index = indexSteps(next)
  const at = index.get(stepId)
  if (!at) throw new TreeError(`No step ${stepId}.`)
  if (to.parent && subtreeIds(at.node).has(to.parent.stepId)) {
    throw new TreeError('A step cannot be moved into its own branches.')
  }
  const target = sequenceAt(next, to.parent)
  let i = to.index
  // Removing first shifts later positions of the same sequence.
  if (target === at.sequence && at.index < i) i -= 1
  at.sequence.splice(at.index, 1)
  insertAt(target, i, [at.node])
  return next
}

/** What "copy" puts on the clipboard: a step with its branches, tagged with its workflow. */
export type Clipboard = { workflowId: number; node: StepNode }

export function copyStep(def: WorkflowDefinition, workflowId: number, stepId: string): Clipboard {
  const node = indexSteps(def).get(stepId)?.node
  if (!node) throw new TreeError(`No step ${stepId}.`)
  return { workflowId, node: clone(node) }
}

/**
 * Pastes a copied step (rule 65: within the same workflow only). Every pasted step gets a fresh
 * id; Jump To steps inside the copy that targeted a step of the copy now target its copy.
 */
export function pasteStep(
  def: WorkflowDefinition,
  workflowId: number,
  clipboard: Clipboard,
  slot: Slot,
): { definition: WorkflowDefinition; stepId: string } {
  if (clipboard.workflowId !== workflowId) {
    throw new TreeError('Steps can be pasted only into the workflow they were copied from.')
  }
  const next = clone(def)
  const taken = new Set(indexSteps(next).keys())
  const renamed = new Map<string, string>()
  const copy = clone(clipboard.node)
  walkSteps([copy], (n) => {
    const id = newStepId(taken)
    taken.add(id)
    renamed.set(n.id, id)
    n.id = id
  })
  walkSteps([copy], (n) => {
    const target = n.kind === 'jump_to' ? n.config.targetStepId : undefined
    if (typeof target === 'string' && renamed.has(target)) n.config.targetStepId = renamed.get(target)
  })
  insertAt(sequenceAt(next, slot.parent), slot.index, [copy])
  return { definition: next, stepId: copy.id }
}
