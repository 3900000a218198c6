import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { StepNode, WorkflowDefinition } from './definition'
import {
  addStep,
  copyStep,
  countSteps,
  deleteStep,
  findStep,
  indexSteps,
  moveStep,
  pasteStep,
  renameStep,
  TreeError,
} from './tree'

const n = (
  id: string,
  kind: StepNode['kind'] = 'add_comment',
  branches?: Record<string, StepNode[]>,
): StepNode => ({
  id,
  kind,
  name: id,
  config: kind === 'jump_to' ? { targetStepId: 'ask' } : {},
  ...(branches ? { branches } : {}),
})

/** ask (Ask a Question) with an invalid branch [retry → jump to ask], then thanks, then route (Branch). */
const sample = (): WorkflowDefinition => ({
  version: 1,
  trigger: { type: 'conversation_opened', conditions: {}, oncePerContact: false },
  steps: [
    n('ask', 'ask_question', { invalid: [n('retry', 'jump_to'), n('note')] }),
    n('thanks', 'send_message'),
    n('route', 'branch', { vip: [n('vip_assign', 'assign_to')], else: [n('team_assign', 'assign_to')] }),
  ],
})

const ids = (steps: StepNode[]): string[] => {
  const out: string[] = []
  for (const s of steps) {
    out.push(s.id)
    for (const [k, b] of Object.entries(s.branches ?? {})) out.push(`${s.id}.${k}:[${ids(b).join(',')}]`)
  }
  return out
}

describe('workflow tree operations (rule 65)', () => {
  test('add at a slot, in the root or in a branch, with a fresh id', () => {
    const d = sample()
    const a = addStep(d, { parent: null, index: 1 }, { kind: 'wait', name: 'Wait', config: {} })
    assert.match(a.stepId, /^s_[0-9a-z]{10}$/)
    assert.deepEqual(
      a.definition.steps.map((s) => s.id),
      ['ask', a.stepId, 'thanks', 'route'],
    )
    const b = addStep(
      a.definition,
      { parent: { stepId: 'route', outcome: 'vip' }, index: 0 },
      { kind: 'add_comment', name: 'x', config: {} },
    )
    assert.deepEqual(
      findStep(b.definition, 'route')!.branches!.vip!.map((s) => s.id),
      [b.stepId, 'vip_assign'],
    )
    assert.equal(countSteps(d.steps), 7, 'the input is never mutated')
  })

  test('rename', () => {
    const d = renameStep(sample(), 'thanks', 'Say thanks')
    assert.equal(findStep(d, 'thanks')!.name, 'Say thanks')
    assert.throws(() => renameStep(sample(), 'nope', 'x'), TreeError)
  })

  test('delete removes the step and everything stemming from it; later steps move up', () => {
    const d = deleteStep(sample(), 'route')
    assert.deepEqual(ids(d.steps), ['ask', 'ask.invalid:[retry,note]', 'thanks'])
    assert.equal(countSteps(d.steps), 4)
    const e = deleteStep(sample(), 'ask')
    assert.deepEqual(ids(e.steps), ['thanks', 'route', 'route.vip:[vip_assign]', 'route.else:[team_assign]'])
  })

  test('move carries the branches; not into its own branches', () => {
    const d = moveStep(sample(), 'ask', { parent: { stepId: 'route', outcome: 'else' }, index: 1 })
    assert.deepEqual(ids(d.steps), [
      'thanks',
      'route',
      'route.vip:[vip_assign]',
      'route.else:[team_assign,ask,ask.invalid:[retry,note]]',
    ])
    const within = moveStep(sample(), 'ask', { parent: null, index: 2 })
    assert.deepEqual(
      within.steps.map((s) => s.id),
      ['thanks', 'ask', 'route'],
    )
    assert.throws(
      () => moveStep(sample(), 'ask', { parent: { stepId: 'ask', outcome: 'invalid' }, index: 0 }),
      /own branches/,
    )
    assert.throws(
      () => moveStep(sample(), 'route', { parent: { stepId: 'vip_assign', outcome: 'timeout' }, index: 0 }),
      /own branches/,
    )
  })

  test('copy and paste within the same workflow only; fresh ids; jumps inside the copy follow the copy', () => {
    const clip = copyStep(sample(), 7, 'ask')
    const pasted = pasteStep(sample(), 7, clip, { parent: null, index: 3 })
    const copy = pasted.definition.steps[3]!
    assert.equal(copy.kind, 'ask_question')
    assert.notEqual(copy.id, 'ask')
    const retry = copy.branches!.invalid![0]!
    assert.notEqual(retry.id, 'retry')
    assert.equal(retry.config.targetStepId, copy.id, 'the copied jump targets the copied question')
    assert.equal(
      findStep(pasted.definition, 'retry')!.config.targetStepId,
      'ask',
      'the original is untouched',
    )
    assert.equal(indexSteps(pasted.definition).size, 10)
    assert.throws(
      () => pasteStep(sample(), 8, clip, { parent: null, index: 0 }),
      /only into the workflow they were copied from/,
    )
  })
})
