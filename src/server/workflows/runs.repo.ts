import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, ne, type SQL, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { inRefs, type Ref } from '../db/refs'
import { type RunStatus, workflowEnrollments, workflowRunSteps, workflowRuns } from '../db/schema'

export type RunRow = typeof workflowRuns.$inferSelect
export type StepLogRow = typeof workflowRunSteps.$inferSelect

/** Inserts a run unless the contact already has an active run of this workflow (rule 67). */
export async function insertRunIfIdle(
  db: DbOrTx,
  values: typeof workflowRuns.$inferInsert,
): Promise<RunRow | undefined> {
  const [row] = await db
    .insert(workflowRuns)
    .values(values)
    .onConflictDoNothing({
      target: [workflowRuns.workspaceId, workflowRuns.workflowId, workflowRuns.contactId],
      where: sql`ended_at IS NULL`,
    })
    .returning()
  return row
}

/** Records an enrollment; true the first time this contact enters this workflow (rule 63). */
export async function enroll(
  db: DbOrTx,
  workspaceId: number,
  workflowId: number,
  contactId: number,
): Promise<boolean> {
  const rows = await db
    .insert(workflowEnrollments)
    .values({ workspaceId, workflowId, contactId })
    .onConflictDoNothing()
    .returning({ contactId: workflowEnrollments.contactId })
  return rows.length > 0
}

export async function setEnrollmentRun(
  db: DbOrTx,
  workspaceId: number,
  workflowId: number,
  contactId: number,
  runId: number,
) {
  await db
    .update(workflowEnrollments)
    .set({ firstRunId: runId })
    .where(
      and(
        eq(workflowEnrollments.workspaceId, workspaceId),
        eq(workflowEnrollments.workflowId, workflowId),
        eq(workflowEnrollments.contactId, contactId),
        isNull(workflowEnrollments.firstRunId),
      ),
    )
}

export async function isEnrolled(db: DbOrTx, workspaceId: number, workflowId: number, contactId: number) {
  const [row] = await db
    .select({ contactId: workflowEnrollments.contactId })
    .from(workflowEnrollments)
    .where(
      and(
        eq(workflowEnrollments.workspaceId, workspaceId),
        eq(workflowEnrollments.workflowId, workflowId),
        eq(workflowEnrollments.contactId, contactId),
      ),
    )
  return Boolean(row)
}

export async function lockRun(db: DbOrTx, workspaceId: number, id: number): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(workflowRuns)
    .where(and(eq(workflowRuns.workspaceId, workspaceId), eq(workflowRuns.id, id)))
    .for('update')
  return row
}

/** Several runs locked FOR UPDATE in id order (one statement; concurrent lockers cannot deadlock). */
export async function lockRuns(db: DbOrTx, refs: Ref[]): Promise<RunRow[]> {
  if (refs.length === 0) return []
  return db
    .select()
    .from(workflowRuns)
    .where(inRefs(workflowRuns.workspaceId, workflowRuns.id, refs))
    .orderBy(asc(workflowRuns.id))
    .for('update')
}

export async function findRun(db: DbOrTx, workspaceId: number, id: number): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(workflowRuns)
    .where(and(eq(workflowRuns.workspaceId, workspaceId), eq(workflowRuns.id, id)))
  return row
}

export async function updateRun(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<typeof workflowRuns.$inferInsert>,
): Promise<void> {
  await db
    .update(workflowRuns)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(workflowRuns.workspaceId, workspaceId), eq(workflowRuns.id, id)))
}

export async function insertStepLog(
  db: DbOrTx,
  values: typeof workflowRunSteps.$inferInsert,
): Promise<number> {
  const [row] = await db.insert(workflowRunSteps).values(values).returning({ id: workflowRunSteps.id })
  return row!.id
}

