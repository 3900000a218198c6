import { z } from 'zod'
import { IMPORT_MODES } from '../../shared/contact-import'
import type { App } from '../app'
import type { Ctx } from '../context'
import { AppError } from '../errors'
import { principalFor } from '../http/auth'
import { errors, idSchema, workspaceParams } from '../http/schemas'
import { FileTooLargeError, MAX_IMPORT_BYTES } from './import.csv'
import type { ImportRow } from './import.repo'
import {
  getImport,
  importReport,
  listContactImports,
  reviewImport,
  setImportMapping,
  startImport,
  uploadImport,
} from './import.service'

export const importOut = z.object({
  id: z.number(),
  status: z.enum(['uploaded', 'mapped', 'importing', 'completed', 'failed']),
  fileName: z.string(),
  headers: z.array(z.string()),
  rowCount: z.number(),
  mapping: z.array(z.object({ column: z.string(), target: z.string() })).nullable(),
  options: z.object({ mode: z.enum(IMPORT_MODES), tagIds: z.array(z.number()).optional() }).nullable(),
  progress: z.object({
    processed: z.number(),
    created: z.number(),
    updated: z.number(),
    skipped: z.number(),
    failed: z.number(),
  }),
  reportAvailable: z.boolean(),
  error: z.string().nullable(),
  createdByUserId: z.number().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
})

function present(r: ImportRow): z.infer<typeof importOut> {
  return {
    id: r.id,
    status: r.status,
    fileName: r.fileName,
    headers: r.headers,
    rowCount: r.rowCount,
    mapping: r.mapping,
    options: r.options,
    progress: {
      processed: r.processed,
      created: r.created,
      updated: r.updated,
      skipped: r.skipped,
      failed: r.failed,
    },
    reportAvailable: r.reportKey !== null,
    error: r.error,
    createdByUserId: r.createdByUserId,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }
}

const CSV_TYPES = new Set(['text/csv', 'application/csv', 'application/vnd.ms-excel', 'text/plain'])
const importParams = z.strictObject({ workspaceId: idSchema, importId: idSchema })

export function contactImportRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/contact-imports'
  const one = `${base}/:importId`

  // Phase 1: the request body is the CSV file itself.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
      (request, body, done) => {
        const type = String(request.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase()
        if (!CSV_TYPES.has(type)) {
          done(
            new AppError(415, 'unsupported_media_type', 'Upload the file as text/csv (rule 57: CSV only).'),
            undefined,
          )
          return
        }
        done(null, body)
      },
    )
    scope.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>().post(
      base,
      {
        bodyLimit: MAX_IMPORT_BYTES,
        // Refuse an oversize upload from its declared length, before reading it.
        onRequest: async (request) => {
          const length = Number(request.headers['content-length'] ?? 0)
          if (length >= MAX_IMPORT_BYTES) throw new FileTooLargeError(length)
        },
        schema: {
          tags: ['Contact import'],
          summary: 'Upload a CSV of contacts (phase 1 of 3: Upload → Mapping → Review)',
          description:
            'Rule 57: CSV (UTF-8) under 20 MB with a header row, at least 1 and fewer than 200,000 rows. The body is the file (Content-Type text/csv); its name in `?name=`. The reply has the columns, a few sample rows and a suggested mapping.',
          params: workspaceParams,
          querystring: z.strictObject({ name: z.string().trim().min(1).max(255).default('contacts.csv') }),
          response: {
            201: z.object({
              import: importOut,
              sample: z.array(z.array(z.string())),
              suggestedMapping: z.array(z.object({ column: z.string(), target: z.string() })),
            }),
            ...errors(400, 401, 403, 404, 413, 422),
          },
        },
      },
      async (request, reply) => {
        const p = await principalFor(ctx, request, request.params.workspaceId)
        const r = await uploadImport(ctx, p, { fileName: request.query.name, data: request.body as Buffer })
        return reply.status(201).send({ ...r, import: present(r.import) })
      },
    )
  })

  app.get(
    base,
    {
      schema: {
        tags: ['Contact import'],
        summary: 'Recent imports, newest first',
        params: workspaceParams,
        response: { 200: z.array(importOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listContactImports(ctx, p)).map(present)
    },
  )

  app.get(
    one,
    {
      schema: {
        tags: ['Contact import'],
        summary: 'An import with its status and progress (poll this while it runs)',
        params: importParams,
        response: { 200: importOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await getImport(ctx, p, request.params.importId))
    },
  )

  app.put(
    `${one}/mapping`,
    {
      schema: {
        tags: ['Contact import'],
        summary: 'Map columns to contact fields (phase 2)',
        description:
          'Targets: firstName, lastName, phone, email, country, language, lifecycle (stage name), tags (comma-separated names; missing tags are created), custom.<key>, ignore (unmapped columns are ignored). Modes: add_and_update, add_only, update_only, add_all ("Add all contacts despite duplicates"). A First Name column is required unless update_only; a phone or email column unless add_all. Existing contacts are matched by phone, then email; blank cells never clear data.',
        params: importParams,
        body: z.strictObject({
          columns: z
            .array(z.strictObject({ column: z.string().max(500), target: z.string().max(60) }))
            .min(1)
            .max(500),
          options: z.strictObject({
            mode: z.enum(IMPORT_MODES, { error: `Mode must be one of: ${IMPORT_MODES.join(', ')}.` }),
            tagIds: z.array(idSchema).max(20).optional(),
          }),
        }),
        response: { 200: importOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await setImportMapping(ctx, p, request.params.importId, request.body))
    },
  )

  app.get(
    `${one}/review`,
    {
      schema: {
        tags: ['Contact import'],
        summary: 'Dry run (phase 3): what the import would create, update, skip and fail, and why',
        params: importParams,
        response: {
          200: z.object({
            rows: z.number(),
            create: z.number(),
            update: z.number(),
            skip: z.number(),
            fail: z.number(),
            errors: z.array(z.object({ row: z.number(), reason: z.string() })),
            newTags: z.array(z.string()),
          }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reviewImport(ctx, p, request.params.importId)
    },
  )

  app.post(
    `${one}/start`,
    {
      schema: {
        tags: ['Contact import'],
        summary: 'Start importing in the background; poll the import for progress',
        params: importParams,
        response: { 202: importOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(202).send(present(await startImport(ctx, p, request.params.importId)))
    },
  )

  app.get(
    `${one}/report`,
    {
      schema: {
        tags: ['Contact import'],
        summary: 'The result of every row as CSV: row (the header is row 1), outcome, contact id, reason',
        params: importParams,
        produces: ['text/csv'],
        response: { 200: z.any(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { row, stream } = await importReport(ctx, p, request.params.importId)
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${row.id}-report.csv"`)
        .send(stream)
    },
  )
}
