import { and, asc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { closingCategories } from '../db/schema'

export type CategoryRow = typeof closingCategories.$inferSelect

export async function listCategories(db: DbOrTx, workspaceId: number): Promise<CategoryRow[]> {
  return db
    .select()
    .from(closingCategories)
    .where(eq(closingCategories.workspaceId, workspaceId))
    .orderBy(asc(closingCategories.position), asc(closingCategories.id))
}

/** Names compare without case. */
export async function findCategoryByName(db: DbOrTx, workspaceId: number, name: string) {
  const [row] = await db
    .select()
    .from(closingCategories)
    .where(
      and(
        eq(closingCategories.workspaceId, workspaceId),
        sql`lower(${closingCategories.name}) = lower(${name})`,
      ),
    )
  return row
}

export async function insertCategory(
  db: DbOrTx,
  values: { workspaceId: number; name: string; description: string },
): Promise<CategoryRow> {
  const [row] = await db
    .insert(closingCategories)
    .values({
      ...values,
      position: sql`(SELECT coalesce(max(position) + 1, 0) FROM closing_categories WHERE workspace_id = ${values.workspaceId})`,
    })
    .returning()
  return row!
}

export async function updateCategory(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<Pick<CategoryRow, 'name' | 'description' | 'position'>>,
) {
  const [row] = await db
    .update(closingCategories)
    .set(values)
    .where(and(eq(closingCategories.workspaceId, workspaceId), eq(closingCategories.id, id)))
    .returning()
  return row
}

export async function deleteCategory(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .delete(closingCategories)
    .where(and(eq(closingCategories.workspaceId, workspaceId), eq(closingCategories.id, id)))
    .returning()
  return row
}
