import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, workspaceParams } from '../http/schemas'
import type { TagRow } from './tags.repo'
import { createTag, editTag, listWorkspaceTags, removeTag } from './tags.service'

export const tagOut = z.object({
  id: z.number(),
  name: z.string(),
  color: z.string().nullable(),
  contactCount: z.number().optional(),
  createdAt: z.string(),
})
const TAG_EXAMPLE = { id: 9, name: 'عميل جديد', color: '#16a34a', createdAt: '2026-09-14T08:03:22.000Z' }
const tagListOut = z.array(tagOut).meta({
  examples: [
    [
      { id: 5, name: 'VIP', color: '#d97706', contactCount: 214, createdAt: '2026-08-30T11:45:00.000Z' },
      { ...TAG_EXAMPLE, contactCount: 1387 },
      { id: 12, name: 'شكوى', color: null, contactCount: 0, createdAt: '2026-11-02T16:10:09.000Z' },
    ],
  ],
})
const tagCreatedOut = tagOut.meta({ examples: [TAG_EXAMPLE] })
const present = (
  t: Pick<TagRow, 'id' | 'name' | 'color' | 'createdAt'> & { contactCount?: number },
): z.infer<typeof tagOut> => ({
  id: t.id,
  name: t.name,
  color: t.color,
  ...(t.contactCount !== undefined ? { contactCount: t.contactCount } : {}),
  createdAt: t.createdAt.toISOString(),
})
const color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour such as #1a73e8.')
  .nullable()
const tagParams = z.strictObject({ workspaceId: idSchema, tagId: idSchema })

export function tagRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/tags'

  app.get(
    base,
    {
      schema: {
        tags: ['Tags'],
        summary: 'Workspace tags with how many contacts carry each',
        params: workspaceParams,
        response: { 200: tagListOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listWorkspaceTags(ctx, p)).map(present)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Tags'],
        summary: 'Create a tag (names are unique, ignoring case)',
        params: workspaceParams,
        body: z
          .strictObject({ name: labelSchema('Name', 50), color: color.optional() })
          .meta({ examples: [{ name: 'عميل جديد', color: '#16a34a' }, { name: 'Wholesale' }] }),
        response: { 201: tagCreatedOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await createTag(ctx, p, request.body)))
    },
  )

  app.patch(
    `${base}/:tagId`,
    {
      schema: {
        tags: ['Tags'],
        summary: 'Rename or recolour a tag',
        params: tagParams,
        body: z.strictObject({ name: labelSchema('Name', 50).optional(), color: color.optional() }),
        response: { 200: tagOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await editTag(ctx, p, request.params.tagId, request.body))
    },
  )

  app.delete(
    `${base}/:tagId`,
    {
      schema: {
        tags: ['Tags'],
        summary: 'Delete a tag; it is removed from every contact',
        params: tagParams,
        response: { 200: z.object({ contactsUntagged: z.number() }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return { contactsUntagged: await removeTag(ctx, p, request.params.tagId) }
    },
  )
}
