import { existsSync } from 'node:fs'
import path from 'node:path'
import fastifyCookie from '@fastify/cookie'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import fastifyWebsocket from '@fastify/websocket'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify'
import {
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import { authRoutes } from './auth/auth.routes'
import { businessHoursRoutes } from './business-hours/business-hours.routes'
import { channelRoutes } from './channels/channels.routes'
import { webchatRoutes } from './channels/webchat/webchat.routes'
import { webhookRoutes } from './channels/webhooks.routes'
import { closingCategoryRoutes } from './closing-notes/categories.routes'
import { commentRoutes } from './comments/comments.routes'
import { contactRoutes } from './contacts/contacts.routes'
import { contactFieldRoutes } from './contacts/fields.routes'
import { contactImportRoutes } from './contacts/import.routes'
import { lifecycleRoutes } from './contacts/lifecycle.routes'
import { mergeRoutes } from './contacts/merge.routes'
import { tagRoutes } from './contacts/tags.routes'
import { timelineRoutes } from './contacts/timeline.routes'
import type { Ctx } from './context'
import { conversationRoutes } from './conversations/conversations.routes'
import { AppError } from './errors'
import { fileRoutes } from './files/files.routes'
import { errorHandler } from './http/errors'
import { healthRoutes } from './http/health.routes'
import { OPENAPI_TAGS, openapiTransform } from './http/openapi'
import { customInboxRoutes } from './inbox/custom-inboxes.routes'
import { inboxRoutes } from './inbox/inbox.routes'
import { invitationRoutes } from './invitations/invitations.routes'
import { messageRoutes } from './messages/messages.routes'
import { templateRoutes } from './messages/templates.routes'
import { notificationRoutes } from './notifications/notifications.routes'
import { presenceRoutes } from './presence/presence.routes'
import type { RealtimeHub } from './realtime/hub'
import { realtimeRoutes } from './realtime/realtime.routes'
import { sandboxRoutes } from './sandbox/sandbox.routes'
import { snippetRoutes } from './snippets/snippets.routes'
import { teamRoutes } from './teams/teams.routes'
import { tokenRoutes } from './tokens/tokens.routes'
import { profileRoutes } from './users/profile.routes'
import { userRoutes } from './users/users.routes'
import { apiV2Routes } from './v2/v2.routes'
import { webhookDeliveryRoutes } from './webhooks/deliveries.routes'
import { outgoingWebhookRoutes } from './webhooks/webhooks.routes'
import { credentialRoutes } from './workflows/credentials.routes'
import { hookRoutes } from './workflows/hooks.routes'
import { runRoutes } from './workflows/runs.routes'
import { workflowRoutes } from './workflows/workflows.routes'
import { workspaceRoutes } from './workspaces/workspaces.routes'

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>

/** Route modules, listed explicitly (no folder scanning). */
const ROUTES: ((app: App, ctx: Ctx) => void)[] = [
  healthRoutes,
  authRoutes,
  workspaceRoutes,
  businessHoursRoutes,
  userRoutes,
  profileRoutes,
  invitationRoutes,
  teamRoutes,
  tokenRoutes,
  channelRoutes,
  webhookRoutes,
  webchatRoutes,
  conversationRoutes,
  messageRoutes,
  templateRoutes,
  fileRoutes,
  inboxRoutes,
  customInboxRoutes,
  realtimeRoutes,
  presenceRoutes,
  sandboxRoutes,
  contactRoutes,
  contactFieldRoutes,
  tagRoutes,
  lifecycleRoutes,
  mergeRoutes,
  contactImportRoutes,
  timelineRoutes,
  commentRoutes,
  notificationRoutes,
  closingCategoryRoutes,
  snippetRoutes,
  workflowRoutes,
  runRoutes,
  hookRoutes,
  credentialRoutes,
  outgoingWebhookRoutes,
  webhookDeliveryRoutes,
  apiV2Routes,
]

export type AppOptions = { ctx: Ctx; realtime: RealtimeHub; isReady?: () => boolean }

export async function buildApp({ ctx, realtime, isReady = () => true }: AppOptions): Promise<App> {
  const fastify = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Keep-alive sockets are closed on shutdown only once idle, so in-flight requests finish.
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false } },
    // Fastify's default (10 s) fails boots on a saturated machine (static files and the docs UI
    // read from disk while registering); a genuinely stuck plugin still fails, later.
    pluginTimeout: 120_000,
  })
  fastify.setValidatorCompiler(validatorCompiler)
  fastify.setSerializerCompiler(serializerCompiler)
  fastify.setErrorHandler(errorHandler)
  // JSON only unless a route (a provider webhook) registers its own parser.
  fastify.removeContentTypeParser('text/plain')
  const app = fastify.withTypeProvider<ZodTypeProvider>()
  app.decorate('isReady', isReady)
  app.decorate('realtime', realtime)

  await app.register(fastifyCookie)
  // Before the routes, so it can take over upgrade requests; client messages are small.
  await app.register(fastifyWebsocket, { options: { maxPayload: 16 * 1024 } })
  // Per-route limits only (login, setup, invitation acceptance); counted per client IP.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, context) =>
      new AppError(
        429,
        'rate_limited',
        `Too many attempts. Try again in ${Math.ceil(context.ttl / 1000)} s.`,
      ),
  })
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tawasul API',
        version: '1',
        description:
          'The Tawasul REST API. The web app uses it with a session cookie (and an X-CSRF-Token header on writes); integrations use a workspace API token as `Authorization: Bearer <token>`. Errors are `{ "error": { "code", "message", "fields?" } }`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Workspace API token (tws_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'tawasul_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
      tags: OPENAPI_TAGS.map((t) => ({ ...t })),
    },
    // Checks summaries, tags and examples, then converts the zod schemas (src/server/http/openapi.ts).
    transform: openapiTransform,
    // Schemas registered with an id (recursive ones such as InboxFilter) go to components.schemas.
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' })

  for (const register of ROUTES) register(app, ctx)

  const webDir = ctx.config.webDistDir
  const hasWeb = existsSync(path.join(webDir, 'index.html'))
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: ['index.html'] })
  }
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? ''
    if (pathname.startsWith('/api/') || pathname === '/api' || request.method !== 'GET' || !hasWeb) {
      return reply.status(404).send({
        error: { code: 'not_found', message: `No route for ${request.method} ${pathname}.` },
      })
    }
    // The single-page app handles every other path (/w/1/inbox, /invite, …).
    return reply.header('cache-control', 'no-cache').sendFile('index.html')
  })
  return app
}

declare module 'fastify' {
  interface FastifyInstance {
    isReady: () => boolean
    realtime: RealtimeHub
  }
}
