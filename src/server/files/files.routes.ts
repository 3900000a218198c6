import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { fileForSignedUrl, getFile, MAX_FILE_BYTES, uploadFile } from './files.service'

const fileOut = z.object({
  id: z.number(),
  fileName: z.string(),
  mimeType: z.string(),
  size: z.number(),
  createdAt: z.string(),
})

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
          querystring: z.strictObject({ name: z.string().min(1).max(255) }),
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
        })
        return reply.status(201).send({ ...file, createdAt: file.createdAt.toISOString() })
      },
    )
  })

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
