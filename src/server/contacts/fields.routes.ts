import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, workspaceParams } from '../http/schemas'
import { fieldOut, presentField } from './fields.presenter'
import {
  createContactField,
  deleteContactField,
  listContactFields,
  reorderContactFields,
  updateContactField,
} from './fields.service'
import { FIELD_TYPES } from './fields.values'

const fieldParams = z.strictObject({ workspaceId: idSchema, fieldId: idSchema })
const description = z.string().trim().max(500, 'Description must be at most 500 characters.')
const options = z
  .array(z.string().trim().min(1, 'An option cannot be empty.').max(100, 'At most 100 characters.'))
  .max(100, 'At most 100 options.')

const FIELD_EXAMPLE = {
  id: 21,
  key: 'city',
  name: 'المدينة',
  description: 'City for delivery',
  type: 'list',
  options: ['الرياض', 'جدة', 'Dubai'],
  position: 0,
  createdAt: '2026-09-01T07:30:00.000Z',
} as const
const fieldCreatedOut = fieldOut.meta({ examples: [FIELD_EXAMPLE] })
const fieldListOut = z.array(fieldOut).meta({
  examples: [
    [
      FIELD_EXAMPLE,
      {
        id: 22,
        key: 'order_number',
        name: 'Order number',
        description: '',
        type: 'number',
        options: [],
        position: 1,
        createdAt: '2026-09-01T07:31:12.000Z',
      },
    ],
  ],
})

export function contactFieldRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/contact-fields'

  app.get(
    base,
    {
      schema: {
        tags: ['Contact fields'],
        summary: 'Custom contact fields, in display order',
        params: workspaceParams,
        response: { 200: fieldListOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listContactFields(ctx, p)).map(presentField)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Contact fields'],
        summary: 'Create a custom contact field (rule 55)',
        description:
          'The key is the variable name `$contact.<key>`: lower-case letters, digits and underscores, unique in the workspace, never a standard field name. Key and type cannot change later.',
        params: workspaceParams,
        body: z
          .strictObject({
            key: z
              .string()
              .regex(
                /^[a-z][a-z0-9_]{0,49}$/,
                'Use 1–50 lower-case letters, digits or underscores, starting with a letter.',
              ),
            name: labelSchema('Name'),
            description: description.optional(),
            type: z.enum(FIELD_TYPES, { error: `Type must be one of: ${FIELD_TYPES.join(', ')}.` }),
            options: options.optional(),
          })
          .meta({
            examples: [
              {
                key: 'city',
                name: 'المدينة',
                description: 'City for delivery',
                type: 'list',
                options: ['الرياض', 'جدة', 'Dubai'],
              },
              { key: 'order_number', name: 'Order number', type: 'number' },
            ],
          }),
        response: { 201: fieldCreatedOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(presentField(await createContactField(ctx, p, request.body)))
    },
  )

  app.put(
    `${base}/order`,
    {
      schema: {
        tags: ['Contact fields'],
        summary: 'Reorder the custom fields (every field id, in the new order)',
        params: workspaceParams,
        body: z.strictObject({ fieldIds: z.array(idSchema).max(1000) }),
        response: { 200: z.array(fieldOut), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await reorderContactFields(ctx, p, request.body.fieldIds)).map(presentField)
    },
  )

  app.patch(
    `${base}/:fieldId`,
    {
      schema: {
        tags: ['Contact fields'],
        summary: "Rename a field, edit its description or a list field's options",
        description: 'Removing a list option clears that value from the contacts that had it.',
        params: fieldParams,
        body: z.strictObject({
          name: labelSchema('Name').optional(),
          description: description.optional(),
          options: options.optional(),
        }),
        response: { 200: fieldOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentField(await updateContactField(ctx, p, request.params.fieldId, request.body))
    },
  )

  app.delete(
    `${base}/:fieldId`,
    {
      schema: {
        tags: ['Contact fields'],
        summary: 'Delete a field and its values on every contact',
        params: fieldParams,
        response: { 200: z.object({ contactsCleared: z.number() }), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return { contactsCleared: await deleteContactField(ctx, p, request.params.fieldId) }
    },
  )
}
