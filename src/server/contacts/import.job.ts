import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import { type Actor, type DomainEvent, emit, emitMany } from '../events'
import { defineQueue } from '../jobs/jobs'
import { csvCell } from '../lib/csv'
import { defaultLifecycleStageId } from './contacts.repo'
import { listFields } from './fields.repo'
import { parseCsv } from './import.csv'
import {
  type BatchPlan,
  identifiersOf,
  type NewContact,
  planBatch,
  type RowOutcome,
  rowReader,
} from './import.plan'
import {
  type ContactValues,
  findByIdentifiers,
  findImport,
  type ImportRow,
  insertContactsBatch,
  recordBatch,
  updateContactsBatch,
  updateImport,
} from './import.repo'
import { listStages } from './lifecycle.repo'
import { addContactTags, ensureTags, type TagRow } from './tags.repo'

export const CONTACT_IMPORT_QUEUE = 'contacts.import'
export type ImportJob = { workspaceId: number; importId: number; actor: Actor }

const BATCH = 5000
const RETRIES = 2

type Tags = Map<string, TagRow>

function values(
  c: Omit<NewContact, 'tags' | 'rows' | 'custom'> & { custom: Record<string, unknown> },
): ContactValues {
  return {
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    email: c.email,
    country: c.country,
    language: c.language,
    lifecycle_stage_id: c.lifecycleStageId,
    custom: c.custom,
  }
}

/**
 * Writes one planned batch: a multi-row INSERT for new contacts, a multi-row UPDATE for changed
 * ones, tags with ON CONFLICT DO NOTHING, the events in bulk, and the progress counters — all in
 * the batch's transaction. Returns the new contacts' ids.
 */
async function writeBatch(
  tx: Tx,
  job: ImportJob,
  plan: BatchPlan,
  tags: Tags,
  extraTagIds: number[],
  defaultStage: number | null,
): Promise<Map<NewContact, number>> {
  const ws = job.workspaceId
  // Rule 58: new contacts start in the default stage unless the file says otherwise.
  const ids = await insertContactsBatch(
    tx,
    ws,
    plan.creates.map((c) => values({ ...c, lifecycleStageId: c.lifecycleStageId ?? defaultStage })),
  )
  const created = new Map(plan.creates.map((c, i) => [c, ids[i]!]))
  const updates = [...plan.updates.entries()].filter(([, u]) => u.changes.size > 0)
  await updateContactsBatch(
    tx,
    ws,
    updates.map(([id, u]) => ({ id, ...values(u.after) })),
  )
  const tagId = (name: string) => tags.get(name.toLowerCase())!.id
  const pairs = [
    ...plan.creates.flatMap((c) =>
      [...[...c.tags].map(tagId), ...extraTagIds].map((t) => ({ contactId: created.get(c)!, tagId: t })),
    ),
    ...[...plan.updates.entries()].flatMap(([id, u]) =>
      [...[...u.tags].map(tagId), ...extraTagIds].map((t) => ({ contactId: id, tagId: t })),
    ),
  ]
  const added = await addContactTags(tx, ws, pairs)
  const byId = new Map([...tags.values()].map((t) => [t.id, t]))
  const events: DomainEvent[] = [
    ...ids.map(
      (contactId): DomainEvent => ({ type: 'contact.created', payload: { contactId, source: 'import' } }),
    ),
    ...updates.flatMap(([contactId, u]): DomainEvent[] => {
      const changes = [...u.changes].filter((k) => k !== 'lifecycle')
      return [
        ...(changes.length ? [{ type: 'contact.updated' as const, payload: { contactId, changes } }] : []),
        ...(u.changes.has('lifecycle')
          ? [
              {
                type: 'contact.lifecycle_updated' as const,
                payload: { contactId, from: u.before.lifecycleStageId, to: u.after.lifecycleStageId },
              },
            ]
          : []),
      ]
    }),
    ...added.map(
      (pair): DomainEvent => ({
        type: 'contact.tag_updated',
        payload: {
          contactId: pair.contactId,
          tagId: pair.tagId,
          tag: byId.get(pair.tagId)!.name,
          action: 'added',
        },
      }),
    ),
  ]
  await emitMany(tx, ws, job.actor, events)
  return created
}

