import { and, asc, desc, eq, inArray, isNotNull, ne, or, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import {
  comments,
  contactChannels,
  contactMerges,
  contacts,
  contactTags,
  conversations,
  events,
  messages,
  notifications,
} from '../db/schema'
import type { ContactRow } from './contacts.repo'

/** Rule 53: other contacts with the same phone or email. */
export async function findDuplicatesOf(db: DbOrTx, contact: ContactRow): Promise<ContactRow[]> {
  const same = [
    ...(contact.phone ? [eq(contacts.phone, contact.phone)] : []),
    ...(contact.email ? [eq(contacts.email, contact.email)] : []),
  ]
  if (same.length === 0) return []
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, contact.workspaceId), ne(contacts.id, contact.id), or(...same)))
    .orderBy(asc(contacts.id))
    .limit(100)
}

export type DuplicateGroup = { kind: 'phone' | 'email'; value: string; contactIds: number[] }

/**
 * Every phone and email shared by more than one contact of the workspace, ordered by kind and
 * value (keyset: pass the last group's kind and value). Grouping uses contacts_phone / contacts_email.
 */
export async function listDuplicateGroups(
  db: DbOrTx,
  workspaceId: number,
  after: { kind: 'phone' | 'email'; value: string } | null,
  limit: number,
): Promise<DuplicateGroup[]> {
  const groups = async (kind: 'phone' | 'email') => {
    const column = kind === 'phone' ? contacts.phone : contacts.email
    if (after && kind === 'phone' && after.kind === 'email') return []
    const rows = await db
      .select({
        value: sql<string>`${column}::text`,
        ids: sql<number[]>`array_agg(${contacts.id} ORDER BY ${contacts.id})`,
      })
      .from(contacts)
      .where(
        and(
          eq(contacts.workspaceId, workspaceId),
          isNotNull(column),
          after && after.kind === kind ? sql`${column}::text > ${after.value}` : undefined,
        ),
      )
      .groupBy(column)
      .having(sql`count(*) > 1`)
      .orderBy(sql`${column}::text`)
      .limit(limit)
    return rows.map((r) => ({ kind, value: r.value, contactIds: r.ids.map(Number) }))
  }
  const phone = await groups('phone')
  if (phone.length >= limit) return phone
  return [...phone, ...(await groups('email'))].slice(0, limit)
}

export async function findContactsByIds(
  db: DbOrTx,
  workspaceId: number,
  ids: number[],
): Promise<ContactRow[]> {
  if (ids.length === 0) return []
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, ids)))
}

export async function deleteIdentities(db: DbOrTx, workspaceId: number, ids: number[]): Promise<void> {
  if (ids.length === 0) return
  await db
    .delete(contactChannels)
    .where(and(eq(contactChannels.workspaceId, workspaceId), inArray(contactChannels.id, ids)))
}

/**
 * Moves everything that belongs to one contact onto another: identities, conversations,
 * messages, comments, notifications and the event history (so the timeline stays whole).
 */
export async function moveContactRows(
  db: DbOrTx,
  workspaceId: number,
  from: number,
  to: number,
): Promise<void> {
  await db
    .update(contactChannels)
    .set({ contactId: to })
    .where(and(eq(contactChannels.workspaceId, workspaceId), eq(contactChannels.contactId, from)))
  await db
    .update(conversations)
    .set({ contactId: to, updatedAt: sql`now()` })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.contactId, from)))
  await db
    .update(messages)
    .set({ contactId: to })
    .where(and(eq(messages.workspaceId, workspaceId), eq(messages.contactId, from)))
  await db
    .update(comments)
    .set({ contactId: to })
    .where(and(eq(comments.workspaceId, workspaceId), eq(comments.contactId, from)))
  await db
    .update(notifications)
    .set({ contactId: to })
    .where(and(eq(notifications.workspaceId, workspaceId), eq(notifications.contactId, from)))
  await db
    .update(events)
    .set({ contactId: to })
    .where(and(eq(events.workspaceId, workspaceId), eq(events.contactId, from)))
}

/** The union of both contacts' tags on the target; returns the tag ids that were added. */
export async function copyTags(db: DbOrTx, workspaceId: number, from: number, to: number): Promise<number[]> {
  const rows = await db.execute<{ tag_id: number }>(sql`
    INSERT INTO contact_tags (workspace_id, contact_id, tag_id)
    SELECT workspace_id, ${to}, tag_id FROM contact_tags WHERE workspace_id = ${workspaceId} AND contact_id = ${from}
    ON CONFLICT DO NOTHING
    RETURNING tag_id`)
  return (rows as unknown as { rows: { tag_id: number | string }[] }).rows.map((r) => Number(r.tag_id))
}

export async function tagIdsOf(db: DbOrTx, workspaceId: number, contactId: number): Promise<number[]> {
  const rows = await db
    .select({ tagId: contactTags.tagId })
    .from(contactTags)
    .where(and(eq(contactTags.workspaceId, workspaceId), eq(contactTags.contactId, contactId)))
  return rows.map((r) => r.tagId)
}

export async function latestConversationOf(db: DbOrTx, workspaceId: number, contactId: number) {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.contactId, contactId)))
    .orderBy(desc(conversations.id))
    .limit(1)
  return row
}

export async function insertMerge(db: DbOrTx, values: typeof contactMerges.$inferInsert) {
  const [row] = await db.insert(contactMerges).values(values).returning()
  return row!
}

export async function listMergesInto(db: DbOrTx, workspaceId: number, contactId: number) {
  return db
    .select()
    .from(contactMerges)
    .where(and(eq(contactMerges.workspaceId, workspaceId), eq(contactMerges.primaryContactId, contactId)))
    .orderBy(desc(contactMerges.id))
}