export async function updateStepLog(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<typeof workflowRunSteps.$inferInsert>,
): Promise<void> {
  await db
    .update(workflowRunSteps)
    .set(values)
    .where(and(eq(workflowRunSteps.workspaceId, workspaceId), eq(workflowRunSteps.id, id)))
}

export type RunFilter = {
  workflowId?: number | undefined
  contactId?: number | undefined
  status?: RunStatus | undefined
  before?: number | undefined
  limit: number
}

export async function listRuns(db: DbOrTx, workspaceId: number, f: RunFilter): Promise<RunRow[]> {
  const where: SQL[] = [eq(workflowRuns.workspaceId, workspaceId)]
  if (f.workflowId) where.push(eq(workflowRuns.workflowId, f.workflowId))
  if (f.contactId) where.push(eq(workflowRuns.contactId, f.contactId))
  if (f.status) where.push(eq(workflowRuns.status, f.status))
  if (f.before) where.push(lt(workflowRuns.id, f.before))
  return db
    .select()
    .from(workflowRuns)
    .where(and(...where))
    .orderBy(desc(workflowRuns.id))
    .limit(f.limit)
}

export async function stepLogsOf(db: DbOrTx, workspaceId: number, runIds: number[]): Promise<StepLogRow[]> {
  if (runIds.length === 0) return []
  return db
    .select()
    .from(workflowRunSteps)
    .where(and(eq(workflowRunSteps.workspaceId, workspaceId), inArray(workflowRunSteps.runId, runIds)))
    .orderBy(asc(workflowRunSteps.id))
}

/**
 * Runs waiting for their contact's next message (Ask a Question), for several contacts at once:
 * one query per consumer batch instead of one per inbound message. Locked; oldest first.
 */
export async function runsWaitingForReplies(
  db: DbOrTx,
  contacts: { workspaceId: number; contactId: number }[],
): Promise<RunRow[]> {
  if (contacts.length === 0) return []
  return db
    .select()
    .from(workflowRuns)
    .where(
      and(
        inRefs(
          workflowRuns.workspaceId,
          workflowRuns.contactId,
          contacts.map((c) => ({ workspaceId: c.workspaceId, id: c.contactId })),
        ),
        eq(workflowRuns.status, 'waiting'),
        eq(workflowRuns.waitKind, 'reply'),
      ),
    )
    .orderBy(asc(workflowRuns.id))
    .for('update')
}

export async function runsWaitingForMessage(
  db: DbOrTx,
  workspaceId: number,
  messageId: number,
): Promise<RunRow[]> {
  return db
    .select()
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.workspaceId, workspaceId),
        eq(workflowRuns.status, 'waiting'),
        eq(workflowRuns.waitKind, 'message_status'),
        eq(workflowRuns.waitMessageId, messageId),
      ),
    )
    .orderBy(asc(workflowRuns.id))
    .for('update')
}

/** The latest run of a workflow for a contact (chain depth of events it caused). */
export async function latestRunOf(db: DbOrTx, workspaceId: number, workflowId: number, contactId: number) {
  const [row] = await db
    .select({ id: workflowRuns.id, depth: workflowRuns.depth })
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.workspaceId, workspaceId),
        eq(workflowRuns.workflowId, workflowId),
        eq(workflowRuns.contactId, contactId),
      ),
    )
    .orderBy(desc(workflowRuns.id))
    .limit(1)
  return row
}

export async function otherActiveRunsOfContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  exceptRunId: number,
): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.workspaceId, workspaceId),
        eq(workflowRuns.contactId, contactId),
        isNull(workflowRuns.endedAt),
        ne(workflowRuns.id, exceptRunId),
      ),
    )
  return row?.n ?? 0
}

export async function activeRunIdsOfWorkflow(db: DbOrTx, workspaceId: number, workflowId: number) {
  const rows = await db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.workspaceId, workspaceId),
        eq(workflowRuns.workflowId, workflowId),
        isNull(workflowRuns.endedAt),
      ),
    )
  return rows.map((r) => r.id)
}

