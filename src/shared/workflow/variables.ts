/**
 * Dynamic variables (rules 87–89): `$` + a name, dot-separated paths, and an optional fallback.
 *
 *   $contact.firstname            standard and custom contact fields ($contact.city)
 *   $assignee.name                the contact's assignee
 *   $system.current_date          date and time in the workspace time zone
 *   $trigger.order.id             the trigger's data (webhook body, shortcut form)
 *   $http.status, $CustomerType   step outputs and answers (workflow variables)
 *   $contact.firstname|there      fallback for a missing value (a word: letters, digits, _ or -)
 *   $contact.firstname|"dear customer"   a quoted fallback may hold spaces
 *
 * Rule 89: a variable with no value and no fallback is left exactly as written.
 */

export type Token =
  | { type: 'text'; value: string }
  | { type: 'var'; name: string; path: string[]; fallback: string | null; raw: string }

const VAR =
  /\$([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)(?:\|(?:"([^"\n]{0,200})"|([\p{L}\p{N}_-]{1,100})))?/gu

export const ROOTS = ['contact', 'assignee', 'system', 'trigger'] as const

/** Splits a template into text and variables. */
export function parseTemplate(template: string): Token[] {
  const out: Token[] = []
  let last = 0
  for (const m of template.matchAll(VAR)) {
    const at = m.index ?? 0
    if (at > last) out.push({ type: 'text', value: template.slice(last, at) })
    const name = m[1]!
    out.push({
      type: 'var',
      name,
      path: name.split('.'),
      fallback: m[2] ?? m[3] ?? null,
      raw: m[0],
    })
    last = at + m[0].length
  }
  if (last < template.length) out.push({ type: 'text', value: template.slice(last) })
  return out
}

/** The variable names a template uses (for the builder's highlighting and checks). */
export function variablesIn(template: string): string[] {
  return parseTemplate(template).flatMap((t) => (t.type === 'var' ? [t.name] : []))
}

/** A value as text: numbers and booleans printed, objects as JSON; null and '' are "no value". */
export function valueText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined
  if (typeof v === 'string') return v === '' ? undefined : v
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (v instanceof Date) return v.toISOString()
  return JSON.stringify(v)
}

/** Follows a dotted path into nested objects and arrays. */
export function readPath(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root
  for (const key of path) {
    if (cur === null || cur === undefined) return undefined
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key)) return undefined
      cur = cur[Number(key)]
    } else if (typeof cur === 'object') {
      if (!Object.hasOwn(cur, key)) return undefined
      cur = (cur as Record<string, unknown>)[key]
    } else return undefined
  }
  return cur
}

export type Escape = 'none' | 'json' | 'url'

function escapeFor(value: string, how: Escape): string {
  if (how === 'json') return JSON.stringify(value).slice(1, -1)
  if (how === 'url') return encodeURIComponent(value)
  return value
}

/**
 * Replaces the variables of a template. `lookup` returns a variable's value (undefined when it
 * has none). Values are escaped for where they land: inside a JSON string, or a URL component.
 */
export function interpolate(
  template: string,
  lookup: (name: string, path: string[]) => unknown,
  how: Escape = 'none',
): string {
  let out = ''
  for (const t of parseTemplate(template)) {
    if (t.type === 'text') {
      out += t.value
      continue
    }
    const text = valueText(lookup(t.name, t.path))
    if (text !== undefined) out += escapeFor(text, how)
    else if (t.fallback !== null) out += escapeFor(t.fallback, how)
    else out += t.raw // rule 89
  }
  return out
}

/** The value of a template that is exactly one variable (keeps numbers and objects typed). */
export function singleVariable(template: string): Extract<Token, { type: 'var' }> | null {
  const tokens = parseTemplate(template.trim())
  const only = tokens[0]
  return tokens.length === 1 && only?.type === 'var' ? only : null
}
