import { STANDARD_TARGETS, type StandardTarget } from '../../shared/contact-import'
import type { ImportMapping, ImportOptions } from '../db/schema'
import type { ContactRow } from './contacts.repo'
import type { CustomFieldRow } from './fields.repo'
import { type CustomValue, checkCustomValue } from './fields.values'
import { normalizeCountry, normalizeEmail, normalizeLanguage, normalizePhone } from './standard-fields'

/**
 * Rule 57, the pure part of a CSV import: which columns go where, what a row means, and what
 * happens to it (create, update, skip, fail). The same code plans the Review (dry run) and runs
 * the import, so the review's counts are what the import does.
 */
export type ImportMode = ImportOptions['mode']

const LABELS: Record<StandardTarget, string> = {
  firstName: 'First Name',
  lastName: 'Last Name',
  phone: 'Phone',
  email: 'Email',
  country: 'Country',
  language: 'Language',
  lifecycle: 'Lifecycle',
  tags: 'Tags',
}

type Problem = { path: string; message: string }

/** Checks a mapping against the file's headers, the workspace's fields and the mode. */
export function checkMapping(
  headers: string[],
  mapping: ImportMapping,
  fields: CustomFieldRow[],
  mode: ImportMode,
): Problem[] {
  const problems: Problem[] = []
  const used = new Map<string, number>()
  const keys = new Set(fields.map((f) => f.key))
  mapping.forEach((m, i) => {
    if (!headers.includes(m.column)) {
      problems.push({ path: `columns.${i}.column`, message: `The file has no column "${m.column}".` })
    }
    if (m.target === 'ignore') return
    const valid =
      (STANDARD_TARGETS as readonly string[]).includes(m.target) ||
      (m.target.startsWith('custom.') && keys.has(m.target.slice(7)))
    if (!valid) {
      problems.push({
        path: `columns.${i}.target`,
        message: m.target.startsWith('custom.')
          ? `There is no contact field with the key "${m.target.slice(7)}".`
          : `Unknown target "${m.target}".`,
      })
      return
    }
    const before = used.get(m.target)
    if (before !== undefined) {
      problems.push({
        path: `columns.${i}.target`,
        message: `"${m.target}" is already mapped from column "${mapping[before]!.column}".`,
      })
    }
    used.set(m.target, i)
  })
  if (new Set(mapping.map((m) => m.column)).size !== mapping.length) {
    problems.push({ path: 'columns', message: 'Map each column at most once.' })
  }
  if (mode !== 'update_only' && !used.has('firstName')) {
    problems.push({
      path: 'columns',
      message: 'Map a First Name column: it is required to add new contacts.',
    })
  }
  if (mode !== 'add_all' && !used.has('phone') && !used.has('email')) {
    problems.push({
      path: 'columns',
      message:
        'Map a phone or email column to find existing contacts, or choose "Add all contacts despite duplicates".',
    })
  }
  return problems
}

/** What the import reads from a header, when it recognizes it (the user confirms in Mapping). */
export function suggestTarget(header: string, fields: CustomFieldRow[]): string {
  const h = header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
  const standard: Record<string, StandardTarget> = {
    'first name': 'firstName',
    firstname: 'firstName',
    name: 'firstName',
    'last name': 'lastName',
    lastname: 'lastName',
    surname: 'lastName',
    phone: 'phone',
    'phone number': 'phone',
    mobile: 'phone',
    whatsapp: 'phone',
    email: 'email',
    'email address': 'email',
    'e mail': 'email',
    country: 'country',
    language: 'language',
    lifecycle: 'lifecycle',
    'lifecycle stage': 'lifecycle',
    tags: 'tags',
  }
  if (standard[h]) return standard[h]
  const field = fields.find((f) => f.key === h.replace(/ /g, '_') || f.name.trim().toLowerCase() === h)
  return field ? `custom.${field.key}` : 'ignore'
}

export type RowValues = {
  firstName?: string
  lastName?: string
  phone?: string
  /** The country of the phone number (rule 54). */
  phoneCountry?: string | null
  email?: string
  country?: string
  language?: string
  lifecycleStageId?: number
  tags: string[]
  custom: Record<string, CustomValue>
}

export type ParsedRow =
  | { kind: 'empty' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'ok'; values: RowValues }

/**
 * Reads one CSV record with the mapping. Blank cells mean "no value" (they never clear an
 * existing contact's data). Every problem of the row is reported together.
 */
