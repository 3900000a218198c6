import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, workspaceParams } from '../http/schemas'
import type { FileRow } from './files.repo'
import {
  fileForSignedUrl,
  getFile,
  LIBRARY_LINK_TTL_SECONDS,
  libraryChoices,
  listLibrary,
  MAX_FILE_BYTES,
  removeLibraryFile,
  renameLibraryFile,
  signedFileUrl,
  uploadFile,
} from './files.service'

const fileOut = z.object({
  id: z.number(),
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number(),
  createdAt: z.string(),
})

/** A file of the library (Settings → Files), with who uploaded it and a link that works without a session. */
const libraryFileOut = fileOut.extend({
  uploadedBy: z.object({ id: z.number(), name: z.string() }).nullable(),
  link: z.string(),
  linkExpiresAt: z.string(),
})

const fileName = z
  .string()
  .trim()
  .min(1, 'The name is required.')
  .max(255, 'At most 255 characters.')
  .refine(
    (s) => ![...s].some((c) => c === '/' || c === '\\' || c.charCodeAt(0) < 0x20),
    'No slashes or control characters.',
  )

export function fileRoutes(app: App, ctx: Ctx) {
  // Uploads are the raw bytes with their Content-Type (like an object-store PUT), so any type passes.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_FILE_BYTES + 1 },
      (_req, body, done) => done(null, body),
    )
    scope.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>().post(
      '/api/v1/workspaces/:workspaceId/files',
      {
        bodyLimit: MAX_FILE_BYTES + 1,
        schema: {
          tags: ['Files'],
          summary: 'Upload a file (the request body is the file; its name in ?name=)',
          params: z.strictObject({ workspaceId: idSchema }),
          querystring: z.strictObject({
            name: z.string().min(1).max(255),
            // Settings → Files adds to the workspace library (needs that capability); the composer does not.
            library: z.enum(['true', 'false']).optional(),
          }),
          response: { 201: fileOut, ...errors(400, 401, 403, 404, 413, 422) },
        },
      },
      async (request, reply) => {
        const p = await principalFor(ctx, request, request.params.workspaceId)
        const mimeType = String(request.headers['content-type'] ?? 'application/octet-stream')
          .split(';')[0]!
          .trim()
        const file = await uploadFile(ctx, p, {
          fileName: request.query.name,
          mimeType,
          data: request.body as Buffer,
          library: request.query.library === 'true',
        })
        return reply.status(201).send({ ...file, createdAt: file.createdAt.toISOString() })
      },
    )
  })

  const present = (row: { file: FileRow; uploadedBy: { id: number; name: string } | null }) => {
    const f = row.file
    const expires = Math.floor(ctx.clock.now().getTime() / 1000) + LIBRARY_LINK_TTL_SECONDS
    return {
      id: f.id,
      fileName: f.fileName,
      mimeType: f.mimeType,
      size: f.size,
      createdAt: f.createdAt.toISOString(),
      uploadedBy: row.uploadedBy,
      link: signedFileUrl(ctx, f.workspaceId, f.id, LIBRARY_LINK_TTL_SECONDS),
      linkExpiresAt: new Date(expires * 1000).toISOString(),
    }
  }
  const fileParams = z.strictObject({ workspaceId: idSchema, fileId: idSchema })

  app.get(
    '/api/v1/workspaces/:workspaceId/library/files',
    {
      schema: {
        tags: ['Files'],
        summary: 'The Files library, newest first (Settings → Files)',
        description:
          'Keyset pagination: pass `nextCursor` back as `cursor`. `q` matches part of the name; `type` is image, video, audio or document (anything else). Composer attachments and received media are not listed.',
        params: workspaceParams,
        querystring: z.strictObject({
          q: z.string().trim().max(255).optional(),
          type: z.enum(['image', 'video', 'audio', 'document']).optional(),
          cursor: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({ files: z.array(libraryFileOut), nextCursor: z.string().nullable() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { q, type, cursor, limit } = request.query
      const page = await listLibrary(ctx, p, { q: q || undefined, kind: type, cursor, limit })
      return { files: page.items.map(present), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/library/files/choices',
    {
      schema: {
        tags: ['Files'],
        summary: 'Library files to attach in the composer, newest first (everyone who can reply)',
        params: workspaceParams,
        querystring: z.strictObject({
          q: z.string().trim().max(255).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
        response: { 200: z.array(fileOut), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const files = await libraryChoices(ctx, p, request.query.q || undefined, request.query.limit)
      return files.map((f) => ({
        id: f.id,
        fileName: f.fileName,
        mimeType: f.mimeType,
        size: f.size,
        createdAt: f.createdAt.toISOString(),
      }))
    },
  )

  app.patch(
    '/api/v1/workspaces/:workspaceId/library/files/:fileId',
    {
      schema: {
        tags: ['Files'],
        summary: 'Rename a library file',
        params: fileParams,
        body: z.strictObject({ fileName }),
        response: { 200: libraryFileOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await renameLibraryFile(ctx, p, request.params.fileId, request.body.fileName))
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/library/files/:fileId',
    {
      schema: {
        tags: ['Files'],
        summary: 'Delete a library file',
        description:
          '`deleted`: removed with its bytes. `unlisted`: messages already sent it, so it leaves the library but stays stored for them (`messages` says how many).',
        params: fileParams,
        response: {
          200: z.object({ outcome: z.enum(['deleted', 'unlisted']), messages: z.number() }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return removeLibraryFile(ctx, p, request.params.fileId)
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/files/:fileId',
    {
      schema: {
        tags: ['Files'],
        summary: 'Download a file',
        params: z.strictObject({ workspaceId: idSchema, fileId: idSchema }),
        response: { 200: z.any(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const file = await getFile(ctx, p, request.params.fileId)
      return reply
        .header('content-type', file.mimeType)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('x-content-type-options', 'nosniff')
        .send(ctx.storage.stream(file.storageKey))
    },
  )

  // Time-limited, signed links that providers fetch outbound media from.
  app.get(
    '/files/:workspaceId/:fileId',
    {
      schema: {
        hide: true,
        params: z.strictObject({ workspaceId: idSchema, fileId: idSchema }),
        querystring: z.strictObject({ exp: z.coerce.number().int(), sig: z.string().max(100) }),
      },
    },
    async (request, reply) => {
      const file = await fileForSignedUrl(
        ctx,
        request.params.workspaceId,
        request.params.fileId,
        request.query.exp,
        request.query.sig,
      )
      return reply
        .header('content-type', file.mimeType)
        .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .header('x-content-type-options', 'nosniff')
        .send(ctx.storage.stream(file.storageKey))
    },
  )
}
