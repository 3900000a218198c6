import { and, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm'
import type { DbOrTx } from '../../db/database'
import { channels, contactChannels, emailMailboxes, messages } from '../../db/schema'
import type { ChannelRow } from '../channels.repo'

/**
 * The active email channels that receive mail for an address. Across workspaces on purpose: the
 * recipient address is what routes inbound SMTP, as the webhook path does for other channels.
 */
export async function emailChannelsForAddress(db: DbOrTx, address: string): Promise<ChannelRow[]> {
  return db
    .select()
    .from(channels)
    .where(
      and(
        sql`type = 'email'`,
        eq(channels.status, 'active'),
        sql`lower(${channels.config}->>'address') = ${address.toLowerCase()}`,
      ),
    )
}

/** Every active email channel that polls IMAP (the poll tick fans out one job per channel). */
export async function imapChannels(db: DbOrTx): Promise<ChannelRow[]> {
  return db
    .select()
    .from(channels)
    .where(
      and(sql`type = 'email'`, eq(channels.status, 'active'), sql`${channels.config}->>'inbound' = 'imap'`),
    )
}

const EMAILISH = sql`${messages.type} IN ('email', 'text')`
const threadCols = {
  id: messages.id,
  direction: messages.direction,
  contactId: messages.contactId,
  providerMessageId: messages.providerMessageId,
  content: messages.content,
  createdAt: messages.createdAt,
}
export type ThreadMessage = {
  id: number
  direction: 'in' | 'out'
  contactId: number
  providerMessageId: string | null
  content: Record<string, unknown>
  createdAt: Date
}

/** Messages on this channel whose Message-ID is one of these (the lookup In-Reply-To/References use). */
export async function messagesByMessageIds(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  ids: string[],
): Promise<ThreadMessage[]> {
  if (ids.length === 0) return []
  return db
    .select(threadCols)
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.channelId, channelId),
        inArray(messages.providerMessageId, ids),
      ),
    )
}

/** The sender's latest recent email with the same subject (prefixes stripped), for mail without headers. */
export async function latestBySubject(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  identifier: string,
  normalizedSubject: string,
  since: Date,
): Promise<ThreadMessage | undefined> {
  const [row] = await db
    .select(threadCols)
    .from(messages)
    .innerJoin(
      contactChannels,
      and(
        eq(contactChannels.workspaceId, messages.workspaceId),
        eq(contactChannels.contactId, messages.contactId),
        eq(contactChannels.channelId, messages.channelId),
      ),
    )
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.channelId, channelId),
        eq(contactChannels.identifier, identifier),
        gt(messages.createdAt, since),
        sql`${messages.content}->'email'->>'normalizedSubject' = ${normalizedSubject}`,
      ),
    )
    .orderBy(desc(messages.id))
    .limit(1)
  return row
}

/**
 * The latest email (or text) message with the contact on this channel before a message, optionally
 * in one thread or by one workflow: the message an outgoing email replies to.
 */
export async function latestThreadMessage(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  channelId: number,
  beforeId: number,
  filter: { threadId?: string; workflowId?: number } = {},
): Promise<ThreadMessage | undefined> {
  const [row] = await db
    .select(threadCols)
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, workspaceId),
        eq(messages.contactId, contactId),
        eq(messages.channelId, channelId),
        lt(messages.id, beforeId),
        EMAILISH,
        ...(filter.threadId ? [sql`${messages.content}->'email'->>'threadId' = ${filter.threadId}`] : []),
        ...(filter.workflowId
          ? [eq(messages.authorKind, 'workflow'), eq(messages.authorId, filter.workflowId)]
          : []),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(1)
  return row
}

/** Records the threading headers of an outgoing email on its message (content.email). */
export async function mergeEmailContent(
  db: DbOrTx,
  workspaceId: number,
  messageId: number,
  patch: Record<string, unknown>,
): Promise<void> {
  await db
    .update(messages)
    .set({
      content: sql`jsonb_set(${messages.content}, '{email}', coalesce(${messages.content}->'email', '{}'::jsonb) || ${JSON.stringify(patch)}::jsonb)`,
    })
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.id, messageId)))
}

export type MailboxRow = typeof emailMailboxes.$inferSelect

export async function findMailbox(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
): Promise<MailboxRow | undefined> {
  const [row] = await db
    .select()
    .from(emailMailboxes)
    .where(and(eq(emailMailboxes.workspaceId, workspaceId), eq(emailMailboxes.channelId, channelId)))
  return row
}

export async function saveMailbox(
  db: DbOrTx,
  values: Pick<MailboxRow, 'workspaceId' | 'channelId' | 'mailbox'> &
    Partial<Pick<MailboxRow, 'uidValidity' | 'lastUid' | 'lastPolledAt' | 'lastError'>>,
): Promise<void> {
  const { workspaceId: _w, channelId: _c, ...set } = values
  await db
    .insert(emailMailboxes)
    .values(values)
    .onConflictDoUpdate({
      target: [emailMailboxes.workspaceId, emailMailboxes.channelId],
      set: { ...set, updatedAt: new Date() },
    })
}
