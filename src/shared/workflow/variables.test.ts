import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { interpolate, parseTemplate, readPath, singleVariable, variablesIn } from './variables'

const values: Record<string, unknown> = {
  'contact.firstname': 'Sara',
  'contact.country': null,
  'contact.score': 7,
  'trigger.order.id': 'A-1',
  'trigger.vip': true,
  CustomerType: 'VIP',
  'trigger.items': [{ sku: 'x' }],
}
const lookup = (name: string) => values[name]

describe('dynamic variables (rules 87–89)', () => {
  test('standard, custom, trigger and workflow variables; numbers and booleans printed', () => {
    assert.equal(
      interpolate(
        'Hi $contact.firstname! Order $trigger.order.id, VIP=$trigger.vip, score $contact.score, type $CustomerType.',
        lookup,
      ),
      'Hi Sara! Order A-1, VIP=true, score 7, type VIP.',
    )
  })

  test('rule 89: a variable with no value is left exactly as written', () => {
    assert.equal(
      interpolate('From $contact.country and $contact.unknown.', lookup),
      'From $contact.country and $contact.unknown.',
    )
  })

  test('fallbacks: a word, or quoted text with spaces', () => {
    assert.equal(
      interpolate('Hello $contact.lastname|there, and $contact.country|"our region".', lookup),
      'Hello there, and our region.',
    )
    assert.equal(interpolate('Hello $contact.firstname|there', lookup), 'Hello Sara')
    assert.equal(interpolate('مرحبا $contact.lastname|عزيزي', lookup), 'مرحبا عزيزي')
  })

  test('what is not a variable stays text: prices, trailing dots, lone dollars', () => {
    assert.deepEqual(variablesIn('Pay $100 or $ 5, see $contact.firstname.'), ['contact.firstname'])
    assert.equal(interpolate('$100 $', lookup), '$100 $')
  })

  test('escaping for JSON bodies and URLs; objects as JSON', () => {
    values['contact.note'] = 'say "hi"\n&'
    assert.equal(interpolate('{"n": "$contact.note"}', lookup, 'json'), '{"n": "say \\"hi\\"\\n&"}')
    assert.equal(
      interpolate('/q?x=$contact.note', lookup, 'url'),
      `/q?x=${encodeURIComponent('say "hi"\n&')}`,
    )
    assert.equal(interpolate('$trigger.items', lookup), '[{"sku":"x"}]')
  })

  test('parsing: names, paths, fallbacks, single-variable templates, nested reads', () => {
    const [t] = parseTemplate('$trigger.order.id|none')
    assert.deepEqual(t, {
      type: 'var',
      name: 'trigger.order.id',
      path: ['trigger', 'order', 'id'],
      fallback: 'none',
      raw: '$trigger.order.id|none',
    })
    assert.equal(singleVariable(' $http.status ')?.name, 'http.status')
    assert.equal(singleVariable('status $http.status'), null)
    assert.equal(readPath({ a: [{ b: 2 }] }, ['a', '0', 'b']), 2)
    assert.equal(readPath({ a: [1] }, ['a', 'x']), undefined)
    assert.equal(readPath({ constructor: 1 }, ['toString']), undefined, 'own properties only')
  })
})
