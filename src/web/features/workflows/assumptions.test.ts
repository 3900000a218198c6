import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StepNode } from '../../../shared/workflow/definition'
import { assumableSteps, buildChoices } from './assumptions'

const node = (
  id: string,
  kind: StepNode['kind'],
  config: Record<string, unknown> = {},
  branches?: StepNode['branches'],
) => ({ id, kind, name: id, config, ...(branches ? { branches } : {}) }) as StepNode

test('the steps a test run needs an assumption for, anywhere in the tree', () => {
  const steps = [
    node('greet', 'send_message', { failureBranch: false }),
    node(
      'ask',
      'ask_question',
      { timeout: { amount: 1, unit: 'hours' } },
      {
        invalid: [node('lookup', 'http_request'), node('tag', 'update_tag')],
      },
    ),
    node('notify', 'send_message', { failureBranch: true }),
    node('row', 'google_sheets'),
  ]
  assert.deepEqual(
    assumableSteps(steps).map((a) => [a.stepId, a.outcomes, a.answer, a.response]),
    [
      ['ask', ['timeout'], true, false],
      ['lookup', ['failure'], false, true],
      ['notify', ['failure'], false, false],
      ['row', ['failure'], false, false],
    ],
  )
  assert.deepEqual(
    assumableSteps([node('q', 'ask_question', {})])[0]!.outcomes,
    [],
    'no Timeout branch, no timeout choice',
  )
})

test('choices: an outcome wins, empty entries are dropped, a JSON body is parsed', () => {
  assert.deepEqual(
    buildChoices({
      ask: { answer: 'vip@example.com' },
      skipped: { answer: '', status: '' },
      lookup: { status: '200', body: '{"customerType":"VIP"}' },
      text: { status: '503', body: 'Service Unavailable' },
      bad: { status: '42' },
      notify: { outcome: 'failure', answer: 'ignored' },
    }),
    {
      ask: { answer: 'vip@example.com' },
      lookup: { response: { status: 200, body: { customerType: 'VIP' } } },
      text: { response: { status: 503, body: 'Service Unavailable' } },
      notify: { outcome: 'failure' },
    },
  )
})
