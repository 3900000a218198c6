import { and, asc, eq } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { lifecycleStages } from '../db/schema'

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

export async function findStage(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .select()
    .from(lifecycleStages)
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.id, id)))
  return row
}
