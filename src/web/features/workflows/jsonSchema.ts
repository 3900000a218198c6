/**
 * The small part of JSON Schema (draft 2020-12, as zod's toJSONSchema writes it) that the builder
 * draws forms from: objects, strings, numbers, booleans, enums, arrays, nullable values (anyOf with
 * null) and discriminated unions (oneOf whose variants share a const property). Pure functions, so
 * the form's behaviour is tested without a browser.
 */
export type JsonSchema = {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null'
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: (string | number)[]
  const?: string | number | boolean
  oneOf?: JsonSchema[]
  anyOf?: JsonSchema[]
  default?: unknown
  description?: string
  minItems?: number
  maxItems?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minLength?: number
  maxLength?: number
  pattern?: string
}

/** `anyOf: [X, {type: null}]` → X, nullable. Other schemas are returned as they are. */
export function unwrapNullable(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const options = s.anyOf
  if (options && options.length === 2 && options.some((o) => o.type === 'null')) {
    const inner = options.find((o) => o.type !== 'null') ?? {}
    return {
      schema: { ...inner, ...(s.default !== undefined ? { default: s.default } : {}) },
      nullable: true,
    }
  }
  return { schema: s, nullable: false }
}

/** The property every variant of a oneOf fixes with a const or an enum (e.g. `type`, `kind`, `category`). */
export function discriminator(variants: JsonSchema[]): string | null {
  const first = variants[0]?.properties ?? {}
  for (const key of Object.keys(first)) {
    if (variants.every((v) => v.properties?.[key]?.const !== undefined || v.properties?.[key]?.enum))
      return key
  }
  return null
}

/** The values a variant's discriminator accepts (a const is one value; an enum several). */
export function variantValues(variant: JsonSchema, key: string): (string | number | boolean)[] {
  const p = variant.properties?.[key]
  if (!p) return []
  if (p.const !== undefined) return [p.const]
  return p.enum ?? []
}

/** Which variant a value is, by its discriminator; the first when it matches none. */
export function variantIndex(variants: JsonSchema[], key: string, value: unknown): number {
  const tag = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined
  const i = variants.findIndex((v) => variantValues(v, key).includes(tag as string))
  return Math.max(i, 0)
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** A fresh id for list items that need one (a Branch step's branches: outcome names). */
export function newItemId(prefix = 'b'): string {
  const bytes = new Uint8Array(6)
  globalThis.crypto.getRandomValues(bytes)
  return `${prefix}_${[...bytes].map((b) => ID_CHARS[b % ID_CHARS.length]).join('')}`
}

/**
 * A starting value for a schema: its default, else the smallest value of its type. Optional object
 * properties without a default are left out; required strings start empty, so an unfinished step is
 * reported by the server's precise problems (rule 64) rather than filled with made-up content.
 */
export function defaultValue(s: JsonSchema, discriminatorValue?: string | number | boolean): unknown {
  if (s.default !== undefined) return structuredClone(s.default)
  const { schema, nullable } = unwrapNullable(s)
  if (nullable) return null
  if (schema.oneOf) {
    const key = discriminator(schema.oneOf)
    const i =
      key && discriminatorValue !== undefined
        ? variantIndex(schema.oneOf, key, { [key]: discriminatorValue })
        : 0
    const variant = schema.oneOf[i] ?? {}
    const value = defaultValue(variant) as Record<string, unknown>
    if (key) value[key] = discriminatorValue ?? variantValues(variant, key)[0]
    return value
  }
  if (schema.const !== undefined) return schema.const
  if (schema.enum) return schema.enum[0]
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      const required = new Set(schema.required ?? [])
      for (const [k, p] of Object.entries(schema.properties ?? {})) {
        if (k === 'id' && required.has(k) && p.type === 'string') out[k] = newItemId()
        else if (required.has(k) || p.default !== undefined) out[k] = defaultValue(p)
      }
      return out
    }
    case 'array': {
      const n = schema.minItems ?? 0
      return Array.from({ length: n }, () => defaultValue(schema.items ?? {}))
    }
    case 'string':
      return ''
    case 'number':
    case 'integer':
      return schema.minimum ?? schema.exclusiveMinimum ?? 0
    case 'boolean':
      return false
    default:
      return null
  }
}

/** Names and labels are shown in the builder, never sent: no variables there. */
const NO_VARIABLES = new Set(['name', 'label', 'fileName', 'contentType', 'timezone', 'language', 'range'])

