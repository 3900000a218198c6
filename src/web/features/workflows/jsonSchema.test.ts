import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  acceptsVariables,
  cloneItem,
  defaultValue,
  discriminator,
  inputTypeFor,
  insertAt,
  isInternalId,
  isOptionalObject,
  isRelevant,
  type JsonSchema,
  unwrapNullable,
  variableChoices,
  variantIndex,
} from './jsonSchema'

// Shapes as zod 4's toJSONSchema writes them for the step configs (see /workflow-schema).
const text: JsonSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', const: 'text' },
    text: { type: 'string', minLength: 1, maxLength: 2000 },
  },
  required: ['type', 'text'],
}
const media: JsonSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['image', 'video', 'audio', 'file'] },
    url: { type: 'string', maxLength: 2000 },
  },
  required: ['type'],
}
const sendMessage: JsonSchema = {
  type: 'object',
  properties: {
    channelId: { default: null, anyOf: [{ type: 'integer', exclusiveMinimum: 0 }, { type: 'null' }] },
    message: { oneOf: [text, media] },
    channelResponses: { default: [], type: 'array', items: { type: 'object' } },
    failureBranch: { default: false, type: 'boolean' },
  },
  required: ['message'],
}

test('a new Send a Message step starts as an empty text message on the last interacted channel', () => {
  assert.deepEqual(defaultValue(sendMessage), {
    channelId: null,
    message: { type: 'text', text: '' },
    channelResponses: [],
    failureBranch: false,
  })
})

test('discriminated unions: the shared const/enum property picks the variant', () => {
  assert.equal(discriminator([text, media]), 'type')
  assert.equal(variantIndex([text, media], 'type', { type: 'video' }), 1)
  assert.equal(variantIndex([text, media], 'type', { type: 'text', text: 'hi' }), 0)
  assert.equal(variantIndex([text, media], 'type', undefined), 0)
  assert.deepEqual(defaultValue({ oneOf: [text, media] }, 'audio'), { type: 'audio' })
})

test('nullable values unwrap to their type; optional properties without a default are left out', () => {
  const u = unwrapNullable({ anyOf: [{ type: 'integer' }, { type: 'null' }] })
  assert.equal(u.nullable, true)
  assert.equal(u.schema.type, 'integer')
  assert.equal(unwrapNullable({ type: 'string' }).nullable, false)
  assert.deepEqual(
    defaultValue({
      type: 'object',
      properties: {
        field: { type: 'string' },
        value: { type: 'string' },
        action: { default: 'set', type: 'string' },
      },
      required: ['field'],
    }),
    { field: '', action: 'set' },
  )
})

test('a Branch step starts with one branch holding one condition, with a fresh outcome id', () => {
  const condition: JsonSchema = {
    oneOf: [
      {
        type: 'object',
        properties: { category: { type: 'string', const: 'contact_field' }, field: { type: 'string' } },
        required: ['category', 'field'],
      },
      { type: 'object', properties: { category: { type: 'string', const: 'tag' } }, required: ['category'] },
    ],
  }
  const branch: JsonSchema = {
    type: 'object',
    properties: {
      branches: {
        minItems: 1,
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
            name: { type: 'string', minLength: 1 },
            op: { default: 'and', type: 'string', enum: ['and', 'or'] },
            conditions: { minItems: 1, type: 'array', items: condition },
          },
          required: ['id', 'name', 'conditions'],
        },
      },
    },
    required: ['branches'],
  }
  const v = defaultValue(branch) as {
    branches: { id: string; name: string; op: string; conditions: unknown[] }[]
  }
  assert.equal(v.branches.length, 1)
  assert.match(v.branches[0]!.id, /^b_[a-z0-9]{6}$/)
  assert.equal(v.branches[0]!.op, 'and')
  assert.deepEqual(v.branches[0]!.conditions, [{ category: 'contact_field', field: '' }])
  const again = defaultValue(branch) as typeof v
  assert.notEqual(again.branches[0]!.id, v.branches[0]!.id, 'every new branch gets its own outcome id')
})

