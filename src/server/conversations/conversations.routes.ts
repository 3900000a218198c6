import { z } from 'zod'
import type { App } from '../app'
import { setBlocked } from '../contacts/block.service'
import {
  CONTACT_EXAMPLE,
  contactOut,
  identityOut,
  presentContact,
  presentIdentity,
} from '../contacts/contacts.presenter'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, okBody } from '../http/schemas'
import {
  CONVERSATION_EXAMPLE,
  conversationOut,
  presentConversation,
  presentWindow,
  windowOut,
} from './conversations.presenter'
import type { ConversationRow } from './conversations.repo'
import {
  assignContact,
  closeConversation,
  conversationView,
  openConversation,
  pastConversations,
  snoozeConversation,
  unsnoozeConversation,
} from './conversations.service'

const params = z.strictObject({ workspaceId: idSchema, contactId: idSchema })
const noWindow = {
  channelId: null,
  status: 'none' as const,
  closesAt: null,
  since: null,
  allows: null,
  remainingOutbound: null,
}

export function conversationRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/contacts/:contactId'
  const present = (c: ConversationRow) => presentConversation(c, noWindow)

  app.get(
    `${base}/conversation`,
    {
      schema: {
        tags: ['Conversations'],
        summary: "A contact's current conversation, messaging window and channels",
        description:
          "The window is evaluated now for the contact's last interacted channel (rules 15–22); `state` is Azir's open / expired / closed / bot.",
        params,
        response: {
          200: z
            .object({
              contact: contactOut,
              conversation: conversationOut.nullable(),
              window: windowOut,
              /** The window of each of the contact's channels (rule 22), for the reply-channel picker. */
              windows: z.array(windowOut),
              channels: z.array(identityOut),
            })
            .meta({
              examples: [
                {
                  contact: CONTACT_EXAMPLE,
                  conversation: {
                    ...CONVERSATION_EXAMPLE,
                    status: 'open',
                    state: 'open',
                    closedAt: null,
                    closedSource: null,
                    closedByUserId: null,
                    closingNote: null,
                  },
                  window: CONVERSATION_EXAMPLE.window,
                  windows: [
                    CONVERSATION_EXAMPLE.window,
                    {
                      channelId: 5,
                      status: 'expired',
                      closesAt: null,
                      since: '2026-10-09T16:40:00.000Z',
                      allows: 'template',
                      remainingOutbound: null,
                    },
                  ],
                  channels: [
                    {
                      id: 2210,
                      channelId: 3,
                      identifier: '966501234567',
                      displayName: 'Layla',
                      lastIncomingAt: '2026-11-18T09:12:47.000Z',
                      lastOutgoingAt: '2026-11-18T09:14:03.512Z',
                    },
                    {
                      id: 1875,
                      channelId: 5,
                      identifier: '5518823301',
                      displayName: 'ليلى حسن',
                      lastIncomingAt: '2026-10-02T16:40:00.000Z',
                      lastOutgoingAt: null,
                    },
                  ],
                },
              ],
            }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const v = await conversationView(ctx, p, request.params.contactId)
      const window = presentWindow(v.window.channelId, v.window.state)
      return {
        contact: presentContact(v.contact),
        conversation: v.conversation ? presentConversation(v.conversation, window) : null,
        window,
        windows: v.windows.map((w) => presentWindow(w.channelId, w.state)),
        channels: v.identities.map(presentIdentity),
      }
    },
  )

  app.get(
    `${base}/conversations`,
    {
      schema: {
        tags: ['Conversations'],
        summary: "A contact's conversations, newest first",
        params,
        response: { 200: z.array(conversationOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await pastConversations(ctx, p, request.params.contactId)).map(present)
    },
  )

  app.post(
    `${base}/conversation/open`,
    {
      schema: {
        tags: ['Conversations'],
        summary: 'Open a conversation (rule 11); 409 when one is open or the contact is blocked',
        params,
        response: { 201: conversationOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await openConversation(ctx, p, request.params.contactId)))
    },
  )

  app.post(
    `${base}/conversation/close`,
    {
      schema: {
        tags: ['Conversations'],
        summary: 'Close the open conversation with an optional closing note (rule 36 modes apply)',
        params,
        body: z
          .strictObject({
            categoryId: idSchema.nullable().optional(),
            summary: z.string().max(2000).nullable().optional(),
          })
          .nullish()
          .meta({
            examples: [
              { categoryId: 4, summary: 'تم تأكيد موعد التوصيل — delivery confirmed for Thursday.' },
            ],
          }),
        response: { 200: conversationOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await closeConversation(ctx, p, request.params.contactId, request.body ?? {}))
    },
  )

  app.post(
    `${base}/conversation/snooze`,
    {
      schema: {
        tags: ['Conversations'],
        summary: 'Snooze the open conversation until a time (rule 13); the contact writing ends it early',
        params,
        body: z
          .strictObject({ until: z.iso.datetime({ offset: true }) })
          .meta({ examples: [{ until: '2026-11-20T09:00:00+03:00' }] }),
        response: { 200: conversationOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await snoozeConversation(ctx, p, request.params.contactId, new Date(request.body.until)))
    },
  )

  app.post(
    `${base}/conversation/unsnooze`,
    {
      schema: {
        tags: ['Conversations'],
        summary: 'End a snooze now',
        params,
        response: { 200: okBody, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await unsnoozeConversation(ctx, p, request.params.contactId)
      return { ok: true as const }
    },
  )

  app.put(
    `${base}/assignee`,
    {
      schema: {
        tags: ['Conversations'],
        summary: 'Assign, reassign or unassign (null) the contact',
        description: 'Assignment lives on the contact and survives closing (rule 32).',
        params,
        body: z
          .strictObject({ userId: idSchema.nullable() })
          .meta({ examples: [{ userId: 7 }, { userId: null }] }),
        response: { 200: contactOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentContact(await assignContact(ctx, p, request.params.contactId, request.body.userId))
    },
  )

  for (const [path, blocked] of [
    ['block', true],
    ['unblock', false],
  ] as const) {
    app.post(
      `${base}/${path}`,
      {
        schema: {
          tags: ['Contacts'],
          summary: blocked ? 'Block the contact (rule 59)' : 'Unblock the contact',
          params,
          response: { 200: contactOut, ...errors(401, 403, 404, 409) },
        },
      },
      async (request) => {
        const p = await principalFor(ctx, request, request.params.workspaceId)
        return presentContact(await setBlocked(ctx, p, request.params.contactId, blocked))
      },
    )
  }
}
