import { z } from 'zod'
import type { App } from '../app'
import { findContactByRef } from '../contacts/contacts.service'
import type { Ctx } from '../context'
import { NotFoundError } from '../errors'
import { getMessage, listMessagesByIdCursor, sendMessage } from '../messages/messages.service'
import { apiPrincipal } from './auth'
import { identifierParam } from './identifier'
import { messageIn, toMessage } from './message-input'
import { messageOut, presentMessage } from './messages.presenter'
import { links } from './pagination'
import { rateLimited } from './rate-limit'
import { numericId, pageQuery, paginationOut, V2_TAG, v2Errors } from './schemas'

const SEND = `https://developers.respond.io (operation sendmessage); message types from respond.io's SDK.
Without channelId (or with null) the message goes out on the contact's last interacted channel; a contact with none is a 400 (respond.io: "if any").
Sending goes through the same rules as the inbox: messaging windows per channel (a closed WhatsApp window needs a whatsapp_template; Messenger after 7 days needs messageTag), template variables ({{1}}…) must all be given (400 otherwise), the message is queued and delivered by a job.
Mapping: attachment → image/video/audio/file by URL; quick_reply → interactive buttons (at most 3, titles ≤ 20 characters); whatsapp_template → the synced template of that name and languageCode on the channel, components carry the WhatsApp Cloud API parameters (body text, header text or media link, button parameters); email → subject and text.
Not supported (400, nothing sent): custom_payload, email cc/bcc/attachments/replyToMessageId. Text is sent as written: respond.io's {{$contact.…}} variables are not filled in.
Our extension (respond.io is silent on retries): an Idempotency-Key header (8–100 characters) makes a retried request return the first message instead of sending twice.`

/** Messages: send, list and get (developers.respond.io sendmessage, listmessages, getmessage). */
export function messageRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)

  app.post(
    '/contact/:identifier/message',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Send a message',
        description: SEND,
        params: z.strictObject({ identifier: identifierParam }),
        headers: z.object({ 'idempotency-key': z.string().min(8).max(100).optional() }),
        body: z
          .strictObject({
            channelId: z.number().int().positive().nullable().optional(),
            message: messageIn,
          })
          .meta({
            examples: [
              {
                channelId: 4,
                message: { type: 'text', text: 'There has been an update in your account...' },
              },
              {
                message: {
                  type: 'whatsapp_template',
                  template: {
                    name: 'order_update',
                    languageCode: 'en',
                    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Layla' }] }],
                  },
                },
              },
            ],
          }),
        response: {
          200: z.object({ messageId: z.number().int() }).meta({ examples: [{ messageId: 1262965213 }] }),
          ...v2Errors(400, 404, 413),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { message, messageTag } = toMessage(request.body.message)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const key = request.headers['idempotency-key']
      const { message: sent } = await sendMessage(ctx, p, {
        contactId: contact.id,
        channelId: request.body.channelId ?? undefined,
        message,
        messageTag,
        clientKey: key ? `v2:${key}` : undefined,
      })
      return { messageId: sent.id }
    },
  )

  app.get(
    '/contact/:identifier/message/list',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List messages',
        description:
          'https://developers.respond.io (operation listmessages): all messages of a contact, incoming and outgoing, newest first, each in the shape of getmessage. limit is 1–50 (default 10), as respond.io documents; cursorId is a message id (pagination.next continues after it, a negative cursorId from pagination.previous returns the page before it).',
        params: z.strictObject({ identifier: identifierParam }),
        querystring: pageQuery.extend({
          limit: z.coerce.number().int().min(1).max(50).default(10).describe('Page size, 1–50 (default 10).'),
        }),
        response: {
          200: z.object({ items: z.array(messageOut), pagination: paginationOut }),
          ...v2Errors(400, 404),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const cursor =
        cursorId === undefined ? null : cursorId > 0 ? { after: cursorId } : { before: -cursorId }
      const page = await listMessagesByIdCursor(ctx, p, contact.id, { cursor, limit })
      const first = page.rows[0]?.id
      const last = page.rows.at(-1)?.id
      const backwards = cursor !== null && 'before' in cursor
      const path = `/contact/id:${contact.id}/message/list`
      return {
        items: page.rows.map((m) => presentMessage(ctx, m)),
        pagination: links(ctx, path, limit, {
          next: last !== undefined && (backwards || page.more) ? last : null,
          previous: first !== undefined && (backwards ? page.more : cursor !== null) ? -first : null,
        }),
      }
    },
  )

  app.get(
    '/contact/:identifier/message/:messageId',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Get a message',
        description:
          'https://developers.respond.io (operation getmessage). A message of another contact is a 404. Attachments we store are linked by their /api/v1 file URL, readable with the same token.',
        params: z.strictObject({ identifier: identifierParam, messageId: numericId('messageId') }),
        response: { 200: messageOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const m = await getMessage(ctx, p, request.params.messageId)
      if (m.contactId !== contact.id) throw new NotFoundError('Message')
      return presentMessage(ctx, m)
    },
  )
}
