import { DateTime } from 'luxon'
import { z } from 'zod'
import type { CustomFieldRow } from '../contacts/fields.repo'
import { type ContactFiltersInput, contactFiltersQuery } from '../contacts/search.schema'
import { ValidationError } from '../errors'

const OPERATORS = [
  'isEqualTo',
  'isNotEqualTo',
  'isTimestampAfter',
  'isTimestampBefore',
  'isTimestampBetween',
  'exists',
  'doesNotExist',
  'isGreaterThan',
  'isLessThan',
  'isBetween',
  'hasAnyOf',
  'hasAllOf',
  'hasNoneOf',
] as const

const condition = z.strictObject({
  category: z.enum(['contactField', 'contactTag', 'lifecycle']),
  field: z.string().max(100).nullable().optional(),
  operator: z.enum(OPERATORS),
  value: z
    .union([
      z.string().max(500),
      z.number(),
      z.array(z.string().max(255)).max(20),
      z.strictObject({ from: z.string().max(40), to: z.string().max(40) }),
      z.null(),
    ])
    .optional(),
})
type Condition = z.infer<typeof condition>

export const SUPPORTED_FILTERS =
  'Supported conditions (all must hold; $or may hold one): contactTag hasAllOf / hasAnyOf (one tag) / isEqualTo; lifecycle isEqualTo (a stage name, or null) / doesNotExist; contactField assigneeUserId isEqualTo (a user id, or null) / doesNotExist; countryCode and language isEqualTo; created_at isTimestampAfter / isTimestampBefore / isTimestampBetween; a custom field (by key or name) isEqualTo / doesNotExist / isGreaterThan / isLessThan / isBetween (bounds inclusive).'

export const listContactsBody = z.strictObject({
  search: z
    .string()
    .max(200)
    .optional()
    .describe('Partial on names and phone, exact on email and searchable custom fields (rule 49).'),
  timezone: z
    .string()
    .max(64)
    .optional()
    .describe('IANA time zone for bare dates in timestamp filters (default UTC).'),
  filter: z
    .strictObject({ $and: z.array(condition).max(20).optional(), $or: z.array(condition).max(20).optional() })
    .optional()
    .describe(SUPPORTED_FILTERS),
})
export type ListContactsBody = z.infer<typeof listContactsBody>

type Names = { tags: Map<string, number>; stages: Map<string, number>; fields: CustomFieldRow[] }

const unsupported = (i: number, c: Condition) =>
  new ValidationError(
    `filter[${i}]: ${c.category}${c.field ? ` ${c.field}` : ''} ${c.operator} is not supported. ${SUPPORTED_FILTERS}`,
    [{ path: `filter.${i}`, message: 'Unsupported condition.' }],
  )

function instant(value: string, zone: string, dayEdge: 'start' | 'next'): string {
  if (/^\d{9,13}$/.test(value)) {
    const ms = value.length === 13 ? Number(value) : Number(value) * 1000
    return new Date(ms).toISOString()
  }
  const d = DateTime.fromISO(value, { zone, setZone: true })
  if (!d.isValid) {
    throw new ValidationError(
      `"${value}" is not a timestamp: use Unix seconds or an ISO date or date-time.`,
      [{ path: 'filter', message: 'Invalid timestamp.' }],
    )
  }
  const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(value)
  return (bareDate && dayEdge === 'next' ? d.plus({ days: 1 }) : d).toUTC().toISO()!
}

/**
 * respond.io's filter conditions → our contact filters (the same ones the Contacts module uses).
 * Tag and stage names become ids; null means no contact can match (an unknown tag or stage).
 */
