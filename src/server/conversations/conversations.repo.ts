import { and, desc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { closingCategories, conversations } from '../db/schema'

export type ConversationRow = typeof conversations.$inferSelect

export async function findOpenConversation(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.workspaceId, workspaceId),
        eq(conversations.contactId, contactId),
        eq(conversations.status, 'open'),
      ),
    )
  return row
}

export async function findConversation(
  db: DbOrTx,
  workspaceId: number,
  conversationId: number,
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)))
  return row
}

export async function insertConversation(
  db: DbOrTx,
  values: typeof conversations.$inferInsert,
): Promise<ConversationRow> {
  const [row] = await db.insert(conversations).values(values).returning()
  return row!
}

export async function updateConversation(
  db: DbOrTx,
  workspaceId: number,
  conversationId: number,
  values: Partial<typeof conversations.$inferInsert>,
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .update(conversations)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.id, conversationId)))
    .returning()
  return row
}

export async function listConversationsOfContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  limit = 50,
) {
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), eq(conversations.contactId, contactId)))
    .orderBy(desc(conversations.id))
    .limit(limit)
}

export async function findClosingCategory(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .select()
    .from(closingCategories)
    .where(and(eq(closingCategories.workspaceId, workspaceId), eq(closingCategories.id, id)))
  return row
}
