import { z } from 'zod'
import { OUTCOME_NAME } from '../../../shared/workflow/definition'
import { tagsOfContacts } from '../../contacts/tags.repo'
import { presenceOf } from '../assignees'
import { compare, operatorSchema, UNARY } from '../compare'
import { lastIncomingMessage } from '../lookups.repo'
import { defineStep, type Reference, type StepContext } from '../step'
import { contactValue } from '../variables'

const value = z.string().max(500).optional()

/** Rule 73's categories. Values may hold $variables. */
const condition = z.discriminatedUnion('category', [
  z.strictObject({
    category: z.literal('contact_field'),
    field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'Choose a contact field.'),
    operator: operatorSchema,
    value,
  }),
  z.strictObject({
    category: z.literal('tag'),
    /** is: has the tag; is_not: does not; exists / not_exists: has any tag / none. */
    operator: z.enum(['is', 'is_not', 'exists', 'not_exists']),
    tagId: z.number().int().positive().optional(),
  }),
  z.strictObject({
    category: z.literal('variable'),
    /** A workflow variable ($trigger.plan, $CustomerType, $http.status) or any $contact/$system variable. */
    variable: z
      .string()
      .regex(/^\$?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'A variable such as $trigger.plan.'),
    operator: operatorSchema,
    value,
  }),
  z.strictObject({
    category: z.literal('assignee_status'),
    operator: z.enum(['is', 'is_not']),
    value: z.enum(['online', 'away', 'offline', 'unassigned']),
  }),
  z.strictObject({
    /** The inbox the contact is in: its assignee's team inbox, or Unassigned (teamId null). */
    category: z.literal('inbox'),
    operator: z.enum(['is', 'is_not']),
    teamId: z.number().int().positive().nullable(),
  }),
  z.strictObject({
    /** The text of the contact's last incoming message; before/after compare when it arrived. */
    category: z.literal('last_incoming_message'),
    operator: operatorSchema,
    value,
  }),
])
type Condition = z.infer<typeof condition>

const branchSchema = z.strictObject({
  /** The outcome name: the key of this branch in the step's `branches`. */
  id: z
    .string()
    .regex(OUTCOME_NAME)
    .refine((id) => id !== 'else', '"else" is the Else branch.'),
  name: z.string().trim().min(1, 'Name the branch.').max(100),
  op: z.enum(['and', 'or']).default('and'),
  conditions: z.array(condition).min(1, 'Add a condition.').max(10, 'At most 10 conditions per branch.'),
})

const configSchema = z
  .strictObject({
    /** Rule 73: 1–9 branches (plus Else), evaluated top to bottom; the first that matches wins. */
    branches: z.array(branchSchema).min(1, 'Add a branch.').max(9, 'At most 9 branches plus Else.'),
  })
  .refine((c) => new Set(c.branches.map((b) => b.id)).size === c.branches.length, {
    message: 'Branch ids must be unique.',
    path: ['branches'],
  })
  .superRefine((c, ctx) => {
    c.branches.forEach((b, i) => {
      b.conditions.forEach((k, j) => {
        const needsValue =
          (k.category === 'contact_field' ||
            k.category === 'variable' ||
            k.category === 'last_incoming_message') &&
          !UNARY.has(k.operator) &&
          k.value === undefined
        if (needsValue)
          ctx.addIssue({
            code: 'custom',
            message: 'This operator needs a value.',
            path: ['branches', i, 'conditions', j, 'value'],
          })
        if (k.category === 'tag' && (k.operator === 'is' || k.operator === 'is_not') && k.tagId === undefined)
          ctx.addIssue({
            code: 'custom',
            message: 'Choose a tag.',
            path: ['branches', i, 'conditions', j, 'tagId'],
          })
      })
    })
  })
type Config = z.infer<typeof configSchema>

async function test(s: StepContext<Config>, k: Condition): Promise<boolean> {
  const expected = 'value' in k && typeof k.value === 'string' ? await s.interpolate(k.value) : undefined
  const tx = s.tx ?? s.ctx.db
  switch (k.category) {
    case 'contact_field':
      return compare(contactValue(await s.contact(), k.field), k.operator, expected)
    case 'variable':
      return compare(await s.variable(k.variable), k.operator, expected)
    case 'tag': {
      const tags = (await tagsOfContacts(tx, s.workspaceId, [s.run.contactId])).map((t) => t.id)
      if (k.operator === 'exists') return tags.length > 0
      if (k.operator === 'not_exists') return tags.length === 0
      const has = tags.includes(k.tagId!)
      return k.operator === 'is' ? has : !has
    }
    case 'assignee_status': {
      const contact = await s.contact()
      const status =
        contact.assigneeUserId === null
          ? 'unassigned'
          : await presenceOf(tx, s.workspaceId, contact.assigneeUserId)
      return (status === k.value) === (k.operator === 'is')
    }
    case 'inbox': {
      const contact = await s.contact()
      const inside = k.teamId === null ? contact.assigneeUserId === null : contact.assigneeTeamId === k.teamId
      return inside === (k.operator === 'is')
    }
    case 'last_incoming_message': {
      const m = await lastIncomingMessage(tx, s.workspaceId, s.run.contactId)
      if (k.operator === 'before' || k.operator === 'after')
        return compare(m?.createdAt, k.operator, expected)
      return compare(m?.text ?? undefined, k.operator, expected)
    }
  }
}

/** Rule 73: the first branch whose conditions hold (AND / OR) wins; otherwise Else. */
export const branch = defineStep({
  kind: 'branch',
  label: 'Branch',
  configSchema,
  outcomes: (c) => ({ continue: null, branches: [...c.branches.map((b) => b.id), 'else'] }),
  references: (c) =>
    c.branches.flatMap((b, i) =>
      b.conditions.flatMap((k, j): Reference[] => {
        const path = `config.branches.${i}.conditions.${j}`
        if (k.category === 'tag' && k.tagId) return [{ kind: 'tag', id: k.tagId, path: `${path}.tagId` }]
        if (k.category === 'inbox' && k.teamId)
          return [{ kind: 'team', id: k.teamId, path: `${path}.teamId` }]
        if (k.category === 'contact_field') return [{ kind: 'field', key: k.field, path: `${path}.field` }]
        return []
      }),
    ),
  async run(s) {
    for (const b of s.config.branches) {
      const results: boolean[] = []
      for (const k of b.conditions) {
        const r = await test(s, k)
        results.push(r)
        if (b.op === 'and' && !r) break
        if (b.op === 'or' && r) break
      }
      const matched =
        b.op === 'and'
          ? results.every(Boolean) && results.length === b.conditions.length
          : results.some(Boolean)
      if (matched) return { next: b.id, output: { matched: b.name } }
    }
    return { next: 'else', output: { matched: 'Else' } }
  },
})
