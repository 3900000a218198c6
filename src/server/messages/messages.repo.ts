import { and, asc, desc, eq, gt, inArray, lt, lte } from 'drizzle-orm'
import type { IdCursor } from '../contacts/search.repo'
import type { DbOrTx } from '../db/database'
import { messages } from '../db/schema'

export type MessageRow = typeof messages.$inferSelect

export async function insertMessage(db: DbOrTx, values: typeof messages.$inferInsert): Promise<MessageRow> {
  const [row] = await db.insert(messages).values(values).returning()
  return row!
}

export async function findMessage(
  db: DbOrTx,
  workspaceId: number,
  messageId: number,
): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)))
  return row
}

export async function findByProviderId(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  providerMessageId: string,
) {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.channelId, channelId),
        eq(messages.providerMessageId, providerMessageId),
      ),
    )
  return row
}

export async function findByClientKey(
  db: DbOrTx,
  workspaceId: number,
  clientKey: string,
): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.clientKey, clientKey)))
  return row
}

export async function updateMessage(
  db: DbOrTx,
  workspaceId: number,
  messageId: number,
  values: Partial<typeof messages.$inferInsert>,
): Promise<MessageRow | undefined> {
  const [row] = await db
    .update(messages)
    .set(values)
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)))
    .returning()
  return row
}

/** A contact's messages, newest first, keyset-paginated by id (index messages_contact_history). */
export async function listContactMessages(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  opts: { before?: number; limit: number },
) {
  return db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.contactId, contactId),
        ...(opts.before ? [lt(messages.id, opts.before)] : []),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(opts.limit)
}

/**
 * One page of a contact's messages by message id, newest first, for the developer API whose
 * cursor is a message id: `after` continues below that id, `before` returns the page just above
 * it. `more` says whether rows remain beyond the page in the direction of travel.
 */
export async function listContactMessagesByIdPage(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  cursor: IdCursor,
  limit: number,
): Promise<{ rows: MessageRow[]; more: boolean }> {
  const backwards = cursor !== null && 'before' in cursor
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.contactId, contactId),
        cursor === null
          ? undefined
          : 'after' in cursor
            ? lt(messages.id, cursor.after)
            : gt(messages.id, cursor.before),
      ),
    )
    .orderBy(backwards ? asc(messages.id) : desc(messages.id))
    .limit(limit + 1)
  const page = rows.slice(0, limit)
  return { rows: backwards ? page.reverse() : page, more: rows.length > limit }
}

/** When a user last wrote in a conversation (rule 39: the timer restarts from it on reassignment). */
export async function lastMessageAtByUser(
  db: DbOrTx,
  workspaceId: number,
  conversationId: number,
  userId: number,
) {
  const [row] = await db
    .select({ at: messages.createdAt })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.conversationId, conversationId),
        eq(messages.authorKind, 'user'),
        eq(messages.authorId, userId),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(1)
  return row?.at ?? null
}

/** Outgoing messages to a contact on a channel, handed over up to a moment (watermark receipts). */
export async function listOutgoingUpTo(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  contactId: number,
  upTo: Date,
) {
  return db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.contactId, contactId),
        eq(messages.channelId, channelId),
        eq(messages.direction, 'out'),
        inArray(messages.status, ['sent', 'delivered']),
        lte(messages.sentAt, upTo),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(500)
}
