import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { COMMENT_EXAMPLE, commentOut, presentComment } from './comments.presenter'
import { addComment, listComments, MAX_COMMENT } from './comments.service'

const params = z.strictObject({ workspaceId: idSchema, contactId: idSchema })

export function commentRoutes(app: App, ctx: Ctx) {
  const path = '/api/v1/workspaces/:workspaceId/contacts/:contactId/comments'

  app.get(
    path,
    {
      schema: {
        tags: ['Comments'],
        summary: "A contact's internal comments, newest first",
        description: 'Keyset pagination: pass `nextBefore` back as `before`.',
        params,
        querystring: z.strictObject({
          before: idSchema.optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({ comments: z.array(commentOut), nextBefore: z.number().nullable() }).meta({
            examples: [
              {
                comments: [
                  COMMENT_EXAMPLE,
                  {
                    id: 5093,
                    contactId: 1042,
                    conversationId: null,
                    author: { kind: 'api', id: null },
                    body: 'Imported from Shopify: 3 orders, last one 4471.',
                    mentions: [],
                    createdAt: '2026-10-02T14:20:12.000Z',
                  },
                ],
                nextBefore: null,
              },
            ],
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const page = await listComments(ctx, p, request.params.contactId, request.query)
      return { comments: page.rows.map(presentComment), nextBefore: page.nextBefore }
    },
  )

  app.post(
    path,
    {
      schema: {
        tags: ['Comments'],
        summary: 'Comment on a contact (internal; never sent to the contact, rule 50)',
        description: `At most ${MAX_COMMENT} characters. Mention with \`{{@user.ID}}\` or \`@[email]\`: members who can see the contact are notified; other mentions stay plain text.`,
        params,
        body: z
          .strictObject({ body: z.string().max(MAX_COMMENT, `At most ${MAX_COMMENT} characters.`) })
          .meta({
            examples: [{ body: '{{@user.12}} العميلة تسأل عن الاسترجاع — can you check order 4471?' }],
          }),
        response: { 201: commentOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply
        .status(201)
        .send(presentComment(await addComment(ctx, p, request.params.contactId, request.body.body)))
    },
  )
}
