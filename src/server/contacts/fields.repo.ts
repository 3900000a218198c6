import { and, asc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { contacts, customFields } from '../db/schema'

export type CustomFieldRow = typeof customFields.$inferSelect

export async function listFields(db: DbOrTx, workspaceId: number): Promise<CustomFieldRow[]> {
  return db
    .select()
    .from(customFields)
    .where(eq(customFields.workspaceId, workspaceId))
    .orderBy(asc(customFields.position), asc(customFields.id))
}

export async function findField(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .select()
    .from(customFields)
    .where(and(eq(customFields.workspaceId, workspaceId), eq(customFields.id, id)))
  return row
}

export async function findFieldByKey(db: DbOrTx, workspaceId: number, key: string) {
  const [row] = await db
    .select()
    .from(customFields)
    .where(and(eq(customFields.workspaceId, workspaceId), eq(customFields.key, key)))
  return row
}

export async function insertField(
  db: DbOrTx,
  values: Omit<typeof customFields.$inferInsert, 'position'>,
): Promise<CustomFieldRow> {
  const [row] = await db
    .insert(customFields)
    .values({
      ...values,
      position: sql`(SELECT coalesce(max(position) + 1, 0) FROM custom_fields WHERE workspace_id = ${values.workspaceId})`,
    })
    .returning()
  return row!
}

export async function updateField(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<Pick<CustomFieldRow, 'name' | 'description' | 'options'>>,
) {
  const [row] = await db
    .update(customFields)
    .set(values)
    .where(and(eq(customFields.workspaceId, workspaceId), eq(customFields.id, id)))
    .returning()
  return row
}

export async function deleteField(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .delete(customFields)
    .where(and(eq(customFields.workspaceId, workspaceId), eq(customFields.id, id)))
    .returning()
  return row
}

export async function countFields(db: DbOrTx, workspaceId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(customFields)
    .where(eq(customFields.workspaceId, workspaceId))
  return row?.n ?? 0
}

/** Removes a field's values from every contact; `keep` limits it to values outside a list's options. */
export async function clearFieldValues(
  db: DbOrTx,
  workspaceId: number,
  key: string,
  keep?: string[],
): Promise<number> {
  const rows = await db
    .update(contacts)
    .set({ custom: sql`${contacts.custom} - ${key}::text`, updatedAt: sql`now()` })
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        sql`${contacts.custom} ? ${key}::text`,
        ...(keep ? [sql`NOT (${contacts.custom}->>${key}::text = ANY(${sql.param(keep)}::text[]))`] : []),
      ),
    )
    .returning({ id: contacts.id })
  return rows.length
}

export async function setFieldPositions(db: DbOrTx, workspaceId: number, ids: number[]): Promise<void> {
  for (const [position, id] of ids.entries()) {
    await db
      .update(customFields)
      .set({ position })
      .where(and(eq(customFields.workspaceId, workspaceId), eq(customFields.id, id)))
  }
}
