import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, workspaceParams } from '../http/schemas'
import { cancelRun, getRun, listShortcuts, listWorkflowRuns, startShortcut } from './runs.service'
import { formFieldSchema } from './triggers/shortcut'
import { presentRun, runOut } from './workflows.presenter'

const page = z.strictObject({
  status: z.enum(['running', 'waiting', 'completed', 'failed', 'cancelled']).optional(),
  before: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
})
const runsPage = z.object({ runs: z.array(runOut), nextBefore: z.number().nullable() })

export function runRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/workflows/:workflowId/runs',
    {
      schema: {
        tags: ['Workflows'],
        summary: "A workflow's runs, newest first, each with its step log",
        description: 'Keyset pagination: pass `nextBefore` back as `before`.',
        params: z.strictObject({ workspaceId: idSchema, workflowId: idSchema }),
        querystring: page,
        response: { 200: runsPage, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const r = await listWorkflowRuns(ctx, p, { ...request.query, workflowId: request.params.workflowId })
      return { runs: r.runs.map(presentRun), nextBefore: r.nextBefore }
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/contacts/:contactId/workflow-runs',
    {
      schema: {
        tags: ['Workflows'],
        summary: "A contact's workflow runs, newest first, each with its step log",
        params: z.strictObject({ workspaceId: idSchema, contactId: idSchema }),
        querystring: page,
        response: { 200: runsPage, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const r = await listWorkflowRuns(ctx, p, { ...request.query, contactId: request.params.contactId })
      return { runs: r.runs.map(presentRun), nextBefore: r.nextBefore }
    },
  )

  const runParams = z.strictObject({ workspaceId: idSchema, runId: idSchema })
  app.get(
    '/api/v1/workspaces/:workspaceId/workflow-runs/:runId',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'One run with its step log (inputs, outputs, branch taken, errors, timings)',
        params: runParams,
        response: { 200: runOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentRun(await getRun(ctx, p, request.params.runId))
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/workflow-runs/:runId/cancel',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Take the contact out of the workflow now',
        params: runParams,
        response: { 200: runOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentRun(await cancelRun(ctx, p, request.params.runId))
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/shortcuts',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Shortcuts the signed-in user may start from the inbox (rule 51)',
        params: workspaceParams,
        response: {
          200: z.array(
            z.object({
              workflowId: z.number(),
              name: z.string(),
              description: z.string(),
              form: z.array(formFieldSchema),
            }),
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listShortcuts(ctx, p)).map((s) => ({
        workflowId: s.workflow.id,
        name: s.workflow.name,
        description: s.workflow.description,
        form: s.form,
      }))
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/contacts/:contactId/shortcuts/:workflowId',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Start a shortcut on a contact; the form values become $trigger.<key>',
        params: z.strictObject({ workspaceId: idSchema, contactId: idSchema, workflowId: idSchema }),
        body: z.strictObject({
          values: z.record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean()])).default({}),
        }),
        response: { 201: runOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const run = await startShortcut(
        ctx,
        p,
        request.params.workflowId,
        request.params.contactId,
        request.body.values,
      )
      return reply.status(201).send(presentRun({ run, steps: [] }))
    },
  )
}
