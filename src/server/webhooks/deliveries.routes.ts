import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { WEBHOOK_DELIVERY_STATUSES } from '../db/schema'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import {
  deliveryDetail,
  listWebhookDeliveries,
  replayDeliveries,
  replayDelivery,
  sendTestEvent,
} from './deliveries.service'
import { deliveryDetailOut, deliveryOut, presentAttempt, presentDelivery } from './webhooks.presenter'

const params = z.strictObject({ workspaceId: idSchema, webhookId: idSchema })
const deliveryParams = params.extend({ deliveryId: z.uuid({ error: 'Expected a delivery id.' }) })
const when = z.iso.datetime({ offset: true }).transform((s) => new Date(s))

export function webhookDeliveryRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/webhooks/:webhookId'

  app.get(
    `${base}/deliveries`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: "A webhook's delivery log, newest first",
        description:
          'Keyset pagination: pass `nextCursor` back as `cursor`. Filters: status, event (name or alias), contactId, and a creation time range [from, to).',
        params,
        querystring: z.strictObject({
          status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
          event: z.string().max(64).optional(),
          contactId: idSchema.optional(),
          from: when.optional(),
          to: when.optional(),
          cursor: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ items: z.array(deliveryOut), nextCursor: z.string().nullable() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const r = await listWebhookDeliveries(ctx, p, request.params.webhookId, request.query)
      return { items: r.items.map(presentDelivery), nextCursor: r.nextCursor }
    },
  )

  app.get(
    `${base}/deliveries/:deliveryId`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'One delivery with every attempt and the payload it sends',
        params: deliveryParams,
        response: { 200: deliveryDetailOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { webhookId, deliveryId } = request.params
      const d = await deliveryDetail(ctx, p, webhookId, deliveryId)
      return { ...presentDelivery(d.delivery), history: d.attempts.map(presentAttempt), payload: d.payload }
    },
  )

  app.post(
    `${base}/deliveries/:deliveryId/replay`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Send a delivery again now, with the same delivery id and a fresh retry budget',
        params: deliveryParams,
        response: { 202: deliveryOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { webhookId, deliveryId } = request.params
      return reply.status(202).send(presentDelivery(await replayDelivery(ctx, p, webhookId, deliveryId)))
    },
  )

  app.post(
    `${base}/replay`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Replay the dead-lettered (or delivered, or all finished) deliveries created in [from, to)',
        description: `Each keeps its delivery id. At most 10,000 per call; \`more\` says whether to call again.`,
        params,
        body: z.strictObject({
          from: when,
          to: when,
          status: z.enum(['dead', 'delivered', 'all']).default('dead'),
        }),
        response: {
          202: z.object({ replayed: z.number(), more: z.boolean() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(202).send(await replayDeliveries(ctx, p, request.params.webhookId, request.body))
    },
  )

  app.post(
    `${base}/test`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Queue a `webhook.test` ping; follow it in the delivery log',
        params,
        response: { 202: deliveryOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(202).send(presentDelivery(await sendTestEvent(ctx, p, request.params.webhookId)))
    },
  )
}
