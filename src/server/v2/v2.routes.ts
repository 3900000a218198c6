import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { apiPrincipal } from './auth'
import { channelRoutes } from './channels.routes'
import { commentRoutes } from './comments.routes'
import { contactRoutes } from './contacts.routes'
import { conversationRoutes } from './conversations.routes'
import { customFieldRoutes } from './custom-fields.routes'
import { v2ErrorHandler } from './errors'
import { messageRoutes } from './messages.routes'
import { spaceRoutes } from './space.routes'
import { tagRoutes } from './tags.routes'

/** The /v2 route modules, listed explicitly. */
const V2_ROUTES: ((app: App, ctx: Ctx) => void)[] = [
  contactRoutes,
  tagRoutes,
  messageRoutes,
  conversationRoutes,
  commentRoutes,
  customFieldRoutes,
  channelRoutes,
  spaceRoutes,
]

/**
 * respond.io's Developer API v2 on our server, at /v2. Its own Fastify scope gives it respond.io's
 * error body (`{ code, message }`) and 404s without touching /api/v1, and authenticates every
 * request with the workspace API token before the body is read.
 */
export function apiV2Routes(app: App, ctx: Ctx) {
  app.register(
    async (scope: FastifyInstance) => {
      const v2 = scope.withTypeProvider<ZodTypeProvider>() as unknown as App
      v2.setErrorHandler(v2ErrorHandler)
      v2.setNotFoundHandler((request, reply) =>
        reply
          .status(404)
          .send({ code: 404, message: `No route for ${request.method} ${request.url.split('?')[0]}.` }),
      )
      // A DELETE or POST without a body but with Content-Type: application/json is "no body", not a 400.
      const json = v2.getDefaultJsonParser('error', 'error')
      v2.removeContentTypeParser('application/json')
      v2.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        if (body === '') done(null, undefined)
        else json(request, body as string, done)
      })
      // After the rate limit (onRequest), before the body is read or validated: 401 comes first.
      v2.addHook('preParsing', async (request) => {
        await apiPrincipal(ctx, request)
      })
      for (const register of V2_ROUTES) register(v2, ctx)
    },
    { prefix: '/v2' },
  )
}
