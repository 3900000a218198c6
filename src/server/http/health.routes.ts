import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'

export function healthRoutes(app: App, ctx: Ctx) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['System'],
        summary: 'Liveness: the process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['System'],
        summary: 'Readiness: the database answers and the server is not shutting down',
        response: {
          200: z.object({ status: z.literal('ready'), database: z.enum(['pglite', 'postgres']) }),
          503: z.object({ status: z.literal('unavailable'), reason: z.string() }),
        },
      },
    },
    async (_req, reply) => {
      if (!app.isReady())
        return reply.status(503).send({ status: 'unavailable' as const, reason: 'shutting down' })
      try {
        await ctx.database.query('SELECT 1')
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, reason: 'database unreachable' })
      }
      return { status: 'ready' as const, database: ctx.database.kind }
    },
  )
}