/** Runs not ended, by workflow: of the workspace's workflows, or of one. */
export async function countActiveRuns(
  db: DbOrTx,
  workspaceId: number,
  workflowId?: number,
): Promise<Map<number, number>> {
  const rows = await db
    .select({ workflowId: workflowRuns.workflowId, n: sql<number>`count(*)::int` })
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.workspaceId, workspaceId),
        isNull(workflowRuns.endedAt),
        workflowId === undefined ? undefined : eq(workflowRuns.workflowId, workflowId),
      ),
    )
    .groupBy(workflowRuns.workflowId)
  return new Map(rows.map((r) => [r.workflowId, r.n]))
}

/**
 * Maintenance across workspaces: runs left "running" for a while, e.g. by a process that died
 * mid-step. Their jobs are re-sent; the row lock and the run's state make that harmless.
 */
export async function staleRunningRuns(db: DbOrTx, olderThanMs: number, limit: number) {
  return db
    .select({ workspaceId: workflowRuns.workspaceId, id: workflowRuns.id })
    .from(workflowRuns)
    .where(
      and(
        eq(workflowRuns.status, 'running'),
        lt(workflowRuns.updatedAt, sql`now() - ${`${Math.ceil(olderThanMs)} milliseconds`}::interval`),
      ),
    )
    .orderBy(asc(workflowRuns.updatedAt))
    .limit(limit)
}

export async function runningRunsAfter(db: DbOrTx, afterId: number, limit: number) {
  return db
    .select({ workspaceId: workflowRuns.workspaceId, id: workflowRuns.id })
    .from(workflowRuns)
    .where(and(eq(workflowRuns.status, 'running'), gt(workflowRuns.id, afterId)))
    .orderBy(asc(workflowRuns.id))
    .limit(limit)
}

/** A waiting run whose timer is due by `overdueMs` on the database's clock (index workflow_runs_timers). */
const timerDue = (overdueMs: number) =>
  and(
    eq(workflowRuns.status, 'waiting'),
    isNotNull(workflowRuns.waitUntil),
    lte(workflowRuns.waitUntil, sql`now() - ${`${Math.ceil(overdueMs)} milliseconds`}::interval`),
  )

/**
 * Claims up to `limit` waiting runs whose timer is due (database clock), oldest first, skipping
 * rows another process holds, and hands them back to the executor exactly as a reply or a
 * status does (workflows.consumer resume): running, `resume` = timer, `seq` moved on, the wait's
 * state and log row kept for the step. The caller executes them after commit; a run claimed by a
 * process that dies before executing it is `running` and is resumed by recoverRuns.
 */
export async function claimDueTimers(
  db: DbOrTx,
  limit: number,
): Promise<{ workspaceId: number; id: number }[]> {
  const due = db
    .select({ workspaceId: workflowRuns.workspaceId, id: workflowRuns.id })
    .from(workflowRuns)
    .where(timerDue(0))
    .orderBy(asc(workflowRuns.waitUntil))
    .limit(limit)
    .for('update', { skipLocked: true })
  return db
    .update(workflowRuns)
    .set({
      status: 'running',
      resume: { kind: 'timer' },
      seq: sql`${workflowRuns.seq} + 1`,
      waitKind: null,
      waitUntil: null,
      waitMessageId: null,
      updatedAt: sql`now()`,
    })
    .where(sql`(${workflowRuns.workspaceId}, ${workflowRuns.id}) IN ${due}`)
    .returning({ workspaceId: workflowRuns.workspaceId, id: workflowRuns.id })
}

/** Whether any waiting run's timer is due by `overdueMs` (0: due now). */
export async function anyDueTimer(db: DbOrTx, overdueMs: number): Promise<boolean> {
  const [row] = await db
    .select({ id: workflowRuns.id })
    .from(workflowRuns)
    .where(timerDue(overdueMs))
    .limit(1)
  return Boolean(row)
}
