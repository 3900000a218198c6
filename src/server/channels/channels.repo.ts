import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { channelCounters, channels } from '../db/schema'

export type ChannelRow = typeof channels.$inferSelect

export async function insertChannel(db: DbOrTx, values: typeof channels.$inferInsert): Promise<ChannelRow> {
  const [row] = await db.insert(channels).values(values).returning()
  return row!
}

export async function findChannel(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
): Promise<ChannelRow | undefined> {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, channelId)))
  return row
}

export async function listChannels(db: DbOrTx, workspaceId: number): Promise<ChannelRow[]> {
  return db.select().from(channels).where(eq(channels.workspaceId, workspaceId)).orderBy(asc(channels.id))
}

/** Active channels of these types in every workspace (periodic jobs such as template sync). */
export async function listActiveChannelsOfTypes(db: DbOrTx, types: string[]): Promise<ChannelRow[]> {
  if (types.length === 0) return []
  return db
    .select()
    .from(channels)
    .where(and(inArray(channels.type, types), eq(channels.status, 'active')))
    .orderBy(asc(channels.workspaceId), asc(channels.id))
}

export async function updateChannel(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  values: Partial<Pick<ChannelRow, 'name' | 'config' | 'secrets' | 'status' | 'lastError'>>,
): Promise<ChannelRow | undefined> {
  const [row] = await db
    .update(channels)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(channels.workspaceId, workspaceId), eq(channels.id, channelId)))
    .returning()
  return row
}

/** Adds to a monthly counter and returns the new value (Viber chatbot-initiated messages, rule 18). */
export async function bumpCounter(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  month: string,
  kind: string,
): Promise<number> {
  const [row] = await db
    .insert(channelCounters)
    .values({ workspaceId, channelId, month, kind, count: 1 })
    .onConflictDoUpdate({
      target: [
        channelCounters.workspaceId,
        channelCounters.channelId,
        channelCounters.month,
        channelCounters.kind,
      ],
      set: { count: sql`${channelCounters.count} + 1` },
    })
    .returning({ count: channelCounters.count })
  return row!.count
}

export async function readCounter(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  month: string,
  kind: string,
): Promise<number> {
  const [row] = await db
    .select({ count: channelCounters.count })
    .from(channelCounters)
    .where(
      and(
        eq(channelCounters.workspaceId, workspaceId),
        eq(channelCounters.channelId, channelId),
        eq(channelCounters.month, month),
        eq(channelCounters.kind, kind),
      ),
    )
  return row?.count ?? 0
}
