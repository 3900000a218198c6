import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { ImportMapping, ImportOptions } from '../db/schema'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import { listFields } from './fields.repo'
import { checkRowCount, parseCsv } from './import.csv'
import { CONTACT_IMPORT_QUEUE, type ImportJob } from './import.job'
import {
  checkMapping,
  identifierKeys,
  identifiersOf,
  planBatch,
  rowReader,
  suggestTarget,
} from './import.plan'
import {
  findByIdentifiers,
  findImport,
  type ImportRow,
  insertImport,
  listImports,
  updateImport,
} from './import.repo'
import { listStages } from './lifecycle.repo'
import { listAllTags } from './tags.repo'
import { loadTags } from './tags.service'

export const SAMPLE_ROWS = 5
export const BATCH = 5000

/** Phase 1, Upload (rule 57): the file is checked and stored; the reply shows its columns and a sample. */
export async function uploadImport(ctx: Ctx, p: Principal, input: { fileName: string; data: Buffer }) {
  authorize(p, 'contacts.view')
  const file = parseCsv(input.data)
  checkRowCount(file)
  const stored = await ctx.storage.put(p.workspaceId, input.fileName, input.data)
  const row = await insertImport(ctx.db, {
    workspaceId: p.workspaceId,
    status: 'uploaded',
    fileName: input.fileName,
    fileKey: stored.key,
    headers: file.headers,
    rowCount: file.rows.length,
    createdByUserId: p.kind === 'user' ? p.userId : null,
  })
  const fields = await listFields(ctx.db, p.workspaceId)
  return {
    import: row,
    sample: file.rows.slice(0, SAMPLE_ROWS),
    suggestedMapping: file.headers.map((column) => ({ column, target: suggestTarget(column, fields) })),
  }
}

export async function getImport(ctx: Ctx, p: Principal, importId: number): Promise<ImportRow> {
  authorize(p, 'contacts.view')
  const row = await findImport(ctx.db, p.workspaceId, importId)
  if (!row) throw new NotFoundError('Import')
  return row
}

export async function listContactImports(ctx: Ctx, p: Principal): Promise<ImportRow[]> {
  authorize(p, 'contacts.view')
  return listImports(ctx.db, p.workspaceId)
}

const alreadyStarted = (row: ImportRow) =>
  new ConflictError(`This import is ${row.status}; its mapping can no longer change.`, 'import_started')

/** Phase 2, Mapping: columns to fields, and what to do with existing contacts. */
export async function setImportMapping(
  ctx: Ctx,
  p: Principal,
  importId: number,
  input: { columns: ImportMapping; options: ImportOptions },
): Promise<ImportRow> {
  authorize(p, 'contacts.view')
  return ctx.db.transaction(async (tx) => {
    const row = await findImport(tx, p.workspaceId, importId, { lock: true })
    if (!row) throw new NotFoundError('Import')
    if (row.status !== 'uploaded' && row.status !== 'mapped') throw alreadyStarted(row)
    const problems = checkMapping(
      row.headers,
      input.columns,
      await listFields(tx, p.workspaceId),
      input.options.mode,
    )
    if (problems.length) {
      throw new UnprocessableError(problems.map((x) => x.message).join(' '), 'invalid_mapping', problems)
    }
    await loadTags(tx, p.workspaceId, input.options.tagIds ?? [], 'options.tagIds')
    return (await updateImport(tx, p.workspaceId, importId, {
      mapping: input.columns,
      options: input.options,
      status: 'mapped',
    }))!
  })
}

export type ReviewSummary = {
  rows: number
  create: number
  update: number
  skip: number
  fail: number
  errors: { row: number; reason: string }[]
  newTags: string[]
}

/**
 * Phase 3, Review: a dry run over the whole file with the same planning as the import, against
 * the contacts as they are now. Nothing is written.
 */
export async function reviewImport(ctx: Ctx, p: Principal, importId: number): Promise<ReviewSummary> {
  const row = await getImport(ctx, p, importId)
  if (!row.mapping || !row.options) {
    throw new ConflictError('Map the columns before reviewing the import.', 'not_mapped')
  }
  const ws = p.workspaceId
  const file = parseCsv(await ctx.storage.read(row.fileKey))
  const [fields, stages, tags] = await Promise.all([
    listFields(ctx.db, ws),
    listStages(ctx.db, ws),
    listAllTags(ctx.db, ws),
  ])
  const read = rowReader(file.headers, row.mapping, fields, stages)
  const known = new Set(tags.map((t) => t.name.toLowerCase()))
  const newTags = new Map<string, string>()
  const earlier = new Set<string>()
  const summary: ReviewSummary = {
    rows: file.rows.length,
    create: 0,
    update: 0,
    skip: 0,
    fail: 0,
    errors: [],
    newTags: [],
  }
  for (let start = 0; start < file.rows.length; start += BATCH) {
    const parsed = file.rows
      .slice(start, start + BATCH)
      .map((cells, i) => ({ row: start + i + 2, parsed: read(cells) }))
    const ids = identifiersOf(parsed.map((x) => x.parsed))
    const matches =
      row.options.mode === 'add_all'
        ? []
        : await findByIdentifiers(ctx.db, ws, ids.phones, ids.emails, { lock: false })
    const plan = planBatch(parsed, matches, row.options.mode, earlier)
    for (const c of plan.creates) for (const k of identifierKeys(c)) earlier.add(k)
    for (const o of plan.outcomes) {
      if (o.outcome === 'created') summary.create++
      else if (o.outcome === 'updated') summary.update++
      else if (o.outcome === 'skipped') summary.skip++
      else {
        summary.fail++
        if (summary.errors.length < 100) summary.errors.push({ row: o.row, reason: o.reason })
      }
    }
    for (const t of [
      ...plan.creates.flatMap((c) => [...c.tags]),
      ...[...plan.updates.values()].flatMap((u) => [...u.tags]),
    ]) {
      if (!known.has(t.toLowerCase()) && !newTags.has(t.toLowerCase())) newTags.set(t.toLowerCase(), t)
    }
  }
  summary.newTags = [...newTags.values()]
  return summary
}

/** Starts the import job; progress is polled on the import. */
export async function startImport(ctx: Ctx, p: Principal, importId: number): Promise<ImportRow> {
  authorize(p, 'contacts.view')
  return ctx.db.transaction(async (tx) => {
    const row = await findImport(tx, p.workspaceId, importId, { lock: true })
    if (!row) throw new NotFoundError('Import')
    if (row.status === 'uploaded')
      throw new ConflictError('Map the columns before starting the import.', 'not_mapped')
    if (row.status !== 'mapped')
      throw new ConflictError(`This import is already ${row.status}.`, 'import_started')
    const started = (await updateImport(tx, p.workspaceId, importId, { status: 'importing' }))!
    const job: ImportJob = { workspaceId: p.workspaceId, importId, actor: actorOf(p) }
    await ctx.jobs.enqueue(tx, CONTACT_IMPORT_QUEUE, job, {
      singletonKey: `import:${p.workspaceId}:${importId}`,
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact_import.started',
      payload: { importId, rowCount: row.rowCount, mode: row.options!.mode },
    })
    return started
  })
}

export async function importReport(ctx: Ctx, p: Principal, importId: number) {
  const row = await getImport(ctx, p, importId)
  if (!row.reportKey)
    throw new ConflictError('The report is written when the import finishes.', 'report_not_ready')
  return { row, stream: ctx.storage.stream(row.reportKey) }
}
