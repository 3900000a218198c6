import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, workspaceParams } from '../http/schemas'
import { contactDetailOut, contactOut, presentContact, presentContactDetail } from './contacts.presenter'
import { contactParams } from './contacts.schema'
import { detailOf } from './contacts.service'
import {
  listMergeSuggestions,
  MERGE_STANDARD_FIELDS,
  mergeContacts,
  mergeSuggestionsFor,
} from './merge.service'

export function mergeRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/contacts'

  app.get(
    `${base}/merge-suggestions`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Phones and emails shared by several contacts (rule 53), with those contacts',
        params: workspaceParams,
        querystring: z.strictObject({
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(25),
        }),
        response: {
          200: z.object({
            groups: z.array(
              z.object({
                kind: z.enum(['phone', 'email']),
                value: z.string(),
                contacts: z.array(contactOut),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const page = await listMergeSuggestions(ctx, p, request.query)
      return {
        groups: page.groups.map((g) => ({
          kind: g.kind,
          value: g.value,
          contacts: g.contacts.map(presentContact),
        })),
        nextCursor: page.nextCursor,
      }
    },
  )

  app.get(
    `${base}/:contactId/merge-suggestions`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Other contacts with the same phone or email as this one (rule 53)',
        params: contactParams,
        response: {
          200: z.array(z.object({ contact: contactOut, matchedOn: z.array(z.enum(['phone', 'email'])) })),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const list = await mergeSuggestionsFor(ctx, p, request.params.contactId)
      return list.map((s) => ({ contact: presentContact(s.contact), matchedOn: s.matchedOn }))
    },
  )

  app.post(
    `${base}/merge`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Merge the secondary contact into the primary (rule 53); the secondary is deleted',
        description:
          "One transaction. Channels, conversations, messages, comments, notifications and history move to the primary; tags are united; the primary's fields win (except those listed in `keepFromSecondary`) and its blanks are filled from the secondary; the assignee is the primary's, else the secondary's. When both have an identity on the same channel the primary's is kept and the secondary's is recorded in the merge record; when both have an open conversation the secondary's is closed first.",
        params: workspaceParams,
        body: z.strictObject({
          primaryContactId: idSchema,
          secondaryContactId: idSchema,
          /** The review's picks: fields whose value comes from the secondary when it has one. */
          keepFromSecondary: z
            .array(
              z.union([
                z.enum(MERGE_STANDARD_FIELDS),
                z
                  .string()
                  .regex(/^custom\.[a-z][a-z0-9_]{0,49}$/, 'Use a standard field name or custom.<key>.'),
              ]),
            )
            .max(200)
            .optional(),
        }),
        response: { 200: contactDetailOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentContactDetail(await detailOf(ctx.db, await mergeContacts(ctx, p, request.body)))
    },
  )
}