const reportLine = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`

/** The job: resumes after the last committed batch, so a retry never imports a row twice. */
export async function runImport(ctx: Ctx, job: ImportJob, attempt = 0): Promise<void> {
  const ws = job.workspaceId
  const row = await findImport(ctx.db, ws, job.importId)
  if (row?.status !== 'importing' || !row.mapping || !row.options) return
  const options = row.options
  try {
    const file = parseCsv(await ctx.storage.read(row.fileKey))
    const [fields, stages, defaultStage] = await Promise.all([
      listFields(ctx.db, ws),
      listStages(ctx.db, ws),
      defaultLifecycleStageId(ctx.db, ws),
    ])
    const read = rowReader(file.headers, row.mapping, fields, stages)
    const parsed = file.rows.map((cells, i) => ({ row: i + 2, parsed: read(cells) }))
    const names = new Set<string>()
    for (const r of parsed) if (r.parsed.kind === 'ok') for (const t of r.parsed.values.tags) names.add(t)
    // Tags named in the file are created as needed (importing is a Contacts-module action).
    const tags: Tags = new Map(
      (await ensureTags(ctx.db, ws, [...names])).map((t) => [t.name.toLowerCase(), t]),
    )
    const extraTagIds = (options.tagIds ?? []).filter((id) => [...tags.values()].some((t) => t.id === id))

    let report = reportLine(['Row', 'Outcome', 'Contact ID', 'Reason'])
    if (row.processed > 0) {
      report += reportLine([
        `2–${row.processed + 1}`,
        'processed',
        '',
        'Imported before the job restarted; these rows are counted in the totals.',
      ])
    }
    for (let start = row.processed; start < parsed.length; start += BATCH) {
      const batch = parsed.slice(start, start + BATCH)
      const outcomes = await ctx.db.transaction(async (tx) => {
        const current = await findImport(tx, ws, job.importId, { lock: true })
        // Another worker moved on (or the import was finished): stop here.
        if (current?.status !== 'importing' || current.processed !== start) return null
        const ids = identifiersOf(batch.map((b) => b.parsed))
        const matches =
          options.mode === 'add_all'
            ? []
            : await findByIdentifiers(tx, ws, ids.phones, ids.emails, { lock: true })
        const plan = planBatch(batch, matches, options.mode)
        const created = await writeBatch(tx, job, plan, tags, extraTagIds, defaultStage)
        const count = (o: RowOutcome['outcome']) => plan.outcomes.filter((x) => x.outcome === o).length
        await recordBatch(tx, ws, job.importId, start + batch.length, {
          created: count('created'),
          updated: count('updated'),
          skipped: count('skipped'),
          failed: count('failed'),
        })
        return plan.outcomes.map((o) => ({
          ...o,
          contactId:
            o.target === null
              ? null
              : typeof o.target === 'number'
                ? o.target
                : (created.get(o.target) ?? null),
        }))
      })
      if (!outcomes) return
      for (const o of outcomes) report += reportLine([o.row, o.outcome, o.contactId ?? '', o.reason])
    }
    const stored = await ctx.storage.put(
      ws,
      `import-${job.importId}-report.csv`,
      Buffer.from(`\uFEFF${report}`),
    )
    await ctx.db.transaction(async (tx) => {
      const done = (await updateImport(tx, ws, job.importId, {
        status: 'completed',
        reportKey: stored.key,
        finishedAt: ctx.clock.now(),
      }))!
      await emit(tx, ws, job.actor, {
        type: 'contact_import.completed',
        payload: {
          importId: job.importId,
          created: done.created,
          updated: done.updated,
          skipped: done.skipped,
          failed: done.failed,
        },
      })
    })
  } catch (err) {
    // Transient failures retry (resuming after the last committed batch); the last attempt gives up.
    if (attempt < RETRIES) throw err
    ctx.log.error({ err, importId: job.importId }, 'contact import failed')
    await failImport(ctx, job, row, err instanceof Error ? err.message : String(err))
  }
}

async function failImport(ctx: Ctx, job: ImportJob, row: ImportRow, error: string) {
  await ctx.db.transaction(async (tx) => {
    await updateImport(tx, job.workspaceId, row.id, { status: 'failed', error, finishedAt: ctx.clock.now() })
    await emit(tx, job.workspaceId, job.actor, {
      type: 'contact_import.failed',
      payload: { importId: row.id, error },
    })
  })
}

export function contactImportQueue(ctx: Ctx) {
  return defineQueue<ImportJob>({
    name: CONTACT_IMPORT_QUEUE,
    options: { retryLimit: RETRIES, retryDelay: 5, expireInSeconds: 3600 },
    handler: (data, meta) => runImport(ctx, data, meta.retryCount),
  })
}
