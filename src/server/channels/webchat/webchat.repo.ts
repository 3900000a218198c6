import { and, desc, eq, inArray } from 'drizzle-orm'
import type { DbOrTx } from '../../db/database'
import { contactChannels, messages } from '../../db/schema'

const onIdentity = (workspaceId: number, channelId: number, identifier: string) =>
  and(
    eq(contactChannels.workspaceId, workspaceId),
    eq(contactChannels.channelId, channelId),
    eq(contactChannels.identifier, identifier),
  )

const joinIdentity = and(
  eq(contactChannels.workspaceId, messages.workspaceId),
  eq(contactChannels.contactId, messages.contactId),
  eq(contactChannels.channelId, messages.channelId),
)

export type VisitorMessageRow = typeof messages.$inferSelect

/** A visitor's messages on this chat channel (never their other channels), newest first. */
export async function visitorMessages(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  identifier: string,
  limit: number,
): Promise<VisitorMessageRow[]> {
  const rows = await db
    .select({ m: messages })
    .from(messages)
    .innerJoin(contactChannels, joinIdentity)
    .where(and(onIdentity(workspaceId, channelId, identifier), eq(messages.channelId, channelId)))
    .orderBy(desc(messages.id))
    .limit(limit)
  return rows.map((r) => r.m)
}

/** Messages of this visitor among the given ids (a visitor can only see or acknowledge their own). */
export async function visitorMessagesByIds(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  identifier: string,
  ids: number[],
): Promise<VisitorMessageRow[]> {
  if (ids.length === 0) return []
  const rows = await db
    .select({ m: messages })
    .from(messages)
    .innerJoin(contactChannels, joinIdentity)
    .where(
      and(
        onIdentity(workspaceId, channelId, identifier),
        eq(messages.channelId, channelId),
        inArray(messages.id, ids),
      ),
    )
  return rows.map((r) => r.m)
}
