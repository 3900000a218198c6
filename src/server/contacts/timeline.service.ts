import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { findContact } from './contacts.repo'
import { type EventRow, listTimeline } from './timeline.repo'
import { assertCanSee } from './visibility'

/**
 * Rule 14: conversation and contact events (opened, closed, assigned, tagged, lifecycle, merged…),
 * shown to the team in the conversation and in Activities, newest first; never to the contact.
 */
export async function contactTimeline(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  opts: { before?: number | undefined; limit: number },
): Promise<{ rows: EventRow[]; nextBefore: number | null }> {
  authorize(p, 'inbox.view')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  const rows = await listTimeline(ctx.db, p.workspaceId, contactId, { ...opts, limit: opts.limit + 1 })
  const page = rows.slice(0, opts.limit)
  return { rows: page, nextBefore: rows.length > opts.limit ? page.at(-1)!.id : null }
}