/** Whether a string field may hold `$variables` (free text, not an identifier or a fixed format). */
export function acceptsVariables(s: JsonSchema, key = ''): boolean {
  return s.type === 'string' && !s.enum && !s.pattern && s.const === undefined && !NO_VARIABLES.has(key)
}

/** The HTML input for a string with a known format (times of day, local date-times). */
export function inputTypeFor(s: JsonSchema): 'time' | 'datetime-local' | 'text' {
  if (s.pattern === '^([01]\\d|2[0-3]):[0-5]\\d$') return 'time'
  if (s.pattern === '^\\d{4}-\\d{2}-\\d{2}T([01]\\d|2[0-3]):[0-5]\\d$') return 'datetime-local'
  return 'text'
}

/** Ids the builder makes (a Branch step's branch ids are outcome names): kept, never edited. */
export function isInternalId(key: string, s: JsonSchema): boolean {
  return key === 'id' && s.type === 'string' && Boolean(s.pattern)
}

/**
 * Fields that only mean something for one choice of a sibling (rules 70, 72, 75, 81): the number
 * bounds for a Number question, the team for "assign to a team"… Only applied when the object has
 * the sibling that decides, so the same key elsewhere (a condition's `value`) is always shown.
 */
const RELEVANT: Record<string, { when: string; is: string[] }> = {
  choices: { when: 'type', is: ['multiple_choice'] },
  min: { when: 'type', is: ['number'] },
  max: { when: 'type', is: ['number'] },
  dateFormat: { when: 'type', is: ['date'] },
  userId: { when: 'action', is: ['user'] },
  teamId: { when: 'action', is: ['team'] },
  logic: { when: 'action', is: ['team', 'workspace'] },
  onlineOnly: { when: 'action', is: ['team', 'workspace'] },
  maxOpenContacts: { when: 'action', is: ['team', 'workspace'] },
  hours: { when: 'mode', is: ['business_hours'] },
}
const RELEVANT_VALUE = { when: 'action', is: ['set'] }

export function isRelevant(
  key: string,
  obj: Record<string, unknown>,
  props: Record<string, JsonSchema>,
): boolean {
  const rule =
    RELEVANT[key] ??
    (key === 'value' && props.action?.enum?.includes('clear') ? RELEVANT_VALUE : undefined) ??
    (key === 'range' && props.mode ? { when: 'mode', is: ['date_range'] } : undefined) ??
    // The workspace's business hours are in the workspace's time zone.
    (key === 'timezone' && props.mode ? { when: 'mode', is: ['business_hours', 'date_range'] } : undefined)
  if (!rule || !(rule.when in props)) return true
  const v = obj[rule.when]
  return v === undefined || rule.is.includes(String(v))
}

/** An optional object without a default (a timeout, a date range): added on request, not half-filled. */
export function isOptionalObject(key: string, parent: JsonSchema, s: JsonSchema): boolean {
  const { schema } = unwrapNullable(s)
  return schema.type === 'object' && s.default === undefined && !(parent.required ?? []).includes(key)
}

/** Text long enough for a textarea (messages, bodies, comments). */
export function isLongText(s: JsonSchema): boolean {
  return s.type === 'string' && (s.maxLength ?? 0) >= 1000
}

/** Inserts text into a value at a caret position (the variables picker). */
export function insertAt(value: string, at: number | null, text: string): { value: string; caret: number } {
  const i = at === null ? value.length : Math.max(0, Math.min(at, value.length))
  const next = value.slice(0, i) + text + value.slice(i)
  return { value: next, caret: i + text.length }
}

/** The variables offered by the picker, from the server's list (rule 88); `<custom field key>` is left out. */
export function variableChoices(v: { contact: string[]; assignee: string[]; system: string[] }): string[] {
  return [
    ...v.contact.filter((n) => /^[a-z_]+$/.test(n)).map((n) => `$contact.${n}`),
    ...v.assignee.map((n) => `$assignee.${n}`),
    ...v.system.map((n) => `$system.${n}`),
  ]
}

/** A copy of a list item (rule 73: a branch is cloned with its conditions) with fresh internal ids. */
export function cloneItem(s: JsonSchema, value: unknown): unknown {
  const copy = structuredClone(value)
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
    for (const [k, p] of Object.entries(s.properties ?? {}))
      if (isInternalId(k, p)) (copy as Record<string, unknown>)[k] = newItemId()
  }
  return copy
}
