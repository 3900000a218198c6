import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { channelTemplates, requestTemplateSync } from './templates.service'

const templateOut = z.object({
  id: z.number(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  components: z.array(z.unknown()),
  updatedAt: z.string(),
})

export function templateRoutes(app: App, ctx: Ctx) {
  const params = z.strictObject({ workspaceId: idSchema, channelId: idSchema })
  app.get(
    '/api/v1/workspaces/:workspaceId/channels/:channelId/templates',
    {
      schema: {
        tags: ['Channels'],
        summary: "A channel's message templates (rule 117), as last synced from the provider",
        params,
        response: { 200: z.array(templateOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await channelTemplates(ctx, p, request.params.channelId)).map((t) => ({
        id: t.id,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        components: t.components,
        updatedAt: t.updatedAt.toISOString(),
      }))
    },
  )
  app.post(
    '/api/v1/workspaces/:workspaceId/channels/:channelId/templates/sync',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Fetch the channel’s templates from the provider now (runs as a job)',
        params,
        response: { 202: z.object({ queued: z.literal(true) }), ...errors(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await requestTemplateSync(ctx, p, request.params.channelId)
      return reply.status(202).send({ queued: true as const })
    },
  )
}
