import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { ValidationError } from '../errors'
import type { ContactRow } from './contacts.repo'
import { type CustomFieldRow, listFields } from './fields.repo'
import { type CustomValue, checkCustomValue, SEARCHABLE_TYPES } from './fields.values'
import {
  type ContactQuery,
  type Cursor,
  type CustomCondition,
  type IdCursor,
  listContactsByIdPage,
  listContactsPage,
} from './search.repo'
import type { ContactFiltersInput } from './search.schema'
import { groupTags, type TagRow, tagsOfContacts } from './tags.repo'

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Rule 49: partial on first name, last name and phone; exact on email and on text, list, email,
 * number and url custom fields. A query that looks like a phone number is reduced to its digits,
 * without leading zeros, so "050 123 4567" finds +966501234567.
 */
export function searchOf(q: string, fields: CustomFieldRow[]): NonNullable<ContactQuery['search']> {
  const phoneLike = /^[+\d\s().-]+$/.test(q) && (q.match(/\d/g)?.length ?? 0) >= 3
  const text = phoneLike ? q.replace(/\D/g, '').replace(/^0+/, '') || q.replace(/\D/g, '') : q
  const custom: { key: string; value: CustomValue }[] = []
  for (const f of fields) {
    if (!SEARCHABLE_TYPES.has(f.type)) continue
    const r = checkCustomValue(f, q, 'text')
    if (r.ok && r.value !== null) custom.push({ key: f.key, value: r.value })
  }
  return {
    pattern: text ? `%${escapeLike(text)}%` : null,
    email: q.includes('@') ? q.toLowerCase() : null,
    custom,
  }
}

function customConditions(specs: string[], fields: CustomFieldRow[]): CustomCondition[] {
  const problems: { path: string; message: string }[] = []
  const out: CustomCondition[] = []
  const byKey = new Map(fields.map((f) => [f.key, f]))
  for (const spec of specs) {
    const i = spec.indexOf(':')
    const key = i < 0 ? spec : spec.slice(0, i)
    const raw = i < 0 ? '' : spec.slice(i + 1)
    const field = byKey.get(key)
    const bad = (message: string) => problems.push({ path: `cf.${key}`, message })
    if (!field) {
      bad('Unknown contact field; use cf=<key>:<value>.')
      continue
    }
    if (raw === '') {
      out.push({ key, kind: 'empty' })
      continue
    }
    const range = /^(.*)\.\.(.*)$/.exec(raw)
    if (range && ['date', 'time', 'number'].includes(field.type)) {
      const bounds = [range[1]!, range[2]!].map((b) =>
        b === '' ? { ok: true as const, value: null } : checkCustomValue(field, b, 'text'),
      )
      const failed = bounds.find((b) => !b.ok)
      if (failed && !failed.ok) {
        bad(`Range bound: ${failed.message}`)
        continue
      }
      const [from, to] = bounds.map((b) => (b.ok ? (b.value as string | number | null) : null)) as [
        string | number | null,
        string | number | null,
      ]
      out.push({ key, kind: 'range', numeric: field.type === 'number', from, to })
      continue
    }
    const r = checkCustomValue(field, raw, 'text')
    if (!r.ok || r.value === null) {
      bad(r.ok ? 'Expected a value.' : r.message)
      continue
    }
    // An unchecked checkbox is stored as false or never set.
    out.push(
      field.type === 'checkbox' && r.value === false
        ? { key, kind: 'unchecked' }
        : { key, kind: 'equals', value: r.value },
    )
  }
  if (problems.length)
    throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems)
  return out
}

function toDate(s: string, endOfDay: boolean): Date {
  // A bare date covers that whole day (UTC): createdTo=2026-01-31 includes the 31st.
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const d = new Date(`${s}T00:00:00Z`)
    return endOfDay ? new Date(d.getTime() + 86_400_000) : d
  }
  return new Date(s)
}

/** Turns query-string filters into a checked query. */
export async function resolveFilters(
  db: DbOrTx,
  workspaceId: number,
  f: ContactFiltersInput,
): Promise<ContactQuery> {
  const needsFields = Boolean(f.q) || Boolean(f.cf?.length)
  const fields = needsFields ? await listFields(db, workspaceId) : []
  return {
    ...(f.q ? { search: searchOf(f.q, fields) } : {}),
    ...(f.country ? { country: f.country } : {}),
    ...(f.language ? { language: f.language } : {}),
    ...(f.assigneeUserId !== undefined ? { assignee: f.assigneeUserId } : {}),
    ...(f.inboxStatus ? { inboxStatus: f.inboxStatus } : {}),
    ...(f.lifecycleStageId !== undefined ? { lifecycleStageId: f.lifecycleStageId } : {}),
    ...(f.tagIds ? { tagIds: f.tagIds } : {}),
    ...(f.blocked !== undefined ? { blocked: f.blocked } : {}),
    ...(f.createdFrom ? { createdFrom: toDate(f.createdFrom, false) } : {}),
    ...(f.createdTo ? { createdTo: toDate(f.createdTo, true) } : {}),
    ...(f.cf?.length ? { custom: customConditions(f.cf, fields) } : {}),
  }
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url')
}

export function decodeCursor(s: string): Cursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [unknown, unknown]
    if (
      typeof at === 'string' &&
      /^\d{4}-\d{2}-\d{2} [\d:.]+[+-]\d{2}(:\d{2})?$/.test(at) &&
      Number.isSafeInteger(id)
    ) {
      return { at, id: id as number }
    }
  } catch {}
  throw new ValidationError('The cursor is not valid; start again without it.', [
    { path: 'cursor', message: 'Use the nextCursor of a previous page.' },
  ])
}

/** The Contacts module's list (rule 56: Owners and Managers). */
export async function listContacts(
  ctx: Ctx,
  p: Principal,
  input: ContactFiltersInput & { cursor?: string | undefined; limit: number },
): Promise<{ rows: { contact: ContactRow; tags: TagRow[] }[]; nextCursor: string | null }> {
  authorize(p, 'contacts.view')
  const after = input.cursor ? decodeCursor(input.cursor) : null
  const query = await resolveFilters(ctx.db, p.workspaceId, input)
  const page = await listContactsPage(ctx.db, p.workspaceId, query, after, input.limit)
  const tags = groupTags(
    await tagsOfContacts(
      ctx.db,
      p.workspaceId,
      page.rows.map((c) => c.id),
    ),
  )
  return {
    rows: page.rows.map((contact) => ({ contact, tags: tags.get(contact.id) ?? [] })),
    nextCursor: page.next ? encodeCursor(page.next) : null,
  }
}

/**
 * The same list and filters, paged by contact id (newest first) for the developer API, whose
 * cursor is "the contact id from where the next batch should start".
 */
export async function listContactsByIdCursor(
  ctx: Ctx,
  p: Principal,
  input: ContactFiltersInput & { cursor: IdCursor; limit: number },
): Promise<{ rows: { contact: ContactRow; tags: TagRow[] }[]; more: boolean }> {
  authorize(p, 'contacts.view')
  const query = await resolveFilters(ctx.db, p.workspaceId, input)
  const page = await listContactsByIdPage(ctx.db, p.workspaceId, query, input.cursor, input.limit)
  const tags = groupTags(
    await tagsOfContacts(
      ctx.db,
      p.workspaceId,
      page.rows.map((c) => c.id),
    ),
  )
  return {
    rows: page.rows.map((contact) => ({ contact, tags: tags.get(contact.id) ?? [] })),
    more: page.more,
  }
}