test('variables: offered for free text only, inserted at the caret (rules 87–88)', () => {
  assert.equal(acceptsVariables({ type: 'string', maxLength: 2000 }), true)
  assert.equal(acceptsVariables({ type: 'string', pattern: '^[A-Z]{3}$' }), false)
  assert.equal(acceptsVariables({ type: 'string', enum: ['a'] }), false)
  assert.deepEqual(insertAt('Hello !', 6, '$contact.firstname'), {
    value: 'Hello $contact.firstname!',
    caret: 24,
  })
  assert.deepEqual(insertAt('Hi', null, ' $contact.name'), { value: 'Hi $contact.name', caret: 16 })
  assert.deepEqual(
    variableChoices({
      contact: ['name', 'email', '<custom field key>'],
      assignee: ['name'],
      system: ['current_date'],
    }),
    ['$contact.name', '$contact.email', '$assignee.name', '$system.current_date'],
  )
})

test('fields shown only where they mean something; internal ids hidden; formats get their inputs', () => {
  const ask: Record<string, JsonSchema> = {
    type: { type: 'string', enum: ['text', 'number', 'multiple_choice'] },
    choices: { type: 'array' },
    min: { type: 'number' },
  }
  assert.equal(isRelevant('choices', { type: 'multiple_choice' }, ask), true)
  assert.equal(isRelevant('choices', { type: 'email' }, ask), false)
  assert.equal(isRelevant('min', { type: 'number' }, ask), true)
  assert.equal(isRelevant('min', { type: 'text' }, ask), false)
  // update_field's value only for "set"; a Branch condition's value is always shown.
  const update: Record<string, JsonSchema> = {
    action: { type: 'string', enum: ['set', 'clear'] },
    value: { type: 'string' },
  }
  assert.equal(isRelevant('value', { action: 'clear' }, update), false)
  assert.equal(isRelevant('value', { action: 'set' }, update), true)
  assert.equal(
    isRelevant('value', { operator: 'is' }, { operator: { type: 'string' }, value: { type: 'string' } }),
    true,
  )
  // assign_to: the team only for "a team".
  const assign: Record<string, JsonSchema> = { action: { type: 'string' }, teamId: { type: 'integer' } }
  assert.equal(isRelevant('teamId', { action: 'user' }, assign), false)
  assert.equal(isRelevant('teamId', { action: 'team' }, assign), true)
  const dateTime: Record<string, JsonSchema> = {
    mode: { type: 'string', enum: ['business_hours', 'date_range', 'workspace_hours'] },
    timezone: { type: 'string' },
  }
  assert.equal(isRelevant('timezone', { mode: 'date_range' }, dateTime), true)
  assert.equal(isRelevant('timezone', { mode: 'workspace_hours' }, dateTime), false)
  assert.equal(isRelevant('timezone', {}, { timezone: {} }), true)

  assert.equal(isInternalId('id', { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' }), true)
  assert.equal(isInternalId('name', { type: 'string' }), false)
  assert.equal(inputTypeFor({ type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }), 'time')
  assert.equal(
    inputTypeFor({ type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T([01]\\d|2[0-3]):[0-5]\\d$' }),
    'datetime-local',
  )
  assert.equal(acceptsVariables({ type: 'string' }, 'name'), false, 'a branch name is not sent: no variables')

  const parent: JsonSchema = { type: 'object', required: ['duration'] }
  const duration: JsonSchema = { type: 'object', properties: { amount: { type: 'integer' } } }
  assert.equal(isOptionalObject('timeout', parent, duration), true)
  assert.equal(isOptionalObject('duration', parent, duration), false)
})

test('rule 73: a cloned branch keeps its conditions and gets its own outcome id', () => {
  const item: JsonSchema = {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
      name: { type: 'string' },
      conditions: { type: 'array' },
    },
  }
  const original = { id: 'vip', name: 'VIP', conditions: [{ category: 'tag', operator: 'is', tagId: 3 }] }
  const copy = cloneItem(item, original) as typeof original
  assert.notEqual(copy.id, 'vip')
  assert.match(copy.id, /^b_[a-z0-9]{6}$/)
  assert.deepEqual({ ...copy, id: 'vip' }, original)
  copy.conditions[0]!.tagId = 4
  assert.equal(original.conditions[0]!.tagId, 3, 'a deep copy')
})