export function rowReader(
  headers: string[],
  mapping: ImportMapping,
  fields: CustomFieldRow[],
  stages: { id: number; name: string }[],
): (cells: string[]) => ParsedRow {
  const columns = mapping
    .filter((m) => m.target !== 'ignore')
    .map((m) => ({ index: headers.indexOf(m.column), target: m.target }))
  const byKey = new Map(fields.map((f) => [f.key, f]))
  const stageByName = new Map(stages.map((s) => [s.name.toLowerCase(), s.id]))
  return (cells) => {
    if (cells.length > headers.length) {
      return {
        kind: 'invalid',
        reason: `The row has ${cells.length} cells; the header has ${headers.length}.`,
      }
    }
    if (cells.every((c) => c.trim() === '')) return { kind: 'empty' }
    const v: RowValues = { tags: [], custom: {} }
    const errors: string[] = []
    for (const { index, target } of columns) {
      const raw = (cells[index] ?? '').trim()
      if (raw === '') continue
      if (target.startsWith('custom.')) {
        const field = byKey.get(target.slice(7))!
        const r = checkCustomValue(field, raw, 'text')
        if (!r.ok) errors.push(`${field.name}: ${r.message}`)
        else if (r.value !== null) v.custom[field.key] = r.value
        continue
      }
      const t = target as StandardTarget
      const fail = (message: string) => errors.push(`${LABELS[t]}: ${message}`)
      switch (t) {
        case 'firstName':
        case 'lastName':
          if (raw.length > 100) fail('At most 100 characters.')
          else v[t] = raw
          break
        case 'phone': {
          const r = normalizePhone(raw)
          if (r.ok) {
            v.phone = r.value.e164
            v.phoneCountry = r.value.country
          } else fail(r.message)
          break
        }
        case 'email': {
          const r = normalizeEmail(raw)
          if (r.ok) v.email = r.value
          else fail(r.message)
          break
        }
        case 'country': {
          const r = normalizeCountry(raw)
          if (r.ok) v.country = r.value
          else fail(r.message)
          break
        }
        case 'language': {
          const r = normalizeLanguage(raw)
          if (r.ok) v.language = r.value
          else fail(r.message)
          break
        }
        case 'lifecycle': {
          const id = stageByName.get(raw.toLowerCase())
          if (id === undefined) fail(`There is no lifecycle stage named "${raw}".`)
          else v.lifecycleStageId = id
          break
        }
        case 'tags': {
          const names = raw
            .split(/[,;|]/)
            .map((s) => s.trim())
            .filter(Boolean)
          if (names.some((n) => n.length > 50)) fail('Tag names are at most 50 characters.')
          else v.tags = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()]
          break
        }
      }
    }
    if (errors.length) return { kind: 'invalid', reason: errors.join('; ') }
    return { kind: 'ok', values: v }
  }
}

export type Existing = Pick<
  ContactRow,
  'id' | 'firstName' | 'lastName' | 'phone' | 'email' | 'country' | 'language' | 'lifecycleStageId' | 'custom'
>

/** A contact the batch will create; later rows with the same phone or email update it in place. */
export type NewContact = {
  firstName: string
  lastName: string
  phone: string | null
  email: string | null
  country: string | null
  language: string | null
  lifecycleStageId: number | null
  custom: Record<string, CustomValue>
  tags: Set<string>
  rows: number[]
}

/** An existing contact the batch changes; `changes` are contact.updated's keys. */
export type ContactUpdate = {
  before: Existing
  after: Omit<Existing, 'id'>
  changes: Set<string>
  tags: Set<string>
}

export type RowOutcome = {
  row: number
  outcome: 'created' | 'updated' | 'skipped' | 'failed'
  reason: string
  /** The created contact, or the existing contact's id. */
  target: NewContact | number | null
}

export type BatchPlan = { creates: NewContact[]; updates: Map<number, ContactUpdate>; outcomes: RowOutcome[] }

const keysOf = (v: { phone?: string | null; email?: string | null }) => [
  ...(v.phone ? [`p:${v.phone}`] : []),
  ...(v.email ? [`e:${v.email}`] : []),
]

function apply<T extends Omit<Existing, 'id'>>(c: T, v: RowValues, changes?: Set<string>): T {
  const set = <K extends keyof Omit<Existing, 'id'>>(k: K, value: T[K] | undefined) => {
    if (value === undefined || value === c[k]) return
    c[k] = value
    changes?.add(k === 'lifecycleStageId' ? 'lifecycle' : k)
  }
  set('firstName', v.firstName)
  set('lastName', v.lastName)
  const phoneChanged = v.phone !== undefined && v.phone !== c.phone
  set('phone', v.phone)
  // Rule 54: the country follows a new phone number unless the row gives one.
  set('country', v.country ?? (phoneChanged ? (v.phoneCountry ?? undefined) : undefined))
  set('email', v.email)
  set('language', v.language)
  set('lifecycleStageId', v.lifecycleStageId)
  for (const [key, value] of Object.entries(v.custom)) {
    if (c.custom[key] !== value) {
      c.custom = { ...c.custom, [key]: value }
      changes?.add(`custom.${key}`)
    }
  }
  return c
}

