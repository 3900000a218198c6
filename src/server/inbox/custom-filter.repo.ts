import { type SQL, sql } from 'drizzle-orm'
import { contactChannels, contacts, contactTags, type customFields } from '../db/schema'
import type { Condition, FieldOperator, FilterGroup, StandardField } from './custom-filter'
import { isGroup } from './custom-filter'

export type CustomFieldType = (typeof customFields.$inferSelect)['type']

export type CompileContext = {
  /** Who is looking: `assignee is me` means this user (nobody for an API token). */
  viewerUserId: number | null
  now: Date
  /** The workspace's custom fields by key; the service has checked every key exists. */
  customFieldTypes: ReadonlyMap<string, CustomFieldType>
}

const STANDARD_COLUMNS: Record<StandardField, SQL> = {
  firstName: sql`${contacts.firstName}`,
  lastName: sql`${contacts.lastName}`,
  email: sql`${contacts.email}::text`,
  phone: sql`${contacts.phone}`,
  country: sql`${contacts.country}`,
  language: sql`${contacts.language}`,
}

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const

/** LIKE pattern for a literal substring: the user's %, _ and \ match themselves. */
const likeLiteral = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * Compiles a validated custom-inbox filter (rule 46) into a WHERE fragment on `contacts`.
 * Every user value travels as a bind parameter (drizzle's sql template); keys of custom fields
 * too (`custom ->> $1`). Nothing from the request is ever spliced into the SQL text.
 */
export function compileFilter(f: FilterGroup, c: CompileContext): SQL {
  const parts = f.conditions.map((x) => (isGroup(x) ? compileFilter(x, c) : compileCondition(x, c)))
  return sql`(${sql.join(
    parts.map((p) => sql`(${p})`),
    f.op === 'and' ? sql` AND ` : sql` OR `,
  )})`
}

function compileCondition(x: Condition, c: CompileContext): SQL {
  switch (x.field) {
    case 'contact_field':
      return compileField(x.key, x.operator, x.value, c)
    case 'channel': {
      const has = sql`EXISTS (SELECT 1 FROM ${contactChannels} WHERE ${contactChannels.workspaceId} = ${contacts.workspaceId} AND ${contactChannels.contactId} = ${contacts.id} AND ${contactChannels.channelId} = ${x.value})`
      return x.operator === 'is' ? has : sql`NOT ${has}`
    }
    case 'tag': {
      const has = sql`EXISTS (SELECT 1 FROM ${contactTags} WHERE ${contactTags.workspaceId} = ${contacts.workspaceId} AND ${contactTags.contactId} = ${contacts.id} AND ${contactTags.tagId} = ${x.value})`
      return x.operator === 'has' ? has : sql`NOT ${has}`
    }
    case 'last_interacted_channel':
      return x.operator === 'is'
        ? sql`${contacts.lastInteractedChannelId} = ${x.value}`
        : sql`${contacts.lastInteractedChannelId} IS DISTINCT FROM ${x.value}`
    case 'time_since_last_incoming': {
      // Contacts who never wrote have no "time since"; they match neither operator.
      const cutoff = new Date(c.now.getTime() - x.value.amount * UNIT_MS[x.value.unit]).toISOString()
      return x.operator === 'more_than'
        ? sql`${contacts.lastIncomingAt} < ${cutoff}::timestamptz`
        : sql`${contacts.lastIncomingAt} >= ${cutoff}::timestamptz`
    }
    case 'lifecycle':
      return compileRef(sql`${contacts.lifecycleStageId}`, x.operator, x.value)
    case 'assignee': {
      const value = x.value === 'me' ? c.viewerUserId : x.value
      if (x.value === 'me' && value === null) return x.operator === 'is_not' ? sql`TRUE` : sql`FALSE`
      return compileRef(sql`${contacts.assigneeUserId}`, x.operator, value ?? undefined)
    }
  }
}

function compileRef(col: SQL, op: 'is' | 'is_not' | 'exists' | 'not_exists', value: number | undefined): SQL {
  switch (op) {
    case 'is':
      return sql`${col} = ${value}`
    case 'is_not':
      return sql`${col} IS DISTINCT FROM ${value}`
    case 'exists':
      return sql`${col} IS NOT NULL`
    case 'not_exists':
      return sql`${col} IS NULL`
  }
}

function compileField(
  key: string,
  op: FieldOperator,
  value: string | number | boolean | undefined,
  c: CompileContext,
): SQL {
  const standard = STANDARD_COLUMNS[key as StandardField] as SQL | undefined
  const type = standard ? 'text' : c.customFieldTypes.get(key)
  const expr = standard ?? sql`(${contacts.custom} ->> ${key}::text)`
  const v = value === undefined ? '' : String(value)
  const empty = sql`(${expr} IS NULL OR ${expr} = '')`
  switch (op) {
    case 'exists':
      return sql`NOT ${empty}`
    case 'not_exists':
      return empty
    case 'contains':
    case 'not_contains':
    case 'starts_with': {
      const pattern = op === 'starts_with' ? `${likeLiteral(v)}%` : `%${likeLiteral(v)}%`
      const like = sql`${expr} ILIKE ${pattern}::text ESCAPE '\\'`
      return op === 'not_contains' ? sql`(${expr} IS NULL OR NOT ${like})` : like
    }
    case 'greater_than':
    case 'less_than': {
      const cmp = op === 'greater_than' ? sql`>` : sql`<`
      if (type === 'number') return sql`${numeric(expr)} ${cmp} ${Number(value)}::numeric`
      // Dates (YYYY-MM-DD) and times (HH:MM) compare as text in their ISO forms.
      return sql`${expr} ${cmp} ${v}::text`
    }
    case 'is':
    case 'is_not': {
      let eq: SQL
      if (type === 'number') eq = sql`${numeric(expr)} = ${Number(value)}::numeric`
      else if (type === 'list' && !standard)
        // A list value may be one option or several; jsonb @> matches either.
        eq = sql`(${contacts.custom} -> ${key}::text) @> to_jsonb(${v}::text)`
      else eq = sql`lower(${expr}) = lower(${v}::text)`
      return op === 'is' ? sql`coalesce(${eq}, false)` : sql`NOT coalesce(${eq}, false)`
    }
  }
}

/** A number stored in jsonb text form; anything that is not a number compares as null. */
function numeric(expr: SQL): SQL {
  return sql`(CASE WHEN ${expr} ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN (${expr})::numeric END)`
}
