import { z } from 'zod'
import type { App } from '../app'
import { displayName } from '../contacts/contacts.presenter'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, workspaceParams } from '../http/schemas'
import { markMyNotificationsRead, myNotifications, myUnreadCount } from './notifications.service'

export const notificationOut = z.object({
  id: z.number(),
  kind: z.enum(['mention', 'assignment']),
  contact: z.object({ id: z.number(), displayName: z.string() }).nullable(),
  conversationId: z.number().nullable(),
  comment: z.object({ id: z.number(), excerpt: z.string() }).nullable(),
  actor: z.object({ kind: z.string(), id: z.number().nullable() }),
  read: z.boolean(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
})

export function notificationRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/notifications'

  app.get(
    base,
    {
      schema: {
        tags: ['Notifications'],
        summary: 'Your notifications in this workspace, newest first (mentions and assignments)',
        description:
          'Keyset pagination: pass `nextBefore` back as `before`. `unread=true` lists only unread ones.',
        params: workspaceParams,
        querystring: z.strictObject({
          before: idSchema.optional(),
          limit: z.coerce.number().int().min(1).max(100).default(30),
          unread: z
            .enum(['true', 'false'])
            .transform((v) => v === 'true')
            .optional(),
        }),
        response: {
          200: z.object({
            notifications: z.array(notificationOut),
            unreadCount: z.number(),
            nextBefore: z.number().nullable(),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const r = await myNotifications(ctx, p, request.query)
      return {
        notifications: r.rows.map((n) => {
          const contact = n.contactId ? r.contacts.get(n.contactId) : undefined
          const comment = n.commentId ? r.comments.get(n.commentId) : undefined
          return {
            id: n.id,
            kind: n.kind,
            contact: contact ? { id: contact.id, displayName: displayName(contact) } : null,
            conversationId: n.conversationId,
            comment: comment ? { id: comment.id, excerpt: comment.body.slice(0, 200) } : null,
            actor: { kind: n.actorKind, id: n.actorId },
            read: n.readAt !== null,
            readAt: n.readAt?.toISOString() ?? null,
            createdAt: n.createdAt.toISOString(),
          }
        }),
        unreadCount: r.unread,
        nextBefore: r.nextBefore,
      }
    },
  )

  app.get(
    `${base}/unread-count`,
    {
      schema: {
        tags: ['Notifications'],
        summary: 'How many of your notifications are unread',
        params: workspaceParams,
        response: { 200: z.object({ count: z.number() }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return { count: await myUnreadCount(ctx, p) }
    },
  )

  app.post(
    `${base}/read`,
    {
      schema: {
        tags: ['Notifications'],
        summary: 'Mark notifications read: some by id, or all',
        params: workspaceParams,
        body: z.strictObject({ ids: z.array(idSchema).max(500).optional(), all: z.literal(true).optional() }),
        response: { 200: z.object({ marked: z.number() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return { marked: await markMyNotificationsRead(ctx, p, request.body) }
    },
  )
}
