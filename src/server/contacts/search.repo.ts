import { type AnyColumn, and, asc, desc, eq, isNull, type SQL, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { contacts, SEARCH_FOLD } from '../db/schema'
import type { ContactRow } from './contacts.repo'
import type { CustomValue } from './fields.values'

/** A custom field condition: exact value, "has no value", or a range (date, time, number). */
export type CustomCondition =
  | { key: string; kind: 'equals'; value: CustomValue }
  | { key: string; kind: 'unchecked' }
  | { key: string; kind: 'empty' }
  | { key: string; kind: 'range'; numeric: boolean; from: string | number | null; to: string | number | null }

/** Filters already checked and resolved by the service (rule 49). */
export type ContactQuery = {
  search?: {
    /** LIKE pattern for the folded names and phone, wildcards escaped; null when too vague. */
    pattern: string | null
    email: string | null
    custom: { key: string; value: CustomValue }[]
  }
  country?: string
  language?: string
  assignee?: number | 'none'
  inboxStatus?: 'open' | 'snoozed' | 'closed' | 'none'
  lifecycleStageId?: number | 'none'
  tagIds?: number[]
  blocked?: boolean
  createdFrom?: Date
  createdTo?: Date
  custom?: CustomCondition[]
}

export type Cursor = { at: string; id: number }

/**
 * Newest first in the exact order of the index contacts_created (…, created_at DESC NULLS LAST,
 * id DESC NULLS LAST). A plain DESC means NULLS FIRST, which the index cannot give: PostgreSQL then
 * reads and sorts every contact of the workspace (a second at a million contacts). In index order
 * the planner can also walk contacts_created and stop at a full page when a search term is
 * frequent, instead of fetching and sorting its every match (bench/README.md).
 */
const newestFirst = (createdAt: AnyColumn, id: AnyColumn) => [
  sql`${createdAt} DESC NULLS LAST`,
  sql`${id} DESC NULLS LAST`,
]

const [FOLD_BEFORE, FOLD_AFTER] = SEARCH_FOLD('\u0000').split('\u0000') as [string, string]
/** The exact expression of the generated column contacts.search_text, applied to the query. */
const fold = (value: string) => sql`${sql.raw(FOLD_BEFORE)}${value}${sql.raw(FOLD_AFTER)}`
const jsonb = (key: string, value: unknown) => sql`${JSON.stringify({ [key]: value })}::jsonb`

function searchCondition(s: NonNullable<ContactQuery['search']>): SQL {
  const arms: SQL[] = []
  // Partial on first name, last name and phone through the trigram index contacts_search.
  if (s.pattern !== null) arms.push(sql`${contacts.searchText} ILIKE ${fold(s.pattern)}`)
  // Exact on email (index contacts_email) and on text-like custom fields (index contacts_custom).
  if (s.email !== null) arms.push(eq(contacts.email, s.email))
  for (const c of s.custom) arms.push(sql`${contacts.custom} @> ${jsonb(c.key, c.value)}`)
  if (arms.length === 0) return sql`false`
  return sql`(${sql.join(arms, sql` OR `)})`
}

function customCondition(c: CustomCondition): SQL {
  const path = sql`${contacts.custom} -> ${c.key}::text`
  switch (c.kind) {
    case 'equals':
      return sql`${contacts.custom} @> ${jsonb(c.key, c.value)}`
    case 'unchecked':
      return sql`NOT (${contacts.custom} @> ${jsonb(c.key, true)})`
    case 'empty':
      return sql`NOT (${contacts.custom} ? ${c.key}::text)`
    case 'range': {
      const value = c.numeric
        ? sql`(CASE WHEN jsonb_typeof(${path}) = 'number' THEN (${path})::text::numeric END)`
        : sql`(${contacts.custom} ->> ${c.key}::text)`
      const parts: SQL[] = [sql`${contacts.custom} ? ${c.key}::text`]
      if (c.from !== null)
        parts.push(c.numeric ? sql`${value} >= ${c.from}::numeric` : sql`${value} >= ${c.from}`)
      if (c.to !== null) parts.push(c.numeric ? sql`${value} <= ${c.to}::numeric` : sql`${value} <= ${c.to}`)
      return sql`(${sql.join(parts, sql` AND `)})`
    }
  }
}

/** The WHERE clause shared by the list and the export. Always scoped by workspace. */
export function contactConditions(workspaceId: number, q: ContactQuery): SQL {
  const where: SQL[] = [eq(contacts.workspaceId, workspaceId)]
  if (q.search) where.push(searchCondition(q.search))
  if (q.country) where.push(eq(contacts.country, q.country))
  if (q.language) where.push(eq(contacts.language, q.language))
  if (q.assignee !== undefined)
    where.push(
      q.assignee === 'none' ? isNull(contacts.assigneeUserId) : eq(contacts.assigneeUserId, q.assignee),
    )
  if (q.inboxStatus !== undefined)
    where.push(
      q.inboxStatus === 'none' ? isNull(contacts.inboxStatus) : eq(contacts.inboxStatus, q.inboxStatus),
    )
  if (q.lifecycleStageId !== undefined)
    where.push(
      q.lifecycleStageId === 'none'
        ? isNull(contacts.lifecycleStageId)
        : eq(contacts.lifecycleStageId, q.lifecycleStageId),
    )
  for (const tagId of q.tagIds ?? []) {
    where.push(
      sql`EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.workspace_id = ${contacts.workspaceId} AND ct.contact_id = ${contacts.id} AND ct.tag_id = ${tagId})`,
    )
  }
  if (q.blocked !== undefined)
    where.push(q.blocked ? sql`${contacts.blockedAt} IS NOT NULL` : isNull(contacts.blockedAt))
  if (q.createdFrom) where.push(sql`${contacts.createdAt} >= ${q.createdFrom.toISOString()}::timestamptz`)
  if (q.createdTo) where.push(sql`${contacts.createdAt} < ${q.createdTo.toISOString()}::timestamptz`)
  for (const c of q.custom ?? []) where.push(customCondition(c))
  return and(...where)!
}

/**
 * One page, newest first, keyset on (created_at, id) (index contacts_created). The cursor keeps
 * created_at as PostgreSQL text so microseconds survive the round trip (a JS Date keeps only ms).
 */
export function contactPageQuery(
  db: DbOrTx,
  workspaceId: number,
  q: ContactQuery,
  after: Cursor | null,
  limit: number,
) {
  return db
    .select({ contact: contacts, cursorAt: sql<string>`${contacts.createdAt}::text`.as('cursor_at') })
    .from(contacts)
    .where(
      and(
        contactConditions(workspaceId, q),
        after
          ? sql`(${contacts.createdAt}, ${contacts.id}) < (${after.at}::timestamptz, ${after.id})`
          : undefined,
      ),
    )
    .orderBy(...newestFirst(contacts.createdAt, contacts.id))
    .limit(limit)
}

export async function listContactsPage(
  db: DbOrTx,
  workspaceId: number,
  q: ContactQuery,
  after: Cursor | null,
  limit: number,
): Promise<{ rows: ContactRow[]; next: Cursor | null }> {
  const rows = await contactPageQuery(db, workspaceId, q, after, limit + 1)
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    rows: page.map((r) => r.contact),
    next: rows.length > limit && last ? { at: last.cursorAt, id: last.contact.id } : null,
  }
}

export type IdCursor = { after: number } | { before: number } | null

/**
 * One page ordered by id, newest first, for integrations whose cursor is a contact id (the
 * developer API): `after` continues below that id, `before` returns the page just above it.
 * `more` says whether rows remain beyond the page in the direction of travel.
 */
export async function listContactsByIdPage(
  db: DbOrTx,
  workspaceId: number,
  q: ContactQuery,
  cursor: IdCursor,
  limit: number,
): Promise<{ rows: ContactRow[]; more: boolean }> {
  const backwards = cursor !== null && 'before' in cursor
  const rows = await db
    .select()
    .from(contacts)
    .where(
      and(
        contactConditions(workspaceId, q),
        cursor === null
          ? undefined
          : 'after' in cursor
            ? sql`${contacts.id} < ${cursor.after}`
            : sql`${contacts.id} > ${cursor.before}`,
      ),
    )
    .orderBy(backwards ? asc(contacts.id) : desc(contacts.id))
    .limit(limit + 1)
  const page = rows.slice(0, limit)
  return { rows: backwards ? page.reverse() : page, more: rows.length > limit }
}
