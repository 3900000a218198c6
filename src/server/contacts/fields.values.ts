import type { customFields } from '../db/schema'
import { type Checked, normalizeEmail } from './standard-fields'

export const FIELD_TYPES = ['text', 'list', 'checkbox', 'email', 'number', 'url', 'date', 'time'] as const
export type FieldType = (typeof FIELD_TYPES)[number]
export type FieldDef = Pick<typeof customFields.$inferSelect, 'key' | 'type' | 'options'>
export type CustomValue = string | number | boolean

/** Rule 49: these custom field types are searched exactly; checkbox, date and time only filter. */
export const SEARCHABLE_TYPES: ReadonlySet<FieldType> = new Set(['text', 'list', 'email', 'number', 'url'])

export const MAX_TEXT = 2000

const fail = (message: string): Checked<never> => ({ ok: false, message })

export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const dt = new Date(Date.UTC(y, mo - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d
}

export const isTime = (s: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s)

function isHttpUrl(s: string): boolean {
  if (s.length > 2048) return false
  try {
    const u = new URL(s)
    return (u.protocol === 'http:' || u.protocol === 'https:') && Boolean(u.hostname)
  } catch {
    return false
  }
}

/**
 * Validates one custom field value (rule 55). `from` says whether it came as JSON (typed values)
 * or as text (a CSV cell, a query string), where "true" and "12.5" are read by the field's type.
 * `null` (and a blank string) means "no value"; the caller removes the key.
 */
export function checkCustomValue(
  field: FieldDef,
  input: unknown,
  from: 'json' | 'text',
): Checked<CustomValue | null> {
  if (input === null || input === undefined) return { ok: true, value: null }
  if (typeof input === 'string' && input.trim() === '') return { ok: true, value: null }
  switch (field.type) {
    case 'checkbox': {
      if (typeof input === 'boolean') return { ok: true, value: input }
      if (from === 'text' && typeof input === 'string') {
        const s = input.trim().toLowerCase()
        if (['true', 'yes', '1'].includes(s)) return { ok: true, value: true }
        if (['false', 'no', '0'].includes(s)) return { ok: true, value: false }
      }
      return fail('Expected true or false.')
    }
    case 'number': {
      if (typeof input === 'number')
        return Number.isFinite(input) ? { ok: true, value: input } : fail('Expected a number.')
      if (from === 'text' && typeof input === 'string' && /^-?\d+(\.\d+)?$/.test(input.trim())) {
        return { ok: true, value: Number(input.trim()) }
      }
      return fail('Expected a number.')
    }
    default:
      break
  }
  if (typeof input !== 'string') return fail('Expected text.')
  const s = input.trim()
  switch (field.type) {
    case 'text':
      return s.length <= MAX_TEXT ? { ok: true, value: s } : fail(`At most ${MAX_TEXT} characters.`)
    case 'list': {
      const option =
        field.options.find((o) => o === s) ?? field.options.find((o) => o.toLowerCase() === s.toLowerCase())
      return option !== undefined
        ? { ok: true, value: option }
        : fail(`Must be one of: ${field.options.join(', ')}.`)
    }
    case 'email':
      return normalizeEmail(s)
    case 'url':
      return isHttpUrl(s) ? { ok: true, value: s } : fail('Expected an http(s) URL.')
    case 'date':
      return isDate(s) ? { ok: true, value: s } : fail('Expected a date as YYYY-MM-DD.')
    case 'time':
      return isTime(s) ? { ok: true, value: s } : fail('Expected a time as HH:mm (24-hour).')
    default:
      return fail('Unsupported field type.')
  }
}

/**
 * Checks a set of custom values against the workspace's fields. Returns the normalized values
 * (null = remove) and a problem per bad key, with the path `custom.<key>`.
 */
export function checkCustomValues(
  fields: FieldDef[],
  input: Record<string, unknown>,
  from: 'json' | 'text',
): { values: Record<string, CustomValue | null>; problems: { path: string; message: string }[] } {
  const byKey = new Map(fields.map((f) => [f.key, f]))
  const values: Record<string, CustomValue | null> = {}
  const problems: { path: string; message: string }[] = []
  for (const [key, raw] of Object.entries(input)) {
    const field = byKey.get(key)
    if (!field) {
      problems.push({ path: `custom.${key}`, message: 'Unknown contact field.' })
      continue
    }
    const r = checkCustomValue(field, raw, from)
    if (r.ok) values[key] = r.value
    else problems.push({ path: `custom.${key}`, message: r.message })
  }
  return { values, problems }
}

/** Applies checked values to a contact's custom object; returns the new object and the changed keys. */
export function applyCustomValues(
  current: Record<string, unknown>,
  values: Record<string, CustomValue | null>,
): { custom: Record<string, CustomValue>; changed: string[] } {
  const custom = { ...current } as Record<string, CustomValue>
  const changed: string[] = []
  for (const [key, value] of Object.entries(values)) {
    if (value === null) {
      if (key in custom) {
        delete custom[key]
        changed.push(key)
      }
    } else if (custom[key] !== value) {
      custom[key] = value
      changed.push(key)
    }
  }
  return { custom, changed }
}
