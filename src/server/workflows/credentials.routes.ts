import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, okBody, workspaceParams } from '../http/schemas'
import { credentialInputSchema } from './credentials'
import {
  createWorkflowCredential,
  getWorkflowSettings,
  listWorkflowCredentials,
  removeWorkflowCredential,
  updateWorkflowSettings,
} from './credentials.service'
import { credentialOut, presentCredential } from './workflows.presenter'

const settingsOut = z.object({ allowPrivateNetwork: z.boolean() })

export function credentialRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/workflow-credentials'
  app.get(
    base,
    {
      schema: {
        tags: ['Workflows'],
        summary:
          'Connections the integration steps use (Google Sheets, Meta Conversions API, TikTok Events API)',
        params: workspaceParams,
        response: { 200: z.array(credentialOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listWorkflowCredentials(ctx, p)).map(presentCredential)
    },
  )
  app.post(
    base,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Add a connection (its key or token is stored encrypted and never shown again)',
        params: workspaceParams,
        body: credentialInputSchema,
        response: { 201: credentialOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(presentCredential(await createWorkflowCredential(ctx, p, request.body)))
    },
  )
  app.delete(
    `${base}/:credentialId`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Remove a connection (steps using it fail and are reported before publishing)',
        params: z.strictObject({ workspaceId: idSchema, credentialId: idSchema }),
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeWorkflowCredential(ctx, p, request.params.credentialId)
      return { ok: true as const }
    },
  )
  app.get(
    '/api/v1/workspaces/:workspaceId/workflow-settings',
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Workflow settings of the workspace',
        params: workspaceParams,
        response: { 200: settingsOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const s = await getWorkflowSettings(ctx, p)
      return { allowPrivateNetwork: s.allowPrivateNetwork }
    },
  )
  app.patch(
    '/api/v1/workspaces/:workspaceId/workflow-settings',
    {
      schema: {
        tags: ['Workflows'],
        summary:
          'Let HTTP steps call loopback and private-network addresses (link-local and metadata stay refused)',
        params: workspaceParams,
        body: z.strictObject({ allowPrivateNetwork: z.boolean() }),
        response: { 200: settingsOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const s = await updateWorkflowSettings(ctx, p, request.body)
      return { allowPrivateNetwork: s.allowPrivateNetwork }
    },
  )
}