export function toFilters(body: ListContactsBody, names: Names): ContactFiltersInput | null {
  const zone = body.timezone ?? 'UTC'
  if (!DateTime.local().setZone(zone).isValid) {
    throw new ValidationError(`Unknown time zone "${zone}".`, [
      { path: 'timezone', message: 'Use an IANA zone.' },
    ])
  }
  const and = body.filter?.$and ?? []
  const or = body.filter?.$or ?? []
  if (or.length > 1 || (or.length && and.length)) {
    throw new ValidationError(`$or with several conditions is not supported. ${SUPPORTED_FILTERS}`, [
      { path: 'filter.$or', message: 'Unsupported.' },
    ])
  }
  const raw: Record<string, unknown> = {}
  const tagIds: number[] = []
  const cf: string[] = []
  for (const [i, c] of [...and, ...or].entries()) {
    const v = c.value
    const text = typeof v === 'string' || typeof v === 'number' ? String(v) : undefined
    if (c.category === 'contactTag') {
      const list = Array.isArray(v) ? v : text !== undefined ? [text] : []
      const ok =
        c.operator === 'hasAllOf' || (['hasAnyOf', 'isEqualTo'].includes(c.operator) && list.length === 1)
      if (!ok || !list.length) throw unsupported(i, c)
      for (const name of list) {
        const id = names.tags.get(name.toLowerCase())
        if (id === undefined) return null
        tagIds.push(id)
      }
    } else if (c.category === 'lifecycle') {
      if (c.operator === 'doesNotExist' || (c.operator === 'isEqualTo' && (v === null || v === ''))) {
        raw.lifecycleStageId = 'none'
      } else if (c.operator === 'isEqualTo' && text !== undefined) {
        const id = names.stages.get(text.toLowerCase())
        if (id === undefined) return null
        raw.lifecycleStageId = String(id)
      } else throw unsupported(i, c)
    } else {
      const field = c.field ?? ''
      if (field === 'assigneeUserId') {
        if (c.operator === 'doesNotExist' || (c.operator === 'isEqualTo' && (v === null || v === ''))) {
          raw.assigneeUserId = 'none'
        } else if (c.operator === 'isEqualTo' && text !== undefined) raw.assigneeUserId = text
        else throw unsupported(i, c)
      } else if ((field === 'countryCode' || field === 'language') && c.operator === 'isEqualTo' && text) {
        raw[field === 'countryCode' ? 'country' : 'language'] = text
      } else if (field === 'created_at' || field === 'createdAt') {
        if (c.operator === 'isTimestampAfter' && text) raw.createdFrom = instant(text, zone, 'next')
        else if (c.operator === 'isTimestampBefore' && text) raw.createdTo = instant(text, zone, 'start')
        else if (c.operator === 'isTimestampBetween' && v && typeof v === 'object' && !Array.isArray(v)) {
          raw.createdFrom = instant(v.from, zone, 'start')
          raw.createdTo = instant(v.to, zone, 'next')
        } else throw unsupported(i, c)
      } else {
        const f =
          names.fields.find((x) => x.key === field) ??
          names.fields.find((x) => x.name.toLowerCase() === field.toLowerCase())
        if (!f) throw unsupported(i, c)
        if (c.operator === 'doesNotExist') cf.push(`${f.key}:`)
        else if (c.operator === 'isEqualTo' && text) cf.push(`${f.key}:${text}`)
        else if (c.operator === 'isGreaterThan' && text) cf.push(`${f.key}:${text}..`)
        else if (c.operator === 'isLessThan' && text) cf.push(`${f.key}:..${text}`)
        else if (c.operator === 'isBetween' && v && typeof v === 'object' && !Array.isArray(v))
          cf.push(`${f.key}:${v.from}..${v.to}`)
        else throw unsupported(i, c)
      }
    }
  }
  if (tagIds.length) raw.tagIds = [...new Set(tagIds)].join(',')
  if (cf.length) raw.cf = cf
  if (body.search?.trim()) raw.q = body.search
  const parsed = z.strictObject(contactFiltersQuery).safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((x) => ({
      path: `filter.${x.path.join('.')}`,
      message: x.message,
    }))
    throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems)
  }
  return parsed.data
}
