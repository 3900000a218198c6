import type { FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { errors, idSchema } from '../http/schemas'
import { receiveWebhook } from './runs.service'

const outcome = z.object({
  started: z.boolean(),
  runId: z.number().optional(),
  contactId: z.number().nullable(),
  contactCreated: z.boolean().optional(),
  /** When not started: already_running (rule 67), once_per_contact (rule 63) or chain_too_deep. */
  reason: z.string().optional(),
})

const limit = (ctx: Ctx) => ({
  rateLimit: {
    max: ctx.config.workflowHookRateLimit,
    timeWindow: 60_000,
    // Per workflow, whoever calls: a leaked URL cannot flood the queue from many addresses.
    keyGenerator: (r: FastifyRequest) => `wfhook:${(r.params as { workflowId?: string }).workflowId ?? ''}`,
  },
})

/**
 * Incoming Webhook trigger (rule 68): its own public route, authenticated by the workflow's
 * secret in the URL or in the X-Webhook-Secret header, rate-limited per workflow.
 */
export function hookRoutes(app: App, ctx: Ctx) {
  const handle = async (
    request: FastifyRequest<{ Params: { workspaceId: number; workflowId: number; secret?: string } }>,
    body: unknown,
  ) => {
    const header = request.headers['x-webhook-secret']
    const secret = request.params.secret ?? (typeof header === 'string' ? header : '')
    const r = await receiveWebhook(ctx, request.params.workspaceId, request.params.workflowId, secret, body)
    return r.started
      ? { started: true, runId: r.runId, contactId: r.contactId, contactCreated: r.contactCreated }
      : { started: false, contactId: r.contactId, reason: r.reason }
  }
  const schema = {
    tags: ['Workflows'],
    summary: 'Start a workflow with an Incoming Webhook trigger (JSON body → $trigger.*)',
    description:
      'The body identifies the contact by phone, email or contactId (as the trigger says); a missing contact is created from a phone or email unless the trigger says not to. 202 when the run started, 200 with `started: false` when skipped.',
    body: z.record(z.string(), z.unknown()),
    response: { 200: outcome, 202: outcome, ...errors(400, 404, 409, 422, 429) },
  }
  app.post(
    '/api/v1/workflow-hooks/:workspaceId/:workflowId/:secret',
    {
      config: limit(ctx),
      schema: {
        ...schema,
        params: z.strictObject({
          workspaceId: idSchema,
          workflowId: idSchema,
          secret: z.string().min(1).max(200),
        }),
      },
    },
    async (request, reply) => {
      const out = await handle(request, request.body)
      return reply.status(out.started ? 202 : 200).send(out)
    },
  )
  app.post(
    '/api/v1/workflow-hooks/:workspaceId/:workflowId',
    {
      config: limit(ctx),
      schema: { ...schema, params: z.strictObject({ workspaceId: idSchema, workflowId: idSchema }) },
    },
    async (request, reply) => {
      const out = await handle(request, request.body)
      return reply.status(out.started ? 202 : 200).send(out)
    },
  )
}
