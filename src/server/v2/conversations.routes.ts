import { z } from 'zod'
import type { App } from '../app'
import { listClosingCategories } from '../closing-notes/categories.service'
import { findContactByRef } from '../contacts/contacts.service'
import type { Ctx } from '../context'
import { assignContact, closeConversation, openConversation } from '../conversations/conversations.service'
import { ValidationError } from '../errors'
import { listWorkspaceMembers } from '../users/users.service'
import { apiPrincipal } from './auth'
import { identifierParam } from './identifier'
import { rateLimited } from './rate-limit'
import { contactActionOut, V2_TAG, v2Errors } from './schemas'

const STATUS = `https://developers.respond.io (operation updateconversationstatus).
open opens a conversation (source API); close closes the open one with an optional closing note: category is the name of a closing-note category (GET /v2/space/closing_notes, ignoring case), summary is kept only together with a category, as respond.io documents. closingNoteId (a category id) is accepted too, as a third-party description of this API names it. The workspace's closing-note mode applies (a required category or summary missing is a 400).
respond.io does not document opening an open conversation or closing a closed one: we answer 400 with a precise message and change nothing, as for every request respond.io cannot carry out. A blocked contact's conversation can be neither opened nor closed (rule 12).`

/** Conversations: open/close and assign (developers.respond.io updateconversationstatus, updateassignee). */
export function conversationRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)
  const params = z.strictObject({ identifier: identifierParam })

  app.post(
    '/contact/:identifier/conversation/status',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Open or close a conversation',
        description: STATUS,
        params,
        body: z
          .strictObject({
            status: z.enum(['open', 'close']),
            category: z.string().max(128).optional(),
            summary: z.string().max(512).optional(),
            closingNoteId: z.number().int().positive().optional(),
          })
          .meta({
            examples: [
              { status: 'open' },
              { status: 'close', category: 'Spam', summary: 'This contact is a bot' },
            ],
          }),
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const { status, category, summary, closingNoteId } = request.body
      if (status === 'open') {
        await openConversation(ctx, p, contact.id)
        return { contactId: contact.id }
      }
      let categoryId = closingNoteId ?? null
      if (category?.trim()) {
        const all = await listClosingCategories(ctx, p)
        const found = all.find((c) => c.name.toLowerCase() === category.trim().toLowerCase())
        if (!found) {
          throw new ValidationError(
            `Unknown closing note category "${category}"; the categories are: ${all.map((c) => c.name).join(', ') || 'none'}.`,
            [{ path: 'category', message: 'No such category in this workspace.' }],
          )
        }
        categoryId = found.id
      }
      await closeConversation(ctx, p, contact.id, { categoryId, summary: categoryId ? summary : undefined })
      return { contactId: contact.id }
    },
  )

  app.post(
    '/contact/:identifier/conversation/assignee',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Assign or unassign a conversation',
        description:
          'https://developers.respond.io (operation updateassignee): assignee is a user id (number or numeric string) or a user email; null, "" or "null" (as the respond.io MCP server sends it) unassigns. The assignee stays on the contact after the conversation closes (rule 32). A user who is not a member of the workspace is a 400. AI agents are not users on this server.',
        params,
        body: z
          .strictObject({ assignee: z.union([z.number().int().positive(), z.string().max(254), z.null()]) })
          .meta({ examples: [{ assignee: null }, { assignee: 1 }, { assignee: 'abc@gmail.com' }] }),
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const a = request.body.assignee
      // respond.io's own MCP server unassigns by sending the string "null".
      const text = typeof a === 'string' && a.trim() !== 'null' ? a.trim() : null
      let userId: number | null = null
      if (typeof a === 'number') userId = a
      else if (text && /^\d{1,15}$/.test(text)) userId = Number(text)
      else if (text) {
        const member = (await listWorkspaceMembers(ctx, p)).find(
          (m) => m.email.toLowerCase() === text.toLowerCase(),
        )
        if (!member) {
          throw new ValidationError(`No member of this workspace has the email ${text}.`, [
            { path: 'assignee', message: 'Not a member of this workspace.' },
          ])
        }
        userId = member.userId
      }
      await assignContact(ctx, p, contact.id, userId)
      return { contactId: contact.id }
    },
  )
}
