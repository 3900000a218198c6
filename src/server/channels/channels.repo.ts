import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { channelCounters, channelState, channels } from '../db/schema'

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

/**
 * How many times this process has changed each channel (by workspace and id): caches of channel
 * rows (the webhook lookup) compare it to drop entries read before a change.
 */
const generations = new Map<string, number>()
export const channelGeneration = (workspaceId: number, channelId: number): number =>
  generations.get(`${workspaceId}:${channelId}`) ?? 0

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
  const key = `${workspaceId}:${channelId}`
  generations.set(key, (generations.get(key) ?? 0) + 1)
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

const stateKey = (workspaceId: number, channelId: number, key: string) =>
  and(
    eq(channelState.workspaceId, workspaceId),
    eq(channelState.channelId, channelId),
    eq(channelState.key, key),
  )

/** A live (unexpired) state value, still encrypted. */
export async function readState(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  key: string,
  now: Date,
): Promise<string | undefined> {
  const [row] = await db
    .select({ value: channelState.value })
    .from(channelState)
    .where(and(stateKey(workspaceId, channelId, key), gt(channelState.expiresAt, now)))
  return row?.value
}

export async function writeState(
  db: DbOrTx,
  values: { workspaceId: number; channelId: number; key: string; value: string; expiresAt: Date },
): Promise<void> {
  await db
    .insert(channelState)
    .values(values)
    .onConflictDoUpdate({
      target: [channelState.workspaceId, channelState.channelId, channelState.key],
      set: { value: values.value, expiresAt: values.expiresAt },
    })
}

/** Deletes the value and returns it if it was still live: two callers never both get it. */
export async function takeState(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  key: string,
  now: Date,
): Promise<string | undefined> {
  const rows = await db
    .delete(channelState)
    .where(stateKey(workspaceId, channelId, key))
    .returning({ value: channelState.value, expiresAt: channelState.expiresAt })
  const row = rows[0]
  return row && row.expiresAt.getTime() > now.getTime() ? row.value : undefined
}
