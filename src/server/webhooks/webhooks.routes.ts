import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, okBody, workspaceParams } from '../http/schemas'
import { WEBHOOK_EVENT_NAMES, WEBHOOK_EVENTS } from './catalog'
import { presentWebhook, WEBHOOK_EXAMPLE, webhookOut } from './webhooks.presenter'
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  getWebhookSettings,
  listWebhooks,
  rotateSecret,
  updateWebhook,
  updateWebhookSettings,
} from './webhooks.service'

const params = z.strictObject({ workspaceId: idSchema, webhookId: idSchema })
const urlSchema = z
  .string()
  .trim()
  .min(1, 'URL is required.')
  .max(2048, 'URL must be at most 2048 characters.')
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter an absolute http(s) URL.' }))
const eventsSchema = z
  .array(z.string().min(1).max(64))
  .min(1, 'Subscribe to at least one event.')
  .max(WEBHOOK_EVENT_NAMES.length * 2)
const descriptionSchema = z.string().trim().max(500, 'Description must be at most 500 characters.')
const settingsOut = z.object({
  allowPrivateNetwork: z.boolean(),
  /** False when the server denies private addresses to every workspace (WEBHOOK_PRIVATE_NETWORKS=deny). */
  instanceAllowsPrivateNetwork: z.boolean(),
})

export function outgoingWebhookRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/webhooks'
  const present = (r: {
    row: Parameters<typeof presentWebhook>[0]
    stats: Parameters<typeof presentWebhook>[1]
  }) => presentWebhook(r.row, r.stats, ctx.clock.now())

  app.get(
    `${base}/events`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Events a webhook can subscribe to, with their respond.io-style aliases',
        params: workspaceParams,
        response: {
          200: z.array(z.object({ event: z.string(), alias: z.string(), description: z.string() })),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      await principalFor(ctx, request, request.params.workspaceId)
      return WEBHOOK_EVENT_NAMES.map((event) => ({ event, ...WEBHOOK_EVENTS[event] }))
    },
  )

  app.get(
    `${base}/settings`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: "The workspace's webhook settings",
        params: workspaceParams,
        response: { 200: settingsOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return getWebhookSettings(ctx, p)
    },
  )

  app.put(
    `${base}/settings`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Allow or forbid webhooks to loopback and private-network addresses',
        description: 'Link-local and cloud metadata addresses are refused regardless.',
        params: workspaceParams,
        body: z.strictObject({ allowPrivateNetwork: z.boolean() }),
        response: { 200: settingsOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return updateWebhookSettings(ctx, p, request.body)
    },
  )

  app.get(
    base,
    {
      schema: {
        tags: ['Webhooks'],
        summary: "The workspace's webhooks with their delivery health",
        params: workspaceParams,
        response: {
          200: z.array(webhookOut).meta({ examples: [[WEBHOOK_EXAMPLE]] }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listWebhooks(ctx, p)).map(present)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Register a webhook; its signing secret is in this response only',
        description:
          'The URL must be https (http only for a private address when the workspace allows private networks); it must not resolve to link-local or metadata addresses. Events may be given by name or alias.',
        params: workspaceParams,
        body: z
          .strictObject({
            url: urlSchema,
            description: descriptionSchema.optional(),
            events: eventsSchema,
            enabled: z.boolean().optional(),
          })
          .meta({
            examples: [
              {
                url: 'https://crm.example.com/hooks/tawasul',
                description: 'مزامنة جهات الاتصال مع CRM — contact sync',
                events: ['message.received', 'new_contact', 'contact.tag_updated'],
              },
            ],
          }),
        response: {
          201: webhookOut
            .extend({ secret: z.string() })
            .meta({ examples: [{ ...WEBHOOK_EXAMPLE, secret: 'whsec_Pq7dM2kR9vX4nL8bT1yC6hJ3wF5sA0gE' }] }),
          ...errors(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { row, secret } = await createWebhook(ctx, p, request.body)
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ ...presentWebhook(row, undefined, ctx.clock.now()), secret })
    },
  )

  app.get(
    `${base}/:webhookId`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'One webhook',
        params,
        response: { 200: webhookOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await getWebhook(ctx, p, request.params.webhookId))
    },
  )

  app.patch(
    `${base}/:webhookId`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Change the URL, description, events or enabled flag',
        description:
          "Disabling pauses delivery: pending deliveries wait and resume when it is enabled again. Enabling clears an automatic disable's reason.",
        params,
        body: z.strictObject({
          url: urlSchema.optional(),
          description: descriptionSchema.optional(),
          events: eventsSchema.optional(),
          enabled: z.boolean().optional(),
        }),
        response: { 200: webhookOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await updateWebhook(ctx, p, request.params.webhookId, request.body))
    },
  )

  app.delete(
    `${base}/:webhookId`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Delete a webhook and its delivery log',
        params,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await deleteWebhook(ctx, p, request.params.webhookId)
      return { ok: true as const }
    },
  )

  app.post(
    `${base}/:webhookId/rotate-secret`,
    {
      schema: {
        tags: ['Webhooks'],
        summary: 'Rotate the signing secret; the new secret is in this response only',
        description:
          'The previous secret keeps signing (a second v1= signature) for overlapHours (default 24, 0 drops it at once).',
        params,
        body: z.strictObject({ overlapHours: z.number().min(0).max(168).optional() }).nullish(),
        response: {
          200: z.object({ webhook: webhookOut, secret: z.string() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const r = await rotateSecret(ctx, p, request.params.webhookId, request.body?.overlapHours)
      return reply.header('cache-control', 'no-store').send({ webhook: present(r), secret: r.secret })
    },
  )
}
