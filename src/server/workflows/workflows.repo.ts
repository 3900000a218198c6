import { and, asc, count, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import {
  type CredentialKind,
  workflowCredentials,
  workflowSettings,
  workflowStepState,
  workflows,
  workflowVersions,
} from '../db/schema'

export type WorkflowRow = typeof workflows.$inferSelect
export type VersionRow = typeof workflowVersions.$inferSelect
export type CredentialRow = typeof workflowCredentials.$inferSelect

export async function insertWorkflow(
  db: DbOrTx,
  values: typeof workflows.$inferInsert,
): Promise<WorkflowRow> {
  const [row] = await db.insert(workflows).values(values).returning()
  return row!
}

export async function findWorkflow(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  opts: { lock?: boolean } = {},
): Promise<WorkflowRow | undefined> {
  const q = db
    .select()
    .from(workflows)
    .where(and(eq(workflows.workspaceId, workspaceId), eq(workflows.id, id)))
  const [row] = opts.lock ? await q.for('update') : await q
  return row
}

export async function listWorkflows(db: DbOrTx, workspaceId: number): Promise<WorkflowRow[]> {
  return db
    .select()
    .from(workflows)
    .where(eq(workflows.workspaceId, workspaceId))
    .orderBy(asc(workflows.name), asc(workflows.id))
}

export async function countWorkflows(db: DbOrTx, workspaceId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(workflows).where(eq(workflows.workspaceId, workspaceId))
  return Number(row?.n ?? 0)
}

/** Serialises creations in a workspace so the limit of rule 61 holds under concurrency. */
export async function lockWorkflowCreation(db: DbOrTx, workspaceId: number): Promise<void> {
  await db.execute(sql`SELECT pg_advisory_xact_lock(${workspaceId}::int, hashtext('workflows.create'))`)
}

export async function updateWorkflow(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<typeof workflows.$inferInsert>,
): Promise<WorkflowRow | undefined> {
  const [row] = await db
    .update(workflows)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(workflows.workspaceId, workspaceId), eq(workflows.id, id)))
    .returning()
  return row
}

export async function deleteWorkflow(db: DbOrTx, workspaceId: number, id: number): Promise<boolean> {
  const rows = await db
    .delete(workflows)
    .where(and(eq(workflows.workspaceId, workspaceId), eq(workflows.id, id)))
    .returning({ id: workflows.id })
  return rows.length > 0
}

export async function insertVersion(
  db: DbOrTx,
  values: typeof workflowVersions.$inferInsert,
): Promise<VersionRow> {
  const [row] = await db.insert(workflowVersions).values(values).returning()
  return row!
}

export async function findVersion(
  db: DbOrTx,
  workspaceId: number,
  id: number,
): Promise<VersionRow | undefined> {
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workspaceId, workspaceId), eq(workflowVersions.id, id)))
  return row
}

export async function findVersionByNumber(
  db: DbOrTx,
  workspaceId: number,
  workflowId: number,
  version: number,
) {
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(
      and(
        eq(workflowVersions.workspaceId, workspaceId),
        eq(workflowVersions.workflowId, workflowId),
        eq(workflowVersions.version, version),
      ),
    )
  return row
}

export async function listVersions(db: DbOrTx, workspaceId: number, workflowId: number) {
  return db
    .select({
      id: workflowVersions.id,
      version: workflowVersions.version,
      publishedAt: workflowVersions.publishedAt,
      publishedByUserId: workflowVersions.publishedByUserId,
    })
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workspaceId, workspaceId), eq(workflowVersions.workflowId, workflowId)))
    .orderBy(desc(workflowVersions.version))
}

/** Published workflows whose live trigger is one of `types`, with the live definition. */
export async function liveWorkflowsByTrigger(
  db: DbOrTx,
  workspaceId: number,
  types: string[],
  /** `id`: the order triggers start them in; `name`: as a menu lists them. */
  order: 'id' | 'name' = 'id',
) {
  return db
    .select({ workflow: workflows, version: workflowVersions })
    .from(workflows)
    .innerJoin(
      workflowVersions,
      and(
        eq(workflowVersions.workspaceId, workflows.workspaceId),
        eq(workflowVersions.id, workflows.liveVersionId),
      ),
    )
    .where(
      and(
        eq(workflows.workspaceId, workspaceId),
        eq(workflows.status, 'published'),
        isNotNull(workflows.liveVersionId),
        inArray(workflows.liveTriggerType, types),
      ),
    )
    .orderBy(...(order === 'name' ? [asc(workflows.name), asc(workflows.id)] : [asc(workflows.id)]))
}

export async function findSettings(db: DbOrTx, workspaceId: number) {
  const [row] = await db.select().from(workflowSettings).where(eq(workflowSettings.workspaceId, workspaceId))
  return row ?? { workspaceId, allowPrivateNetwork: false, updatedAt: null }
}

export async function upsertSettings(
  db: DbOrTx,
  workspaceId: number,
  values: { allowPrivateNetwork: boolean },
) {
  const [row] = await db
    .insert(workflowSettings)
    .values({ workspaceId, ...values })
    .onConflictDoUpdate({ target: workflowSettings.workspaceId, set: { ...values, updatedAt: sql`now()` } })
    .returning()
  return row!
}

export async function insertCredential(
  db: DbOrTx,
  values: typeof workflowCredentials.$inferInsert,
): Promise<CredentialRow> {
  const [row] = await db.insert(workflowCredentials).values(values).returning()
  return row!
}

export async function listCredentials(db: DbOrTx, workspaceId: number): Promise<CredentialRow[]> {
  return db
    .select()
    .from(workflowCredentials)
    .where(eq(workflowCredentials.workspaceId, workspaceId))
    .orderBy(asc(workflowCredentials.name))
}

export async function findCredential(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  kind?: CredentialKind,
): Promise<CredentialRow | undefined> {
  const [row] = await db
    .select()
    .from(workflowCredentials)
    .where(
      and(
        eq(workflowCredentials.workspaceId, workspaceId),
        eq(workflowCredentials.id, id),
        ...(kind ? [eq(workflowCredentials.kind, kind)] : []),
      ),
    )
  return row
}

export async function deleteCredential(db: DbOrTx, workspaceId: number, id: number): Promise<boolean> {
  const rows = await db
    .delete(workflowCredentials)
    .where(and(eq(workflowCredentials.workspaceId, workspaceId), eq(workflowCredentials.id, id)))
    .returning({ id: workflowCredentials.id })
  return rows.length > 0
}

/** A step's persistent state, locked for the transaction (created empty the first time). */
export async function lockStepState(
  db: DbOrTx,
  workspaceId: number,
  workflowId: number,
  stepId: string,
): Promise<Record<string, unknown>> {
  await db.insert(workflowStepState).values({ workspaceId, workflowId, stepId }).onConflictDoNothing()
  const [row] = await db
    .select()
    .from(workflowStepState)
    .where(
      and(
        eq(workflowStepState.workspaceId, workspaceId),
        eq(workflowStepState.workflowId, workflowId),
        eq(workflowStepState.stepId, stepId),
      ),
    )
    .for('update')
  return row?.state ?? {}
}

export async function saveStepState(
  db: DbOrTx,
  workspaceId: number,
  workflowId: number,
  stepId: string,
  state: Record<string, unknown>,
): Promise<void> {
  await db
    .update(workflowStepState)
    .set({ state, updatedAt: sql`now()` })
    .where(
      and(
        eq(workflowStepState.workspaceId, workspaceId),
        eq(workflowStepState.workflowId, workflowId),
        eq(workflowStepState.stepId, stepId),
      ),
    )
}
