import { and, desc, eq, lt } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { events } from '../db/schema'

export type EventRow = typeof events.$inferSelect

/** A contact's timeline events, newest first (partial index events_timeline). */
export async function listTimeline(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  opts: { before?: number | undefined; limit: number },
): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(
      and(
        eq(events.workspaceId, workspaceId),
        eq(events.contactId, contactId),
        eq(events.onTimeline, true),
        ...(opts.before ? [lt(events.id, opts.before)] : []),
      ),
    )
    .orderBy(desc(events.id))
    .limit(opts.limit)
}
