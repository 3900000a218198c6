import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, workspaceParams } from '../http/schemas'
import type { LifecycleStageRow } from './lifecycle.repo'
import {
  createLifecycleStage,
  deleteLifecycleStage,
  listLifecycleStages,
  reorderLifecycleStages,
  setDefaultLifecycleStage,
  updateLifecycleStage,
} from './lifecycle.service'

export const stageOut = z.object({
  id: z.number(),
  name: z.string(),
  position: z.number(),
  isDefault: z.boolean(),
  isLost: z.boolean(),
})
const present = (s: LifecycleStageRow): z.infer<typeof stageOut> => ({
  id: s.id,
  name: s.name,
  position: s.position,
  isDefault: s.isDefault,
  isLost: s.isLost,
})
const stageParams = z.strictObject({ workspaceId: idSchema, stageId: idSchema })

export function lifecycleRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/lifecycle-stages'

  app.get(
    base,
    {
      schema: {
        tags: ['Lifecycle'],
        summary: 'Lifecycle stages in order (rule 58)',
        params: workspaceParams,
        response: { 200: z.array(stageOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listLifecycleStages(ctx, p)).map(present)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Lifecycle'],
        summary: 'Add a stage at the end',
        params: workspaceParams,
        body: z.strictObject({ name: labelSchema('Name', 50), isLost: z.boolean().optional() }),
        response: { 201: stageOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await createLifecycleStage(ctx, p, request.body)))
    },
  )

  app.put(
    `${base}/order`,
    {
      schema: {
        tags: ['Lifecycle'],
        summary: 'Reorder the stages (every stage id, in the new order)',
        params: workspaceParams,
        body: z.strictObject({ stageIds: z.array(idSchema).max(100) }),
        response: { 200: z.array(stageOut), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await reorderLifecycleStages(ctx, p, request.body.stageIds)).map(present)
    },
  )

  app.patch(
    `${base}/:stageId`,
    {
      schema: {
        tags: ['Lifecycle'],
        summary: 'Rename a stage or mark it lost',
        params: stageParams,
        body: z.strictObject({ name: labelSchema('Name', 50).optional(), isLost: z.boolean().optional() }),
        response: { 200: stageOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await updateLifecycleStage(ctx, p, request.params.stageId, request.body))
    },
  )

  app.post(
    `${base}/:stageId/default`,
    {
      schema: {
        tags: ['Lifecycle'],
        summary: 'Make this the default stage for new contacts (exactly one)',
        params: stageParams,
        response: { 200: z.array(stageOut), ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await setDefaultLifecycleStage(ctx, p, request.params.stageId)).map(present)
    },
  )

  app.delete(
    `${base}/:stageId`,
    {
      schema: {
        tags: ['Lifecycle'],
        summary: 'Delete a stage (not the default); its contacts are left without a stage',
        params: stageParams,
        response: { 200: z.object({ contactsCleared: z.number() }), ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return { contactsCleared: await deleteLifecycleStage(ctx, p, request.params.stageId) }
    },
  )
}
