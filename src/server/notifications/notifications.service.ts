import { authorize, type Principal, requireUser } from '../auth/principal'
import { findCommentsByIds } from '../comments/comments.repo'
import { findContactsByIds } from '../contacts/merge.repo'
import type { Ctx } from '../context'
import { ValidationError } from '../errors'
import { countUnread, listNotifications, markRead, type NotificationRow } from './notifications.repo'

/** The signed-in user's own notifications in this workspace (rule 104 row 17: everyone has them). */
function me(p: Principal) {
  authorize(p, 'profile.manage')
  return requireUser(p)
}

export async function myNotifications(
  ctx: Ctx,
  p: Principal,
  opts: { before?: number | undefined; limit: number; unread?: boolean | undefined },
) {
  const user = me(p)
  const rows = await listNotifications(ctx.db, p.workspaceId, user.userId, { ...opts, limit: opts.limit + 1 })
  const page = rows.slice(0, opts.limit)
  const [contacts, comments, unread] = await Promise.all([
    findContactsByIds(ctx.db, p.workspaceId, [
      ...new Set(page.flatMap((n) => (n.contactId ? [n.contactId] : []))),
    ]),
    findCommentsByIds(ctx.db, p.workspaceId, [
      ...new Set(page.flatMap((n) => (n.commentId ? [n.commentId] : []))),
    ]),
    countUnread(ctx.db, p.workspaceId, user.userId),
  ])
  return {
    rows: page as NotificationRow[],
    contacts: new Map(contacts.map((c) => [c.id, c])),
    comments: new Map(comments.map((c) => [c.id, c])),
    unread,
    nextBefore: rows.length > opts.limit ? page.at(-1)!.id : null,
  }
}

export async function myUnreadCount(ctx: Ctx, p: Principal): Promise<number> {
  const user = me(p)
  return countUnread(ctx.db, p.workspaceId, user.userId)
}

/** Marks some (by id) or all of the user's notifications read; others' ids are ignored. */
export async function markMyNotificationsRead(
  ctx: Ctx,
  p: Principal,
  input: { ids?: number[] | undefined; all?: boolean | undefined },
): Promise<number> {
  const user = me(p)
  if (!input.all && !input.ids?.length) {
    throw new ValidationError('Give the notification ids to mark read, or all: true.', [
      { path: 'ids', message: 'Give at least one id, or all: true.' },
    ])
  }
  return markRead(ctx.db, p.workspaceId, user.userId, input.all ? 'all' : input.ids!, ctx.clock.now())
}
