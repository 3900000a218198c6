import { Readable } from 'node:stream'
import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, okBody, workspaceParams } from '../http/schemas'
import {
  contactDetailOut,
  contactListOut,
  presentContactDetail,
  presentContactListItem,
} from './contacts.presenter'
import { contactParams, createContactBody, tagChangeBody, updateContactBody } from './contacts.schema'
import {
  createContact,
  detailOf,
  getContactDetail,
  removeContact,
  updateContactFields,
} from './contacts.service'
import { exportContacts } from './export.service'
import { setContactLifecycle } from './lifecycle.service'
import { contactExportQuery, contactListQuery } from './search.schema'
import { listContacts } from './search.service'
import { bulkTagContacts, MAX_BULK_CONTACTS, tagContact } from './tags.service'

export function contactRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/contacts'
  const one = `${base}/:contactId`
  const detail = async (contact: Parameters<typeof detailOf>[1]) =>
    presentContactDetail(await detailOf(ctx.db, contact))

  app.get(
    base,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'List and search contacts, newest first (rules 49, 56)',
        description:
          '`q` is partial on first name, last name and phone (Arabic letter variants folded) and exact on email and on text, list, email, number and url custom fields. Everything else is a filter. `cf=<key>:<value>` filters a custom field exactly, `cf=<key>:<from>..<to>` by range (date, time, number; either bound may be empty), `cf=<key>:` has no value; a checkbox `false` also matches contacts where it was never set. Pass `nextCursor` back as `cursor` for the next page.',
        params: workspaceParams,
        querystring: contactListQuery,
        response: {
          200: contactListOut,
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const page = await listContacts(ctx, p, request.query)
      return {
        contacts: page.rows.map((r) => presentContactListItem(r.contact, r.tags)),
        nextCursor: page.nextCursor,
      }
    },
  )

  app.get(
    `${base}/export`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Export the contacts matching the list filters as CSV (streamed)',
        description: 'Needs the Contacts module and data export (rule 101: managers can be restricted).',
        params: workspaceParams,
        querystring: contactExportQuery,
        produces: ['text/csv'],
        response: { 200: z.any(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const rows = await exportContacts(ctx, p, request.query)
      const day = ctx.clock.now().toISOString().slice(0, 10)
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="contacts-${p.workspaceId}-${day}.csv"`)
        .send(Readable.from(rows))
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Create a contact',
        description:
          'At least a first name, phone or email. Phones need their country code and are stored in E.164; the country comes from the phone unless given (rule 54). New contacts get the default lifecycle stage unless `lifecycleStageId` is given (rule 58).',
        params: workspaceParams,
        body: createContactBody,
        response: { 201: contactDetailOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(await detail(await createContact(ctx, p, request.body)))
    },
  )

  app.get(
    one,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'A contact with its channels, tags and lifecycle stage',
        params: contactParams,
        response: { 200: contactDetailOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentContactDetail(await getContactDetail(ctx, p, request.params.contactId))
    },
  )

  app.patch(
    one,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Edit standard fields and custom values',
        description:
          '`custom` sets values by field key; `null` removes one. Values are checked against the field type (date YYYY-MM-DD, time HH:mm, url, email, number, list option, checkbox boolean).',
        params: contactParams,
        body: updateContactBody,
        response: { 200: contactDetailOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return detail(await updateContactFields(ctx, p, request.params.contactId, request.body))
    },
  )

  app.delete(
    one,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Delete a contact with its conversations and messages; cannot be undone (rule 56)',
        params: contactParams,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeContact(ctx, p, request.params.contactId)
      return { ok: true as const }
    },
  )

  app.post(
    `${one}/tags`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Add and remove tags on a contact',
        params: contactParams,
        body: tagChangeBody,
        response: { 200: contactDetailOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return detail(await tagContact(ctx, p, request.params.contactId, request.body))
    },
  )

  app.delete(
    `${one}/tags/:tagId`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Remove one tag from a contact',
        params: z.strictObject({ workspaceId: idSchema, contactId: idSchema, tagId: idSchema }),
        response: { 200: contactDetailOut, ...errors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { contactId, tagId } = request.params
      return detail(await tagContact(ctx, p, contactId, { add: [], remove: [tagId] }))
    },
  )

  app.post(
    `${base}/tags`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Add and remove tags on many contacts at once (all or nothing)',
        params: workspaceParams,
        body: z
          .strictObject({
            contactIds: z.array(idSchema).min(1).max(MAX_BULK_CONTACTS),
            add: z.array(idSchema).max(100).default([]),
            remove: z.array(idSchema).max(100).default([]),
          })
          .refine((b) => b.add.length + b.remove.length > 0, {
            message: 'Nothing to add or remove.',
            path: ['add'],
          })
          .refine((b) => !b.add.some((id) => b.remove.includes(id)), {
            message: 'A tag cannot be added and removed at once.',
            path: ['remove'],
          }),
        response: {
          200: z.object({ added: z.number(), removed: z.number() }),
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return bulkTagContacts(ctx, p, request.body)
    },
  )

  app.put(
    `${one}/lifecycle`,
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Move a contact to a lifecycle stage (or none); emits contact.lifecycle_updated',
        params: contactParams,
        body: z.strictObject({ stageId: idSchema.nullable() }),
        response: { 200: contactDetailOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return detail(await setContactLifecycle(ctx, p, request.params.contactId, request.body.stageId))
    },
  )
}
