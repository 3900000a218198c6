import { actorOf, authorize, type Principal } from '../auth/principal'
import { lockContact, updateContact } from '../contacts/contacts.repo'
import { assertCanSee } from '../contacts/visibility'
import type { Ctx } from '../context'
import type { InboxStatus } from '../db/schema'
import { ForbiddenError, NotFoundError } from '../errors'
import { emit } from '../events'
import { findTeam, listTeams } from '../teams/teams.repo'
import { type Cursor, decodeCursor, encodeCursor, type Sort } from './cursor'
import { customInboxFilter, listCustomInboxes } from './custom-inboxes.service'
import {
  anyBlockedVisible,
  type InboxRow,
  listInboxPage,
  sortColumnOf,
  unreadGroups,
  type ViewScope,
} from './inbox.repo'
import { contactScopeOf, decideView, type View, viewName } from './views'

export type ListInput = {
  view: View
  status: InboxStatus
  sort: Sort
  cursor?: string | undefined
  limit: number
}

async function scopeOf(ctx: Ctx, p: Principal, view: View): Promise<ViewScope> {
  const userId = p.kind === 'user' ? p.userId : 0
  switch (view.kind) {
    case 'all':
    case 'unassigned':
    case 'blocked':
      return { kind: view.kind }
    case 'mine':
    case 'mentioned':
      return { kind: view.kind, userId }
    case 'team':
      if (!(await findTeam(ctx.db, p.workspaceId, view.teamId))) throw new NotFoundError('Team')
      return { kind: 'team', teamId: view.teamId }
    case 'custom':
      return { kind: 'custom', filter: await customInboxFilter(ctx, p, view.inboxId) }
  }
}

/**
 * One page of an inbox view (rules 43–47). The view is checked against the principal's role and
 * restrictions (403 says why), and every view is intersected with the contacts they may see.
 */
export async function listInbox(
  ctx: Ctx,
  p: Principal,
  input: ListInput,
): Promise<{ rows: InboxRow[]; nextCursor: string | null }> {
  authorize(p, 'inbox.view')
  const decision = decideView(p, input.view)
  if (!decision.allowed) throw new ForbiddenError(decision.reason)
  const scope = await scopeOf(ctx, p, input.view)
  const column = sortColumnOf(scope).name
  const after: Cursor | null = input.cursor ? decodeCursor(input.cursor, input.sort, column) : null
  const page = await listInboxPage(ctx.db, p.workspaceId, {
    scope,
    visibility: contactScopeOf(p),
    status: input.status,
    sort: input.sort,
    after,
    limit: input.limit,
  })
  return { rows: page.rows, nextCursor: page.next ? encodeCursor(input.sort, column, page.next) : null }
}

export type ViewSummary = { view: string; unread: number | null; dot: boolean }
export type InboxViews = {
  standard: ViewSummary[]
  teams: (ViewSummary & { teamId: number; name: string })[]
  custom: {
    all: CustomSummary[]
    byMe: CustomSummary[]
    byOthers: CustomSummary[]
  }
  blocked: { view: 'blocked' } | null
}
export type CustomSummary = { view: string; id: number; name: string; createdByUserId: number }

/**
 * The views this user may open, with unread counts for the standard and team inboxes (rule 48).
 * An unread contact puts its blue dot on the most specific view that holds it:
 * Mine, then its team, then Unassigned, then All.
 */
export async function inboxViews(ctx: Ctx, p: Principal): Promise<InboxViews> {
  authorize(p, 'inbox.view')
  const visibility = contactScopeOf(p)
  const userId = p.kind === 'user' ? p.userId : null
  const allowed = (v: View) => decideView(p, v).allowed
  const teams = (await listTeams(ctx.db, p.workspaceId)).filter((t) =>
    allowed({ kind: 'team', teamId: t.id }),
  )
  const teamIds = new Set(teams.map((t) => t.id))
  const groups = await unreadGroups(ctx.db, p.workspaceId, visibility)

  const standardKinds = (['all', 'mine', 'unassigned', 'mentioned'] as const).filter((k) =>
    allowed({ kind: k }),
  )
  const count = new Map<string, number>(standardKinds.map((k) => [k, 0]))
  for (const t of teams) count.set(`team:${t.id}`, 0)
  const dots = new Set<string>()
  const add = (view: string, n: number) => {
    if (count.has(view)) count.set(view, count.get(view)! + n)
  }
  for (const g of groups) {
    const mine = userId !== null && g.userId === userId
    add('all', g.n)
    if (mine) add('mine', g.n)
    if (g.userId === null) add('unassigned', g.n)
    if (g.teamId !== null) add(`team:${g.teamId}`, g.n)
    const specific = [
      mine ? 'mine' : null,
      g.teamId !== null && teamIds.has(g.teamId) ? `team:${g.teamId}` : null,
      g.userId === null ? 'unassigned' : null,
      'all',
    ].find((v) => v !== null && count.has(v))
    if (specific) dots.add(specific)
  }
  const summary = (view: string): ViewSummary =>
    // The Mentioned view has no blue dot of its own (rule 48 names standard and team inboxes).
    view === 'mentioned'
      ? { view, unread: null, dot: false }
      : { view, unread: count.get(view) ?? 0, dot: dots.has(view) }

  const customRows = p.kind === 'user' ? await listCustomInboxes(ctx, p) : []
  const custom = customRows.map((r) => ({
    view: viewName({ kind: 'custom', inboxId: r.id }),
    id: r.id,
    name: r.name,
    createdByUserId: r.createdByUserId,
  }))
  const blocked = allowed({ kind: 'blocked' }) && (await anyBlockedVisible(ctx.db, p.workspaceId, visibility))
  return {
    standard: standardKinds.map(summary),
    teams: teams.map((t) => ({ ...summary(`team:${t.id}`), teamId: t.id, name: t.name })),
    custom: {
      all: custom,
      byMe: custom.filter((c) => c.createdByUserId === userId),
      byOthers: custom.filter((c) => c.createdByUserId !== userId),
    },
    blocked: blocked ? { view: 'blocked' } : null,
  }
}

/** Rule 48: opening a contact's new messages clears its blue dot, for everyone, in realtime. */
export async function markContactRead(ctx: Ctx, p: Principal, contactId: number): Promise<boolean> {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    if (!contact.unread) return false
    await updateContact(tx, p.workspaceId, contactId, { unread: false })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact.read',
      payload: { contactId, conversationId: contact.conversationId },
    })
    return true
  })
}
