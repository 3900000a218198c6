import { and, asc, eq, notInArray } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { messageTemplates } from '../db/schema'

export type TemplateRow = typeof messageTemplates.$inferSelect

export async function findTemplate(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  name: string,
  language: string,
) {
  const [row] = await db
    .select()
    .from(messageTemplates)
    .where(
      and(
        eq(messageTemplates.workspaceId, workspaceId),
        eq(messageTemplates.channelId, channelId),
        eq(messageTemplates.name, name),
        eq(messageTemplates.language, language),
      ),
    )
  return row
}

export async function findTemplateById(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .select()
    .from(messageTemplates)
    .where(and(eq(messageTemplates.workspaceId, workspaceId), eq(messageTemplates.id, id)))
  return row
}

export async function listTemplates(db: DbOrTx, workspaceId: number, channelId?: number) {
  return db
    .select()
    .from(messageTemplates)
    .where(
      and(
        eq(messageTemplates.workspaceId, workspaceId),
        ...(channelId ? [eq(messageTemplates.channelId, channelId)] : []),
      ),
    )
    .orderBy(asc(messageTemplates.name), asc(messageTemplates.language))
}

/** Inserts or refreshes a template (sync from the provider, or created locally). */
export async function upsertTemplate(
  db: DbOrTx,
  values: typeof messageTemplates.$inferInsert,
): Promise<TemplateRow> {
  const [row] = await db
    .insert(messageTemplates)
    .values(values)
    .onConflictDoUpdate({
      target: [
        messageTemplates.workspaceId,
        messageTemplates.channelId,
        messageTemplates.name,
        messageTemplates.language,
      ],
      set: {
        category: values.category,
        status: values.status,
        components: values.components,
        providerTemplateId: values.providerTemplateId,
        updatedAt: new Date(),
      },
    })
    .returning()
  return row!
}

/** Templates the provider no longer lists are kept (history refers to them) but disabled. */
export async function disableTemplatesNotIn(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  keepIds: number[],
): Promise<void> {
  await db
    .update(messageTemplates)
    .set({ status: 'DISABLED', updatedAt: new Date() })
    .where(
      and(
        eq(messageTemplates.workspaceId, workspaceId),
        eq(messageTemplates.channelId, channelId),
        ...(keepIds.length ? [notInArray(messageTemplates.id, keepIds)] : []),
      ),
    )
}
