import { z } from 'zod'
import type { App } from '../app'
import {
  createContact,
  findContactByRef,
  getContactDetail,
  removeContact,
  updateContactFields,
} from '../contacts/contacts.service'
import { listContactFields } from '../contacts/fields.service'
import { listLifecycleStages, setContactLifecycle } from '../contacts/lifecycle.service'
import { mergeContacts } from '../contacts/merge.service'
import { listContactsByIdCursor } from '../contacts/search.service'
import { listWorkspaceTags } from '../contacts/tags.service'
import type { Ctx } from '../context'
import { AppError, NotFoundError, ValidationError } from '../errors'
import { apiPrincipal } from './auth'
import { listContactsBody, toFilters } from './contact-filters'
import { contactFields, contactFieldsBody, toContactInput, withIdentifier } from './contact-input'
import { contactOut, lookups, presentContact } from './contacts.presenter'
import { identifierParam } from './identifier'
import { links } from './pagination'
import { rateLimited } from './rate-limit'
import { contactActionOut, paginationOut, V2_TAG, v2Errors } from './schemas'

const REF = 'https://developers.respond.io (operations'
const params = z.strictObject({ identifier: identifierParam })

/** Contacts: get, create, update, delete, create_or_update, merge, list (developers.respond.io, Contact). */
export function contactRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)

  app.get(
    '/contact/:identifier',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Get a contact',
        description: `${REF} getcontact). Tags, assignee and lifecycle are names; custom_fields lists every field of the workspace.`,
        params,
        response: { 200: contactOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const [detail, l] = await Promise.all([getContactDetail(ctx, p, contact.id), lookups(ctx, p)])
      return presentContact(
        detail.contact,
        detail.tags.map((t) => t.name),
        l,
      )
    },
  )

  app.post(
    '/contact/:identifier',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Create a contact',
        description: `${REF} createcontact). The identifier is email:… or phone:… and becomes the contact's email or phone; firstName is required. respond.io does not document what happens when the identifier already belongs to a contact: we answer 400 and create nothing (use PUT or create_or_update).`,
        params,
        body: z.strictObject({ ...contactFields, firstName: z.string().min(1).max(100) }).meta({
          examples: [{ firstName: 'Layla', lastName: 'Hassan', language: 'ar', countryCode: 'SA' }],
        }),
        response: {
          200: z
            .object({ code: z.string(), message: z.string() })
            .meta({ examples: [{ code: '200', message: 'Contact added successfully!' }] }),
          ...v2Errors(400),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { identifier } = request.params
      if (identifier.kind === 'id') {
        throw new ValidationError('Create a contact with an email:… or phone:… identifier.', [
          { path: 'identifier', message: 'id: names an existing contact.' },
        ])
      }
      const existing = await findContactByRef(ctx, p, identifier.ref).catch(notFoundAsNull)
      if (existing) {
        throw new ValidationError(
          `A contact with this identifier already exists (id:${existing.id}); update it with PUT /v2/contact/{identifier}.`,
          [{ path: 'identifier', message: 'Already in use.' }],
        )
      }
      const input = withIdentifier(toContactInput(request.body, await listContactFields(ctx, p)), identifier)
      await createContact(ctx, p, input)
      return { code: '200', message: 'Contact added successfully!' }
    },
  )

  app.put(
    '/contact/:identifier',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Update a contact',
        description: `${REF} updatecontact). Only the fields in the body change; null or "" clears a field. With duplicates, the oldest matching contact is updated.`,
        params,
        body: contactFieldsBody.meta({
          examples: [{ lastName: 'Al-Hassan', custom_fields: [{ name: 'city', value: 'Riyadh' }] }],
        }),
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const input = toContactInput(request.body, await listContactFields(ctx, p))
      await updateContactFields(ctx, p, contact.id, input)
      return { contactId: contact.id }
    },
  )

  app.delete(
    '/contact/:identifier',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Delete a contact',
        description: `${REF} deletecontact). Cannot be undone (rule 56); messages, conversations and comments go with it.`,
        params,
        response: { 200: contactActionOut, ...v2Errors(400, 403, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      await removeContact(ctx, p, contact.id)
      return { contactId: contact.id }
    },
  )

  app.post(
    '/contact/create_or_update/:identifier',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Create or update a contact',
        description: `${REF} createorupdatecontact). Updates the first contact that matches the identifier, otherwise creates one (an id: identifier that matches nothing is a 404). respond.io marks firstName required; we require it only when a contact is created without an email or phone.`,
        params,
        body: contactFieldsBody,
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { identifier } = request.params
      const fields = await listContactFields(ctx, p)
      const input = toContactInput(request.body, fields)
      const existing =
        identifier.kind === 'id'
          ? await findContactByRef(ctx, p, identifier.ref)
          : await findContactByRef(ctx, p, identifier.ref).catch(notFoundAsNull)
      if (existing) {
        await updateContactFields(ctx, p, existing.id, input)
        return { contactId: existing.id }
      }
      const created = await createContact(ctx, p, withIdentifier(input, identifier))
      return { contactId: created.id }
    },
  )

  app.post(
    '/contact/merge',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Merge two contacts',
        description: `${REF} mergecontacts). The older contact becomes the primary; the other's conversations, messages, channels, comments and tags move to it and it is deleted (rule 53). Contact fields in the body are then set on the primary.`,
        body: z
          .strictObject({
            contactIds: z
              .array(z.number().int().positive())
              .length(2, 'Give the ids of exactly two contacts.')
              .refine((ids) => ids[0] !== ids[1], 'The two ids must differ.'),
            ...contactFields,
          })
          .meta({ examples: [{ contactIds: [101, 205], firstName: 'Layla' }] }),
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { contactIds, ...fieldsIn } = request.body
      const [a, b] = await Promise.all(
        contactIds.map((id) =>
          findContactByRef(ctx, p, { id }).catch((err) => {
            throw err instanceof NotFoundError ? new NotFoundError(`Contact ${id}`) : err
          }),
        ),
      )
      const [primary, secondary] =
        a!.createdAt.getTime() < b!.createdAt.getTime() ||
        (a!.createdAt.getTime() === b!.createdAt.getTime() && a!.id < b!.id)
          ? [a!, b!]
          : [b!, a!]
      // Checked before the merge, so a bad field changes nothing.
      const input = toContactInput(fieldsIn, await listContactFields(ctx, p))
      await mergeContacts(ctx, p, { primaryContactId: primary.id, secondaryContactId: secondary.id })
      if (Object.keys(input).length) await updateContactFields(ctx, p, primary.id, input)
      return { contactId: primary.id }
    },
  )

  app.post(
    '/contact/list',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List the contacts',
        description: `${REF} listcontacts). Newest first; cursorId is a contact id (pagination.next continues after it, a negative cursorId from pagination.previous returns the page before it). POST the same body to the next URL.`,
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(100).default(10),
          cursorId: z.coerce
            .number()
            .int()
            .refine((n) => n !== 0 && Math.abs(n) <= Number.MAX_SAFE_INTEGER, 'cursorId is a contact id.')
            .optional(),
        }),
        body: listContactsBody.nullish().meta({
          examples: [
            {
              search: '',
              timezone: 'Asia/Riyadh',
              filter: {
                $and: [{ category: 'contactTag', field: null, operator: 'hasAllOf', value: ['vip'] }],
              },
            },
          ],
        }),
        response: {
          200: z.object({ items: z.array(contactOut), pagination: paginationOut }),
          ...v2Errors(400, 403),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const [tags, l] = await Promise.all([listWorkspaceTags(ctx, p), lookups(ctx, p)])
      const stages = await listLifecycleStages(ctx, p)
      const filters = toFilters(request.body ?? {}, {
        tags: new Map(tags.map((t) => [t.name.toLowerCase(), t.id])),
        stages: new Map(stages.map((s) => [s.name.toLowerCase(), s.id])),
        fields: l.fields,
      })
      const cursor =
        cursorId === undefined ? null : cursorId > 0 ? { after: cursorId } : { before: -cursorId }
      const page = filters
        ? await listContactsByIdCursor(ctx, p, { ...filters, cursor, limit })
        : { rows: [], more: false }
      const first = page.rows[0]?.contact.id
      const last = page.rows.at(-1)?.contact.id
      const backwards = cursor !== null && 'before' in cursor
      return {
        items: page.rows.map((r) =>
          presentContact(
            r.contact,
            r.tags.map((t) => t.name),
            l,
          ),
        ),
        pagination: links(ctx, '/contact/list', limit, {
          next: last !== undefined && (backwards || page.more) ? last : null,
          previous: first !== undefined && (backwards ? page.more : cursor !== null) ? -first : null,
        }),
      }
    },
  )

  app.post(
    '/contact/:identifier/lifecycle/update',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Update contact lifecycle',
        description: `${REF} post-contact-identifier-lifecycle-update). name is a stage of the workspace (case-insensitive); null or "" removes the stage. An unknown name is a 400.`,
        params,
        body: z
          .strictObject({ name: z.string().max(100).nullable() })
          .meta({ examples: [{ name: 'Hot Lead' }, { name: null }] }),
        response: {
          200: z
            .object({ code: z.number(), message: z.string() })
            .meta({ examples: [{ code: 200, message: 'Contact lifecycle stage updated successfully!' }] }),
          ...v2Errors(400, 404),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const name = request.body.name?.trim() ?? ''
      let stageId: number | null = null
      if (name) {
        const stages = await listLifecycleStages(ctx, p)
        const stage = stages.find((s) => s.name.toLowerCase() === name.toLowerCase())
        if (!stage) {
          throw new ValidationError(
            `Unknown lifecycle stage "${name}"; the stages are: ${stages.map((s) => s.name).join(', ')}.`,
            [{ path: 'name', message: 'No such stage in this workspace.' }],
          )
        }
        stageId = stage.id
      }
      await setContactLifecycle(ctx, p, contact.id, stageId)
      return { code: 200, message: 'Contact lifecycle stage updated successfully!' }
    },
  )
}

function notFoundAsNull(err: unknown): null {
  if (err instanceof AppError && err.status === 404) return null
  throw err
}
