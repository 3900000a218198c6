import type { FastifyRequest } from 'fastify'
import type { App } from '../app'
import type { ResolvedSession } from '../auth/auth.service'
import type { Ctx } from '../context'
import { ForbiddenError } from '../errors'
import { requireSession } from '../http/auth'

/**
 * Browsers send cookies with cross-site WebSocket handshakes, and SameSite does not stop a
 * same-site attacker page; the Origin header does (cross-site WebSocket hijacking). Accept the
 * configured public origin or the host the request was sent to; clients that send no Origin are
 * not browsers and must hold the session cookie anyway.
 */
export function checkOrigin(ctx: Ctx, request: FastifyRequest): void {
  const origin = request.headers.origin
  if (origin === undefined) return
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    throw new ForbiddenError('The Origin header is not a valid origin.', 'bad_origin')
  }
  if (origin === new URL(ctx.config.publicUrl).origin || host === request.headers.host) return
  throw new ForbiddenError(
    `WebSocket connections from ${origin} are refused: open the app from ${ctx.config.publicUrl}.`,
    'bad_origin',
  )
}

const sessions = new WeakMap<FastifyRequest, ResolvedSession>()

export function realtimeRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/realtime',
    {
      websocket: true,
      schema: {
        tags: ['Realtime'],
        summary: 'WebSocket: live inbox events (protocol in docs/realtime.md)',
        description:
          'Signed-in users only (session cookie). Send `{"type":"subscribe","workspaceId":…,"lastEventId":…}`; the server replays what you missed and then pushes frames you may see.',
      },
      preValidation: async (request) => {
        checkOrigin(ctx, request)
        sessions.set(request, await requireSession(ctx, request))
      },
    },
    (socket, request) => {
      const session = sessions.get(request)!
      app.realtime.accept(socket, { id: session.id, userId: session.user.id })
    },
  )
}
