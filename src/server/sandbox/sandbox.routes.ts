import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { createSandboxHub, sandboxView, sendAsCustomer, startSandbox } from './sandbox.service'

/** The sandbox as the customer's phone shows it (also the web app's type). */
export const sandboxViewOut = z.object({
  channel: z.object({ id: z.number(), name: z.string() }).nullable(),
  customerNumber: z.string(),
  businessNumber: z.string().nullable(),
  lines: z.array(
    z.object({
      id: z.string(),
      from: z.enum(['customer', 'business']),
      type: z.string(),
      text: z.string(),
      at: z.string(),
      status: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
})

export function sandboxRoutes(app: App, ctx: Ctx) {
  // The simulator hands its signed webhooks to this app's own webhook route, in-process, so the
  // sandbox works whatever PUBLIC_URL says (and without a public address at all).
  const hub = createSandboxHub(ctx, async (url, body, headers) => {
    const { pathname, search } = new URL(url)
    const res = await app.inject({ method: 'POST', url: pathname + search, headers, payload: body })
    return res.statusCode
  })
  app.addHook('onClose', () => hub.close())
  const params = z.strictObject({ workspaceId: idSchema })

  app.get(
    '/api/v1/workspaces/:workspaceId/sandbox',
    {
      schema: {
        tags: ['Sandbox'],
        summary: 'The sandbox WhatsApp chat, seen from the customer’s phone (the signed-in user)',
        params,
        response: { 200: sandboxViewOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return sandboxView(ctx, p, hub)
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/sandbox',
    {
      schema: {
        tags: ['Sandbox'],
        summary: 'Start the sandbox: a WhatsApp channel named "Sandbox" on a simulated number',
        params,
        response: { 200: sandboxViewOut, 201: sandboxViewOut, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { created } = await startSandbox(ctx, p, hub)
      return reply.status(created ? 201 : 200).send(await sandboxView(ctx, p, hub))
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/sandbox/messages',
    {
      schema: {
        tags: ['Sandbox'],
        summary: 'Write to the business as the sandbox customer',
        params,
        body: z.strictObject({ text: z.string().trim().min(1, 'Text is required.').max(4096) }),
        response: { 201: z.object({ id: z.string() }), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(await sendAsCustomer(ctx, p, hub, request.body.text))
    },
  )
}
