import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, okBody, workspaceParams } from '../http/schemas'
import type { CategoryRow } from './categories.repo'
import {
  createClosingCategory,
  deleteClosingCategory,
  listClosingCategories,
  reorderClosingCategories,
  updateClosingCategory,
} from './categories.service'

export const categoryOut = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  position: z.number(),
  createdAt: z.string(),
})
const present = (c: CategoryRow): z.infer<typeof categoryOut> => ({
  id: c.id,
  name: c.name,
  description: c.description,
  position: c.position,
  createdAt: c.createdAt.toISOString(),
})
const description = z.string().trim().max(500, 'Description must be at most 500 characters.')
const params = z.strictObject({ workspaceId: idSchema, categoryId: idSchema })

export function closingCategoryRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/closing-categories'

  app.get(
    base,
    {
      schema: {
        tags: ['Closing notes'],
        summary: 'Conversation categories for closing notes (rule 35), in order',
        params: workspaceParams,
        response: { 200: z.array(categoryOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listClosingCategories(ctx, p)).map(present)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Closing notes'],
        summary: 'Add a category (rule 38: Owners and Managers; the description is shown when closing)',
        params: workspaceParams,
        body: z.strictObject({ name: labelSchema('Name'), description: description.optional() }),
        response: { 201: categoryOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await createClosingCategory(ctx, p, request.body)))
    },
  )

  app.put(
    `${base}/order`,
    {
      schema: {
        tags: ['Closing notes'],
        summary: 'Reorder the categories (every id, in the new order)',
        params: workspaceParams,
        body: z.strictObject({ categoryIds: z.array(idSchema).max(1000) }),
        response: { 200: z.array(categoryOut), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await reorderClosingCategories(ctx, p, request.body.categoryIds)).map(present)
    },
  )

  app.patch(
    `${base}/:categoryId`,
    {
      schema: {
        tags: ['Closing notes'],
        summary: 'Rename a category or edit its description',
        params,
        body: z.strictObject({ name: labelSchema('Name').optional(), description: description.optional() }),
        response: { 200: categoryOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await updateClosingCategory(ctx, p, request.params.categoryId, request.body))
    },
  )

  app.delete(
    `${base}/:categoryId`,
    {
      schema: {
        tags: ['Closing notes'],
        summary: 'Delete a category (conversations already closed with it keep it for reports)',
        params,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await deleteClosingCategory(ctx, p, request.params.categoryId)
      return { ok: true as const }
    },
  )
}
