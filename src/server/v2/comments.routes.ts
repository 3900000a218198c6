import { z } from 'zod'
import type { App } from '../app'
import { addComment } from '../comments/comments.service'
import { findContactByRef } from '../contacts/contacts.service'
import type { Ctx } from '../context'
import { apiPrincipal } from './auth'
import { identifierParam } from './identifier'
import { rateLimited } from './rate-limit'
import { V2_TAG, v2Errors } from './schemas'

/** Comments (developers.respond.io createcomment; rule 50). */
export function commentRoutes(app: App, ctx: Ctx) {
  app.post(
    '/contact/:identifier/comment',
    {
      config: rateLimited(ctx),
      schema: {
        tags: [V2_TAG],
        summary: 'Create a comment',
        description:
          'https://developers.respond.io (operation createcomment): an internal comment, never sent to the contact, 1–1000 characters. Mention users with {{@user.ID}} (also @[email]); mentioned members who can see the contact are notified. respond.io also fills {{$contact.name}}-style variables; this server keeps them as text.',
        params: z.strictObject({ identifier: identifierParam }),
        body: z
          .strictObject({
            text: z.string().max(1000, 'Comment length must not be greater than 1000 characters'),
          })
          .meta({ examples: [{ text: 'Please look into this contact {{@user.1}}' }] }),
        response: {
          200: z
            .object({ contactId: z.number().int(), text: z.string(), created_at: z.number().int() })
            .meta({
              examples: [{ contactId: 1, text: 'You just commented from the API', created_at: 1662979868 }],
            }),
          ...v2Errors(400, 404),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const comment = await addComment(ctx, p, contact.id, request.body.text)
      return {
        contactId: contact.id,
        text: comment.body,
        created_at: Math.floor(comment.createdAt.getTime() / 1000),
      }
    },
  )
}
