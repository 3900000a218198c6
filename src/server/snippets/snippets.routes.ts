import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, okBody, workspaceParams } from '../http/schemas'
import type { SnippetRow } from './snippets.repo'
import { createSnippet, editSnippet, listWorkspaceSnippets, removeSnippet } from './snippets.service'

export const snippetOut = z.object({
  id: z.number(),
  shortcut: z.string(),
  body: z.string(),
  createdByUserId: z.number().nullable(),
  createdAt: z.string(),
})
const present = (s: SnippetRow): z.infer<typeof snippetOut> => ({
  id: s.id,
  shortcut: s.shortcut,
  body: s.body,
  createdByUserId: s.createdByUserId,
  createdAt: s.createdAt.toISOString(),
})
const shortcut = z
  .string()
  .trim()
  .regex(
    /^[\p{L}\p{N}_-]{1,50}$/u,
    'Use 1–50 letters, digits, "-" or "_" (no spaces): it is typed after "/".',
  )
const body = z.string().trim().min(1, 'The text is required.').max(4096, 'At most 4096 characters.')
const params = z.strictObject({ workspaceId: idSchema, snippetId: idSchema })

export function snippetRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/snippets'

  app.get(
    base,
    {
      schema: {
        tags: ['Snippets'],
        summary: 'Saved replies, by shortcut; `q` keeps those whose shortcut starts with it',
        params: workspaceParams,
        querystring: z.strictObject({ q: z.string().trim().max(50).optional() }),
        response: { 200: z.array(snippetOut), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listWorkspaceSnippets(ctx, p, request.query.q)).map(present)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Snippets'],
        summary: 'Add a snippet',
        params: workspaceParams,
        body: z.strictObject({ shortcut, body }),
        response: { 201: snippetOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await createSnippet(ctx, p, request.body)))
    },
  )

  app.patch(
    `${base}/:snippetId`,
    {
      schema: {
        tags: ['Snippets'],
        summary: 'Edit a snippet',
        params,
        body: z.strictObject({ shortcut: shortcut.optional(), body: body.optional() }),
        response: { 200: snippetOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await editSnippet(ctx, p, request.params.snippetId, request.body))
    },
  )

  app.delete(
    `${base}/:snippetId`,
    {
      schema: {
        tags: ['Snippets'],
        summary: 'Delete a snippet',
        params,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeSnippet(ctx, p, request.params.snippetId)
      return { ok: true as const }
    },
  )
}
