import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { contactParams } from './contacts.schema'
import type { EventRow } from './timeline.repo'
import { contactTimeline } from './timeline.service'

export const timelineEventOut = z.object({
  id: z.number(),
  type: z.string(),
  actor: z.object({ kind: z.string(), id: z.number().nullable() }),
  conversationId: z.number().nullable(),
  payload: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
})

export function presentTimelineEvent(e: EventRow): z.infer<typeof timelineEventOut> {
  return {
    id: e.id,
    type: e.type,
    actor: { kind: e.actorKind, id: e.actorId },
    conversationId: e.conversationId,
    payload: e.payload,
    createdAt: e.createdAt.toISOString(),
  }
}

export function timelineRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/contacts/:contactId/timeline',
    {
      schema: {
        tags: ['Contacts'],
        summary: "A contact's activity: conversation and contact events, newest first (rule 14)",
        description: 'Keyset pagination: pass `nextBefore` back as `before`.',
        params: contactParams,
        querystring: z.strictObject({
          before: idSchema.optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({ events: z.array(timelineEventOut), nextBefore: z.number().nullable() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const page = await contactTimeline(ctx, p, request.params.contactId, request.query)
      return { events: page.rows.map(presentTimelineEvent), nextBefore: page.nextBefore }
    },
  )
}
