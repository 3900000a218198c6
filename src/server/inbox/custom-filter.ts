import { z } from 'zod'

/**
 * Custom inbox filters (rule 46): conditions on contact fields (standard and custom), channel
 * identities, tags, the last interacted channel, the time since the last incoming message,
 * lifecycle stage and assignee, combined with AND/OR groups that nest.
 */
export const STANDARD_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'country', 'language'] as const
export type StandardField = (typeof STANDARD_FIELDS)[number]

export const FIELD_OPERATORS = [
  'is',
  'is_not',
  'contains',
  'not_contains',
  'starts_with',
  'exists',
  'not_exists',
  'greater_than',
  'less_than',
] as const
export type FieldOperator = (typeof FIELD_OPERATORS)[number]

const ref = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

/** `exists` / `not_exists` take no value; every other operator needs one. */
function valueMatchesOperator(c: { operator: string; value?: unknown }, ctx: z.RefinementCtx) {
  const bare = c.operator === 'exists' || c.operator === 'not_exists'
  if (bare && c.value !== undefined)
    ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.operator}" takes no value.` })
  if (!bare && c.value === undefined)
    ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.operator}" needs a value.` })
}

const CONDITION_FIELDS =
  'contact_field, channel, tag, last_interacted_channel, time_since_last_incoming, lifecycle or assignee'

export const conditionSchema = z.discriminatedUnion(
  'field',
  [
    z
      .strictObject({
        field: z.literal('contact_field'),
        /** A standard field name (firstName, email, …) or a custom field key. */
        key: z.string().trim().min(1).max(64),
        operator: z.enum(FIELD_OPERATORS),
        value: z.union([z.string().max(500), z.number().finite(), z.boolean()]).optional(),
      })
      .superRefine(valueMatchesOperator),
    /** The contact has (or has no) identity on this channel. */
    z.strictObject({ field: z.literal('channel'), operator: z.enum(['is', 'is_not']), value: ref }),
    z.strictObject({ field: z.literal('tag'), operator: z.enum(['has', 'has_not']), value: ref }),
    z.strictObject({
      field: z.literal('last_interacted_channel'),
      operator: z.enum(['is', 'is_not']),
      value: ref,
    }),
    z.strictObject({
      field: z.literal('time_since_last_incoming'),
      operator: z.enum(['more_than', 'less_than']),
      value: z.strictObject({
        amount: z.number().int().min(1).max(100_000),
        unit: z.enum(['minutes', 'hours', 'days']),
      }),
    }),
    z
      .strictObject({
        field: z.literal('lifecycle'),
        operator: z.enum(['is', 'is_not', 'exists', 'not_exists']),
        value: ref.optional(),
      })
      .superRefine(valueMatchesOperator),
    /** `me` is whoever looks at the inbox, so one shared inbox works for everyone it is shared with. */
    z
      .strictObject({
        field: z.literal('assignee'),
        operator: z.enum(['is', 'is_not', 'exists', 'not_exists']),
        value: z.union([ref, z.literal('me')]).optional(),
      })
      .superRefine(valueMatchesOperator),
  ],
  { error: `Unknown condition field; use ${CONDITION_FIELDS}.` },
)
export type Condition = z.infer<typeof conditionSchema>

export type FilterGroup = { op: 'and' | 'or'; conditions: (FilterGroup | Condition)[] }

export const MAX_DEPTH = 4
export const MAX_CONDITIONS = 50

/** A union reports only "invalid input"; name the problem inside the item the client meant. */
function itemError(iss: { input?: unknown; errors?: { path: PropertyKey[]; message: string }[][] }) {
  const meantGroup = typeof iss.input === 'object' && iss.input !== null && 'op' in iss.input
  const first = iss.errors?.[meantGroup ? 0 : 1]?.[0]
  return first ? `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` : undefined
}

export const filterSchema: z.ZodType<FilterGroup> = z
  .strictObject({
    op: z.enum(['and', 'or']),
    get conditions() {
      return z
        .array(z.union([filterSchema, conditionSchema], { error: itemError }))
        .min(1, 'A group needs at least one condition.')
        .max(20, 'A group has at most 20 conditions.')
    },
  })
  .meta({ id: 'InboxFilter' })

export const isGroup = (c: FilterGroup | Condition): c is FilterGroup => 'op' in c

/** Visits every condition with its path (for precise 422 messages). */
export function* conditionsOf(
  g: FilterGroup,
  path = 'filter',
  depth = 1,
): Generator<{ condition: Condition; path: string; depth: number }> {
  for (const [i, c] of g.conditions.entries()) {
    const p = `${path}.conditions.${i}`
    if (isGroup(c)) yield* conditionsOf(c, p, depth + 1)
    else yield { condition: c, path: p, depth }
  }
}

export function depthOf(g: FilterGroup): number {
  return 1 + Math.max(0, ...g.conditions.filter(isGroup).map(depthOf))
}
