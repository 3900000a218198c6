import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema } from '../http/schemas'
import { MESSAGE_EXAMPLE, messageOut, presentMessage } from './messages.presenter'
import { sendMessageSchema } from './messages.schema'
import { getMessage, listMessages, sendMessage } from './messages.service'

const params = z.strictObject({ workspaceId: idSchema, contactId: idSchema })

export function messageRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/contacts/:contactId/messages',
    {
      schema: {
        tags: ['Messages'],
        summary: "A contact's messages across conversations, newest first",
        description: 'Keyset pagination: pass the smallest id you have as `before`.',
        params,
        querystring: z.strictObject({
          before: idSchema.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: {
          200: z.object({ messages: z.array(messageOut), nextBefore: z.number().nullable() }).meta({
            examples: [
              {
                messages: [
                  MESSAGE_EXAMPLE,
                  {
                    ...MESSAGE_EXAMPLE,
                    id: 90211,
                    direction: 'in',
                    author: { kind: 'contact', id: 1042 },
                    text: 'متى يوصل الطلب؟',
                    content: { type: 'text', text: 'متى يوصل الطلب؟' },
                    status: 'received',
                    createdAt: '2026-11-18T09:12:47.000Z',
                    sentAt: null,
                    deliveredAt: null,
                  },
                ],
                nextBefore: 90211,
              },
            ],
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { rows, nextBefore } = await listMessages(ctx, p, request.params.contactId, request.query)
      return { messages: rows.map(presentMessage), nextBefore }
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/contacts/:contactId/messages',
    {
      schema: {
        tags: ['Messages'],
        summary: 'Send a message to the contact',
        description:
          "Checked against the channel's messaging window now (rules 15–22): a refusal (422 window_closed) says why and what is allowed. With `clientKey`, a retried request returns the first message (200) instead of sending twice.",
        params,
        body: sendMessageSchema,
        response: { 201: messageOut, 200: messageOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { message, created } = await sendMessage(ctx, p, {
        ...request.body,
        contactId: request.params.contactId,
      })
      return reply.status(created ? 201 : 200).send(presentMessage(message))
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/messages/:messageId',
    {
      schema: {
        tags: ['Messages'],
        summary: 'A message with its delivery status',
        params: z.strictObject({ workspaceId: idSchema, messageId: idSchema }),
        response: { 200: messageOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentMessage(await getMessage(ctx, p, request.params.messageId))
    },
  )
}
