import { and, desc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { contactImports, contacts } from '../db/schema'
import type { Existing } from './import.plan'

export type ImportRow = typeof contactImports.$inferSelect

export async function insertImport(
  db: DbOrTx,
  values: typeof contactImports.$inferInsert,
): Promise<ImportRow> {
  const [row] = await db.insert(contactImports).values(values).returning()
  return row!
}

export async function findImport(db: DbOrTx, workspaceId: number, id: number, opts: { lock?: boolean } = {}) {
  const q = db
    .select()
    .from(contactImports)
    .where(and(eq(contactImports.workspaceId, workspaceId), eq(contactImports.id, id)))
  const [row] = opts.lock ? await q.for('update') : await q
  return row
}

export async function listImports(db: DbOrTx, workspaceId: number, limit = 50): Promise<ImportRow[]> {
  return db
    .select()
    .from(contactImports)
    .where(eq(contactImports.workspaceId, workspaceId))
    .orderBy(desc(contactImports.id))
    .limit(limit)
}

export async function updateImport(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<typeof contactImports.$inferInsert>,
): Promise<ImportRow | undefined> {
  const [row] = await db
    .update(contactImports)
    .set(values)
    .where(and(eq(contactImports.workspaceId, workspaceId), eq(contactImports.id, id)))
    .returning()
  return row
}

/** Counts a committed batch, in the batch's own transaction, so a restarted job resumes after it. */
export async function recordBatch(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  processed: number,
  n: { created: number; updated: number; skipped: number; failed: number },
): Promise<void> {
  await db
    .update(contactImports)
    .set({
      processed,
      created: sql`${contactImports.created} + ${n.created}`,
      updated: sql`${contactImports.updated} + ${n.updated}`,
      skipped: sql`${contactImports.skipped} + ${n.skipped}`,
      failed: sql`${contactImports.failed} + ${n.failed}`,
    })
    .where(and(eq(contactImports.workspaceId, workspaceId), eq(contactImports.id, id)))
}

/** Contacts with any of these phones or emails (indexes contacts_phone, contacts_email). */
export async function findByIdentifiers(
  db: DbOrTx,
  workspaceId: number,
  phones: string[],
  emails: string[],
  opts: { lock: boolean },
): Promise<Existing[]> {
  if (phones.length === 0 && emails.length === 0) return []
  const q = db
    .select({
      id: contacts.id,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      phone: contacts.phone,
      email: contacts.email,
      country: contacts.country,
      language: contacts.language,
      lifecycleStageId: contacts.lifecycleStageId,
      custom: contacts.custom,
    })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        sql`(${contacts.phone} = ANY(${sql.param(phones)}::text[]) OR ${contacts.email} = ANY(${sql.param(emails)}::citext[]))`,
      ),
    )
    .orderBy(contacts.id)
  return opts.lock ? q.for('update') : q
}

export type ContactValues = {
  first_name: string
  last_name: string
  phone: string | null
  email: string | null
  country: string | null
  language: string | null
  lifecycle_stage_id: number | null
  custom: Record<string, unknown>
}

const RECORD = sql.raw(
  'first_name text, last_name text, phone text, email text, country text, language text, lifecycle_stage_id bigint, custom jsonb',
)

/**
 * Inserts many contacts in one statement (the batch travels as one JSON parameter). Ids come
 * back in the order given: rows carry their index and are inserted sorted by it, and RETURNING
 * reports rows in insertion order.
 */
export async function insertContactsBatch(
  db: DbOrTx,
  workspaceId: number,
  rows: ContactValues[],
): Promise<number[]> {
  if (rows.length === 0) return []
  const result = await db.execute<{ id: number | string }>(sql`
    INSERT INTO contacts (workspace_id, first_name, last_name, phone, email, country, language, lifecycle_stage_id, custom)
    SELECT ${workspaceId}, v.first_name, v.last_name, v.phone, v.email, v.country, v.language, v.lifecycle_stage_id, v.custom
    FROM jsonb_to_recordset(${JSON.stringify(rows.map((r, n) => ({ ...r, n })))}::jsonb) AS v(${RECORD}, n int)
    ORDER BY v.n
    RETURNING id`)
  return (result as unknown as { rows: { id: number | string }[] }).rows.map((r) => Number(r.id))
}

/** Updates many contacts in one statement. */
export async function updateContactsBatch(
  db: DbOrTx,
  workspaceId: number,
  rows: (ContactValues & { id: number })[],
): Promise<void> {
  if (rows.length === 0) return
  await db.execute(sql`
    UPDATE contacts AS c SET
      first_name = v.first_name, last_name = v.last_name, phone = v.phone, email = v.email,
      country = v.country, language = v.language, lifecycle_stage_id = v.lifecycle_stage_id,
      custom = v.custom, updated_at = now()
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id bigint, ${RECORD})
    WHERE c.workspace_id = ${workspaceId} AND c.id = v.id`)
}
