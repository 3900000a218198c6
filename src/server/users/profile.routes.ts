import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { requireSession } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { presentUser, userOut } from './users.presenter'
import { avatarOf, MAX_AVATAR_BYTES, removeAvatar, setAvatar } from './users.service'

/** The signed-in user's profile picture, and everyone's pictures for their teammates. */
export function profileRoutes(app: App, ctx: Ctx) {
  // The body is the image itself (like the files API), so the type is sniffed from its bytes.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_AVATAR_BYTES + 1 },
      (_req, body, done) => done(null, body),
    )
    scope.withTypeProvider<import('fastify-type-provider-zod').ZodTypeProvider>().put(
      '/api/v1/me/avatar',
      {
        bodyLimit: MAX_AVATAR_BYTES + 1,
        schema: {
          tags: ['Profile'],
          summary: 'Upload your profile picture (the body is a PNG, JPEG, WebP or GIF image, at most 2 MB)',
          response: { 200: userOut, ...errors(400, 401, 403, 413, 422) },
        },
      },
      async (request) => {
        const session = await requireSession(ctx, request)
        return presentUser(await setAvatar(ctx, session.user.id, request.body as Buffer))
      },
    )
  })

  app.delete(
    '/api/v1/me/avatar',
    {
      schema: {
        tags: ['Profile'],
        summary: 'Remove your profile picture',
        response: { 200: userOut, ...errors(401, 403) },
      },
    },
    async (request) => {
      const session = await requireSession(ctx, request)
      return presentUser(await removeAvatar(ctx, session.user.id))
    },
  )

  app.get(
    '/api/v1/users/:userId/avatar',
    {
      schema: {
        tags: ['Profile'],
        summary: "A user's profile picture (for members of a workspace you share)",
        params: z.strictObject({ userId: idSchema }),
        response: { 200: z.any(), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const session = await requireSession(ctx, request)
      const avatar = await avatarOf(ctx, session.user.id, request.params.userId)
      return (
        reply
          .header('content-type', avatar.mimeType)
          .header('x-content-type-options', 'nosniff')
          // The URL carries a version (users.presenter avatarUrlOf): a new picture is a new URL.
          .header('cache-control', 'private, max-age=86400')
          .send(ctx.storage.stream(avatar.key))
      )
    },
  )
}
