/** The ids in a new order after moving one item a step up (-1) or down (+1). */
export function moved(ids: number[], id: number, by: -1 | 1): number[] {
  const i = ids.indexOf(id)
  const j = i + by
  if (i < 0 || j < 0 || j >= ids.length) return ids
  const next = [...ids]
  ;[next[i], next[j]] = [next[j]!, next[i]!]
  return next
}

/** "Customer Tier" → "customer_tier": the variable name a new field suggests. */
export function keyFromName(name: string): string {
  const k = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
  return k.slice(0, 50).replace(/_+$/, '')
}

export const UNITS = { minutes: 1, hours: 60, days: 1440 } as const
export type Unit = keyof typeof UNITS

/** Rule 39: the stored minutes shown in the largest unit that divides them. */
export function splitMinutes(minutes: number): { amount: number; unit: Unit } {
  if (minutes % UNITS.days === 0) return { amount: minutes / UNITS.days, unit: 'days' }
  if (minutes % UNITS.hours === 0) return { amount: minutes / UNITS.hours, unit: 'hours' }
  return { amount: minutes, unit: 'minutes' }
}

type SetupFieldLike = { key: string; in: 'config' | 'secrets'; input: string }

/**
 * The connect wizard's values as the API wants them: dotted keys (`smtp.host`) become nested
 * objects, numbers are numbers, `lines` fields are lists of their non-empty trimmed lines, and
 * empty values are left out.
 */
export function channelPayload(
  setup: SetupFieldLike[],
  values: Record<string, string | boolean | undefined>,
): { config: Record<string, unknown>; secrets: Record<string, unknown> } {
  const out = { config: {} as Record<string, unknown>, secrets: {} as Record<string, unknown> }
  for (const f of setup) {
    const v = values[f.key]
    if (v === undefined || v === '') continue
    let value: unknown = v
    if (f.input === 'number') value = Number(v)
    else if (f.input === 'lines' && typeof v === 'string')
      value = v
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    const path = f.key.split('.')
    let target = f.in === 'config' ? out.config : out.secrets
    for (const part of path.slice(0, -1)) {
      if (typeof target[part] !== 'object' || target[part] === null) target[part] = {}
      target = target[part] as Record<string, unknown>
    }
    target[path[path.length - 1] as string] = value
  }
  return out
}

export type FileKind = 'image' | 'video' | 'audio' | 'document'

/** Bytes in the largest unit that keeps the number at least 1, in the user's locale. */
export function formatSize(bytes: number, language: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value)
}

/** The library's type filter for a MIME type (the server's `type` parameter). */
export function kindOf(mimeType: string): FileKind {
  const top = mimeType.split('/')[0]
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document'
}

/** "PDF" for "prices.pdf": a short badge in place of a thumbnail for files that are not images. */
export function extensionOf(fileName: string): string | null {
  const m = /\.([\p{L}\p{N}]{1,5})$/u.exec(fileName)
  return m ? m[1]!.toUpperCase() : null
}

/**
 * Weekdays (0 = Sunday … 6 = Saturday) in the order the language's calendars show them: the
 * Arabic week starts on Saturday, the English (ISO) one on Monday.
 */
export function weekOrder(language: string): number[] {
  const first = language.startsWith('ar') ? 6 : 1
  return Array.from({ length: 7 }, (_, i) => (first + i) % 7)
}

/** The weekday's name in the language (0 = Sunday); 2025-06-01 was a Sunday. */
export function weekdayName(day: number, language: string): string {
  return new Intl.DateTimeFormat(language, { weekday: 'long', timeZone: 'UTC' }).format(
    Date.UTC(2025, 5, 1 + day),
  )
}