/**
 * Decides each row of a batch. `matches` are the workspace's contacts with the batch's phones
 * or emails (the oldest wins when several share one); `earlier` holds the phones and emails of
 * contacts a dry run would already have created in previous batches.
 */
export function planBatch(
  rows: { row: number; parsed: ParsedRow }[],
  matches: Existing[],
  mode: ImportMode,
  earlier: Set<string> = new Set(),
): BatchPlan {
  const byKey = new Map<string, Existing>()
  for (const c of [...matches].sort((a, b) => a.id - b.id)) {
    for (const k of keysOf(c)) if (!byKey.has(k)) byKey.set(k, c)
  }
  const pending = new Map<string, NewContact>()
  const creates: NewContact[] = []
  const updates = new Map<number, ContactUpdate>()
  const outcomes: RowOutcome[] = []

  for (const { row, parsed } of rows) {
    if (parsed.kind === 'empty') {
      outcomes.push({ row, outcome: 'skipped', reason: 'The row is empty.', target: null })
      continue
    }
    if (parsed.kind === 'invalid') {
      outcomes.push({ row, outcome: 'failed', reason: parsed.reason, target: null })
      continue
    }
    const v = parsed.values
    const keys = keysOf(v)
    const create = () => {
      if (!v.firstName) {
        outcomes.push({
          row,
          outcome: 'failed',
          reason: 'First Name is required to add a new contact.',
          target: null,
        })
        return
      }
      const c = apply<NewContact>(
        {
          firstName: '',
          lastName: '',
          phone: null,
          email: null,
          country: null,
          language: null,
          lifecycleStageId: null,
          custom: {},
          tags: new Set(),
          rows: [row],
        },
        v,
      )
      for (const t of v.tags) c.tags.add(t)
      creates.push(c)
      for (const k of keys) if (!pending.has(k)) pending.set(k, c)
      outcomes.push({ row, outcome: 'created', reason: '', target: c })
    }
    if (mode === 'add_all') {
      create()
      continue
    }
    if (keys.length === 0) {
      outcomes.push({
        row,
        outcome: 'failed',
        reason: 'A phone number or email address is needed to match contacts.',
        target: null,
      })
      continue
    }
    // Phone first, then email: the first key that finds a contact decides.
    const samePending = keys.map((k) => pending.get(k)).find(Boolean)
    const sameExisting = samePending ? undefined : keys.map((k) => byKey.get(k)).find(Boolean)
    const sameEarlier = samePending || sameExisting ? false : keys.some((k) => earlier.has(k))
    const found = samePending ?? sameExisting ?? (sameEarlier || undefined)
    if (!found) {
      if (mode === 'update_only') {
        outcomes.push({
          row,
          outcome: 'skipped',
          reason: 'No contact has this phone number or email.',
          target: null,
        })
      } else create()
      continue
    }
    if (mode === 'add_only') {
      outcomes.push({
        row,
        outcome: 'skipped',
        reason: 'A contact with this phone number or email exists.',
        target: null,
      })
      continue
    }
    if (samePending) {
      apply(samePending, v)
      for (const t of v.tags) samePending.tags.add(t)
      samePending.rows.push(row)
      for (const k of keys) if (!pending.has(k)) pending.set(k, samePending)
      outcomes.push({
        row,
        outcome: 'updated',
        reason: `Same contact as row ${samePending.rows[0]}.`,
        target: samePending,
      })
    } else if (sameExisting) {
      let u = updates.get(sameExisting.id)
      if (!u) {
        const { id: _id, ...after } = sameExisting
        u = { before: sameExisting, after: { ...after }, changes: new Set(), tags: new Set() }
        updates.set(sameExisting.id, u)
      }
      apply(u.after, v, u.changes)
      for (const t of v.tags) u.tags.add(t)
      outcomes.push({ row, outcome: 'updated', reason: '', target: sameExisting.id })
    } else {
      outcomes.push({ row, outcome: 'updated', reason: 'Same contact as an earlier row.', target: null })
    }
  }
  return { creates, updates, outcomes }
}

/** Phones and emails a batch needs to look up. */
export function identifiersOf(rows: ParsedRow[]): { phones: string[]; emails: string[] } {
  const phones = new Set<string>()
  const emails = new Set<string>()
  for (const r of rows) {
    if (r.kind !== 'ok') continue
    if (r.values.phone) phones.add(r.values.phone)
    if (r.values.email) emails.add(r.values.email)
  }
  return { phones: [...phones], emails: [...emails] }
}

export { keysOf as identifierKeys }
