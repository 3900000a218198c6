import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, workspaceParams } from '../http/schemas'
import { inboxRowOut, presentInboxRow } from './inbox.presenter'
import { inboxViews, listInbox, markContactRead } from './inbox.service'
import { parseView, VIEW_PATTERN } from './views'

const summaryOut = z.object({
  view: z.string(),
  /** Unread open contacts in the view (standard and team inboxes); null where not counted. */
  unread: z.number().nullable(),
  /** Rule 48: the blue dot, on the most specific view holding an unread contact. */
  dot: z.boolean(),
})
const customSummaryOut = z.object({
  view: z.string(),
  id: z.number(),
  name: z.string(),
  createdByUserId: z.number(),
})

export function inboxRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/inbox',
    {
      schema: {
        tags: ['Inbox'],
        summary: 'One page of an inbox view: slim contact rows, newest activity first',
        description:
          'Views: `all`, `mine`, `unassigned`, `mentioned`, `blocked`, `team:<teamId>`, `custom:<customInboxId>` (rules 43–47). ' +
          'Restricted agents get 403 for views they may not see (rules 44–45, 102); every view shows only contacts the user may see. ' +
          'Blocked contacts appear only in `blocked`, which lists every blocked contact by when they were blocked and ignores `status`. ' +
          'Keyset pagination: pass `nextCursor` back as `cursor`; new activity never repeats or skips a row of the pages still to come.',
        params: workspaceParams,
        querystring: z.strictObject({
          view: z
            .string()
            .regex(VIEW_PATTERN, 'Use all, mine, unassigned, mentioned, blocked, team:<id> or custom:<id>.')
            .default('all'),
          status: z.enum(['open', 'closed', 'snoozed']).default('open'),
          sort: z.enum(['newest', 'oldest']).default('newest'),
          cursor: z.string().max(400).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(50),
        }),
        response: {
          200: z.object({ rows: z.array(inboxRowOut), nextCursor: z.string().nullable() }).meta({
            examples: [
              {
                rows: [
                  {
                    contactId: 1042,
                    displayName: 'ليلى Hassan',
                    avatarUrl: null,
                    channel: { id: 3, type: 'whatsapp_cloud' },
                    conversationId: 311,
                    status: 'open',
                    preview: 'متى يوصل الطلب؟',
                    direction: 'in',
                    lastMessageAt: '2026-11-18T09:12:47.000Z',
                    unread: true,
                    assigneeUserId: 7,
                    assigneeTeamId: 2,
                    blocked: false,
                  },
                  {
                    contactId: 987,
                    displayName: 'James Carter',
                    avatarUrl: '/api/v1/workspaces/1/files/412',
                    channel: { id: 5, type: 'messenger' },
                    conversationId: 305,
                    status: 'open',
                    preview: 'Thanks, شكراً!',
                    direction: 'out',
                    lastMessageAt: '2026-11-18T08:57:30.000Z',
                    unread: false,
                    assigneeUserId: null,
                    assigneeTeamId: null,
                    blocked: false,
                  },
                ],
                nextCursor: 'eyJ0IjoiMjAyNi0xMS0xOFQwODo1NzozMC4wMDBaIiwiaWQiOjk4N30',
              },
            ],
          }),
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { view, ...rest } = request.query
      const page = await listInbox(ctx, p, { view: parseView(view)!, ...rest })
      return { rows: page.rows.map(presentInboxRow), nextCursor: page.nextCursor }
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/inbox/views',
    {
      schema: {
        tags: ['Inbox'],
        summary: 'The inbox views this user may open, with unread counts',
        description:
          'Standard views (All, Mine, Unassigned, Mentioned) and team inboxes per rules 44–45 and 102; custom inboxes in the sections All / By me / By others (rule 46); `blocked` only when the user may see a blocked contact (rule 47).',
        params: workspaceParams,
        response: {
          200: z.object({
            standard: z.array(summaryOut),
            teams: z.array(summaryOut.extend({ teamId: z.number(), name: z.string() })),
            custom: z.object({
              all: z.array(customSummaryOut),
              byMe: z.array(customSummaryOut),
              byOthers: z.array(customSummaryOut),
            }),
            blocked: z.object({ view: z.literal('blocked') }).nullable(),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return inboxViews(ctx, p)
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/contacts/:contactId/read',
    {
      schema: {
        tags: ['Inbox'],
        summary: "Mark the contact's new messages as read (clears the blue dot, rule 48)",
        description:
          'Everyone watching the inbox gets a `contact.read` frame. Reading a read contact changes nothing.',
        params: z.strictObject({ workspaceId: idSchema, contactId: idSchema }),
        response: { 200: z.object({ changed: z.boolean() }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return { changed: await markContactRead(ctx, p, request.params.contactId) }
    },
  )
}
