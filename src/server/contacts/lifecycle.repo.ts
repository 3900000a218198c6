import { and, asc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { contacts, lifecycleStages } from '../db/schema'

export type LifecycleStageRow = typeof lifecycleStages.$inferSelect

/** Rule 58: New Lead (default), Hot Lead, Payment, Customer, and the lost stage Cold Lead. */
const DEFAULT_STAGES = {
  en: ['New Lead', 'Hot Lead', 'Payment', 'Customer', 'Cold Lead'],
  ar: ['عميل محتمل جديد', 'عميل محتمل مهتم', 'الدفع', 'عميل', 'عميل محتمل فاتر'],
} as const

export async function insertDefaultStages(
  db: DbOrTx,
  workspaceId: number,
  language: 'en' | 'ar',
): Promise<void> {
  await db.insert(lifecycleStages).values(
    DEFAULT_STAGES[language].map((name, i) => ({
      workspaceId,
      name,
      position: i,
      isDefault: i === 0,
      isLost: i === 4,
    })),
  )
}

export async function listStages(db: DbOrTx, workspaceId: number): Promise<LifecycleStageRow[]> {
  return db
    .select()
    .from(lifecycleStages)
    .where(eq(lifecycleStages.workspaceId, workspaceId))
    .orderBy(asc(lifecycleStages.position))
}

export async function findStage(
  db: DbOrTx,
  workspaceId: number,
  id: number,
): Promise<LifecycleStageRow | undefined> {
  const [row] = await db
    .select()
    .from(lifecycleStages)
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.id, id)))
  return row
}

export async function findStageByName(db: DbOrTx, workspaceId: number, name: string) {
  const [row] = await db
    .select()
    .from(lifecycleStages)
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.name, name)))
  return row
}

export async function insertStage(
  db: DbOrTx,
  values: { workspaceId: number; name: string; isLost: boolean },
): Promise<LifecycleStageRow> {
  const [row] = await db
    .insert(lifecycleStages)
    .values({
      ...values,
      position: sql`(SELECT coalesce(max(position) + 1, 0) FROM lifecycle_stages WHERE workspace_id = ${values.workspaceId})`,
    })
    .returning()
  return row!
}

export async function updateStage(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<Pick<LifecycleStageRow, 'name' | 'isLost' | 'isDefault' | 'position'>>,
) {
  const [row] = await db
    .update(lifecycleStages)
    .set(values)
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.id, id)))
    .returning()
  return row
}

/** Rule 58: exactly one default stage; the partial unique index lifecycle_one_default enforces it. */
export async function makeDefaultStage(db: DbOrTx, workspaceId: number, id: number): Promise<void> {
  await db
    .update(lifecycleStages)
    .set({ isDefault: false })
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.isDefault, true)))
  await updateStage(db, workspaceId, id, { isDefault: true })
}

export async function deleteStage(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .delete(lifecycleStages)
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.id, id)))
    .returning()
  return row
}

/** Contacts in a deleted stage are left without one. */
export async function clearStageFromContacts(db: DbOrTx, workspaceId: number, stageId: number) {
  const rows = await db
    .update(contacts)
    .set({ lifecycleStageId: null, updatedAt: sql`now()` })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.lifecycleStageId, stageId)))
    .returning({ id: contacts.id })
  return rows.length
}

export async function setStagePositions(db: DbOrTx, workspaceId: number, ids: number[]): Promise<void> {
  for (const [position, id] of ids.entries()) await updateStage(db, workspaceId, id, { position })
}
