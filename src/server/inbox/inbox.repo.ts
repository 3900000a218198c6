import { and, eq, inArray, isNotNull, isNull, type SQL, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { channels, comments, contacts, type InboxStatus } from '../db/schema'
import type { Cursor, Sort } from './cursor'
import type { ContactScope } from './views'

/** One inbox row: only what the list shows (peers' pain point 2: heavy list payloads). */
export type InboxRow = Awaited<ReturnType<typeof findInboxRows>>[number]

/** What a view selects, before visibility (rule 102) is applied. */
export type ViewScope =
  | { kind: 'all' }
  | { kind: 'mine'; userId: number }
  | { kind: 'unassigned' }
  | { kind: 'team'; teamId: number }
  | { kind: 'mentioned'; userId: number }
  | { kind: 'custom'; filter: SQL }
  | { kind: 'blocked' }

export type PageQuery = {
  scope: ViewScope
  visibility: ContactScope
  status: InboxStatus
  sort: Sort
  after: Cursor | null
  limit: number
}

const rowColumns = {
  id: contacts.id,
  firstName: contacts.firstName,
  lastName: contacts.lastName,
  phone: contacts.phone,
  email: contacts.email,
  avatarUrl: contacts.avatarUrl,
  channelId: contacts.lastInteractedChannelId,
  channelType: channels.type,
  conversationId: contacts.conversationId,
  inboxStatus: contacts.inboxStatus,
  lastMessageAt: contacts.lastMessageAt,
  lastMessagePreview: contacts.lastMessagePreview,
  lastMessageDirection: contacts.lastMessageDirection,
  unread: contacts.unread,
  assigneeUserId: contacts.assigneeUserId,
  assigneeTeamId: contacts.assigneeTeamId,
  blockedAt: contacts.blockedAt,
}

/** Rule 102 as SQL: "own" sees their contacts; "team" adds their team's contacts. */
export function visibilitySql(v: ContactScope): SQL | undefined {
  if (v.kind === 'all') return undefined
  const own = eq(contacts.assigneeUserId, v.userId)
  if (v.kind === 'own' || v.teamId === null) return own
  return sql`(${own} OR ${eq(contacts.assigneeTeamId, v.teamId)})`
}

/** The visibility predicate, unless the view already implies it (Mine; a team agent's own team). */
function visibilityFor(scope: ViewScope, v: ContactScope): SQL | undefined {
  if (scope.kind === 'mine') return undefined
  if (scope.kind === 'team' && v.kind === 'team' && v.teamId === scope.teamId) return undefined
  return visibilitySql(v)
}

function scopeSql(workspaceId: number, q: Pick<PageQuery, 'scope' | 'status'>): SQL[] {
  const w: SQL[] = [eq(contacts.workspaceId, workspaceId)]
  const s = q.scope
  if (s.kind === 'blocked') return [...w, isNotNull(contacts.blockedAt)]
  // Rule 47: blocked contacts appear only in the Blocked inbox.
  w.push(eq(contacts.inboxStatus, q.status), isNull(contacts.blockedAt))
  switch (s.kind) {
    case 'all':
      break
    case 'mine':
      w.push(eq(contacts.assigneeUserId, s.userId))
      break
    case 'unassigned':
      w.push(isNull(contacts.assigneeUserId))
      break
    case 'team':
      w.push(eq(contacts.assigneeTeamId, s.teamId))
      break
    case 'mentioned':
      w.push(
        sql`${contacts.id} IN (SELECT ${comments.contactId} FROM ${comments} WHERE ${comments.workspaceId} = ${workspaceId} AND ${comments.mentions} @> ${JSON.stringify([s.userId])}::jsonb)`,
      )
      break
    case 'custom':
      w.push(s.filter)
      break
  }
  return w
}

/** The column a view is ordered by: newest activity, or for the Blocked inbox, when blocked. */
export function sortColumnOf(scope: ViewScope) {
  return scope.kind === 'blocked' ? contacts.blockedAt : contacts.lastMessageAt
}

export type Page = { rows: (InboxRow & { sortAt: string | null })[]; next: Cursor | null }

/** The phases of a view in its order: dated rows, and rows without a sort value. */
export function phasesOf(q: Pick<PageQuery, 'scope' | 'sort'>): Cursor['phase'][] {
  if (q.scope.kind === 'blocked') return ['dated']
  return q.sort === 'newest' ? ['dated', 'undated'] : ['undated', 'dated']
}

/**
 * The statement for one phase of a page (built, not run: tests EXPLAIN it). It follows the order
 * of the view's index — contacts_inbox_all / _assignee / _team / _unassigned / contacts_blocked,
 * all (…, sort DESC NULLS LAST, id DESC NULLS LAST) — forwards for newest, backwards for oldest,
 * and the keyset condition is a row comparison the index can seek to, so any page is one range
 * scan however deep it is.
 */
export function inboxPageQuery(
  db: DbOrTx,
  workspaceId: number,
  q: PageQuery,
  phase: Cursor['phase'],
  after: Cursor | null,
  limit: number,
) {
  const col = sortColumnOf(q.scope)
  const where = scopeSql(workspaceId, q)
  const visible = visibilityFor(q.scope, q.visibility)
  if (visible) where.push(visible)
  const newest = q.sort === 'newest'
  if (phase === 'dated') {
    where.push(isNotNull(col))
    if (after?.phase === 'dated') {
      where.push(
        newest
          ? sql`(${col}, ${contacts.id}) < (${after.at}::timestamptz, ${after.id}::bigint)`
          : sql`(${col}, ${contacts.id}) > (${after.at}::timestamptz, ${after.id}::bigint)`,
      )
    }
  } else {
    where.push(isNull(col))
    if (after?.phase === 'undated')
      where.push(
        newest ? sql`${contacts.id} < ${after.id}::bigint` : sql`${contacts.id} > ${after.id}::bigint`,
      )
  }
  const order = newest
    ? [sql`${col} DESC NULLS LAST`, sql`${contacts.id} DESC NULLS LAST`]
    : [sql`${col} ASC NULLS FIRST`, sql`${contacts.id} ASC NULLS FIRST`]
  return db
    .select({
      ...rowColumns,
      sortAt: sql<string | null>`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(contacts)
    .leftJoin(
      channels,
      and(eq(channels.workspaceId, contacts.workspaceId), eq(channels.id, contacts.lastInteractedChannelId)),
    )
    .where(and(...where))
    .orderBy(...order)
    .limit(limit)
}

/**
 * One page of an inbox view, keyset-paginated on (sort column, id). Rows without a sort value (a
 * conversation opened before any message) are a second "undated" range, read only when the dated
 * range runs out within the page — so a page is one statement except where the two ranges meet.
 */
export async function listInboxPage(db: DbOrTx, workspaceId: number, q: PageQuery): Promise<Page> {
  const phases = phasesOf(q)
  const want = q.limit + 1
  const rows: Page['rows'] = []
  const start = q.after ? Math.max(phases.indexOf(q.after.phase), 0) : 0
  for (let i = start; i < phases.length && rows.length < want; i++) {
    const after = i === start ? q.after : null
    rows.push(...(await inboxPageQuery(db, workspaceId, q, phases[i]!, after, want - rows.length)))
  }
  const last = rows.length > q.limit ? rows[q.limit - 1] : undefined
  rows.length = Math.min(rows.length, q.limit)
  return {
    rows,
    next: last
      ? last.sortAt
        ? { phase: 'dated', at: last.sortAt, id: last.id }
        : { phase: 'undated', id: last.id }
      : null,
  }
}

/** Inbox rows of some contacts (realtime frames carry the row a list needs to update itself). */
export async function findInboxRows(db: DbOrTx, workspaceId: number, ids: number[]) {
  if (ids.length === 0) return []
  return db
    .select(rowColumns)
    .from(contacts)
    .leftJoin(
      channels,
      and(eq(channels.workspaceId, contacts.workspaceId), eq(channels.id, contacts.lastInteractedChannelId)),
    )
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, ids)))
}

export type UnreadGroup = { teamId: number | null; userId: number | null; n: number }

/**
 * Unread open contacts grouped by assignee and team — one scan of the small partial index
 * contacts_inbox_unread gives every standard and team view its count.
 */
export function unreadGroups(db: DbOrTx, workspaceId: number, visibility: ContactScope) {
  const visible = visibilitySql(visibility)
  return db
    .select({
      teamId: contacts.assigneeTeamId,
      userId: contacts.assigneeUserId,
      n: sql<number>`count(*)::int`,
    })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        // Literals, so the planner can match the partial index's predicate.
        sql`${contacts.unread} AND ${contacts.inboxStatus} = 'open' AND ${contacts.blockedAt} IS NULL`,
        ...(visible ? [visible] : []),
      ),
    )
    .groupBy(contacts.assigneeTeamId, contacts.assigneeUserId)
}

/** Rule 47: whether any blocked contact this user may see exists (contacts_blocked index). */
export async function anyBlockedVisible(
  db: DbOrTx,
  workspaceId: number,
  visibility: ContactScope,
): Promise<boolean> {
  const visible = visibilitySql(visibility)
  const rows = await db
    .select({ one: sql<number>`1` })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        isNotNull(contacts.blockedAt),
        ...(visible ? [visible] : []),
      ),
    )
    .limit(1)
  return rows.length > 0
}
