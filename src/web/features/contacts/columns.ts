import type { ContactField } from '../../api/types'

/** Standard columns of the contacts table; custom fields add `cf.<key>` columns. */
export const STANDARD_COLUMNS = [
  'phone',
  'email',
  'country',
  'language',
  'lifecycle',
  'tags',
  'assignee',
  'status',
  'createdAt',
] as const
export type StandardColumn = (typeof STANDARD_COLUMNS)[number]
export const DEFAULT_COLUMNS: string[] = ['phone', 'email', 'lifecycle', 'tags', 'createdAt']

const storageKey = (userId: number, ws: number) => `tawasul.contacts.columns.${userId}.${ws}`

/** The columns this user picked in this workspace (kept in localStorage), minus deleted fields. */
export function loadColumns(userId: number, ws: number, fields: ContactField[]): string[] {
  let saved: unknown = null
  try {
    saved = JSON.parse(localStorage.getItem(storageKey(userId, ws)) ?? 'null')
  } catch {
    saved = null
  }
  const list = Array.isArray(saved)
    ? saved.filter((c): c is string => typeof c === 'string')
    : DEFAULT_COLUMNS
  const known = new Set<string>([...STANDARD_COLUMNS, ...fields.map((f) => `cf.${f.key}`)])
  return list.filter((c) => known.has(c))
}

export function saveColumns(userId: number, ws: number, columns: string[]): void {
  localStorage.setItem(storageKey(userId, ws), JSON.stringify(columns))
}
