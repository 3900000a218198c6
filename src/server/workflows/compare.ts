import { z } from 'zod'
import { valueText } from '../../shared/workflow/variables'

/**
 * Rule 73's operators: is / is not / exists / does not exist (documented) and contains / does
 * not contain / greater / less / before / after (the further operators the builder offers).
 * Text compares without case; numbers and dates compare as such.
 */
export const OPERATORS = [
  'is',
  'is_not',
  'exists',
  'not_exists',
  'contains',
  'not_contains',
  'greater',
  'less',
  'before',
  'after',
] as const
export type Operator = (typeof OPERATORS)[number]

export const operatorSchema = z.enum(OPERATORS)

/** Operators that take no value. */
export const UNARY: ReadonlySet<Operator> = new Set(['exists', 'not_exists'])

const norm = (s: string) => s.trim().toLowerCase()

/** Dates as "YYYY-MM-DD", "YYYY-MM-DD HH:mm(:ss)" or ISO 8601; epoch ms or null. */
export function parseDate(s: string): number | null {
  const t = s.trim()
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return null
  const ms = Date.parse(t.length === 10 ? `${t}T00:00:00Z` : t.replace(' ', 'T'))
  return Number.isNaN(ms) ? null : ms
}

function parseNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v)
  return null
}

/**
 * Compares an actual value (a field, a variable, a message text; arrays match if any element
 * does) with the expected text of a condition.
 */
export function compare(actual: unknown, op: Operator, expected: string | undefined): boolean {
  if (Array.isArray(actual)) {
    if (op === 'exists') return actual.length > 0
    if (op === 'not_exists') return actual.length === 0
    if (op === 'is_not' || op === 'not_contains') return actual.every((a) => compare(a, op, expected))
    return actual.some((a) => compare(a, op, expected))
  }
  const text = valueText(actual)
  switch (op) {
    case 'exists':
      return text !== undefined && text.trim() !== ''
    case 'not_exists':
      return text === undefined || text.trim() === ''
    case 'is':
      return text !== undefined && norm(text) === norm(expected ?? '')
    case 'is_not':
      return text === undefined || norm(text) !== norm(expected ?? '')
    case 'contains':
      return text !== undefined && norm(text).includes(norm(expected ?? ''))
    case 'not_contains':
      return text === undefined || !norm(text).includes(norm(expected ?? ''))
    case 'greater':
    case 'less': {
      const a = parseNumber(actual)
      const b = parseNumber(expected)
      if (a === null || b === null) return false
      return op === 'greater' ? a > b : a < b
    }
    case 'before':
    case 'after': {
      const a = actual instanceof Date ? actual.getTime() : text === undefined ? null : parseDate(text)
      const b = expected === undefined ? null : parseDate(expected)
      if (a === null || b === null) return false
      return op === 'before' ? a < b : a > b
    }
  }
}
