import { z } from 'zod'
import type { App } from '../app'
import type { CustomFieldRow } from '../contacts/fields.repo'
import { createContactField, listContactFields } from '../contacts/fields.service'
import { FIELD_TYPES } from '../contacts/fields.values'
import type { Ctx } from '../context'
import { NotFoundError, ValidationError } from '../errors'
import { apiPrincipal } from './auth'
import { links, pageOf } from './pagination'
import { rateLimited } from './rate-limit'
import { numericId, pageQuery, paginationOut, V2_TAG, v2Errors } from './schemas'

const customFieldOut = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    dataType: z.enum(FIELD_TYPES),
    allowedValues: z.array(z.string()).optional(),
  })
  .meta({ examples: [{ id: 123, name: 'Order number', description: 'The last order', dataType: 'number' }] })

const present = (f: CustomFieldRow): z.infer<typeof customFieldOut> => ({
  id: f.id,
  name: f.name,
  description: f.description,
  dataType: f.type,
  ...(f.type === 'list' ? { allowedValues: f.options } : {}),
})

/** "Order number" → "order_number": our keys are lower-case letters, digits and underscores, starting with a letter. */
function keyFrom(slug: string | null | undefined, name: string): string {
  const base = (slug ?? name)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 50)
  if (!base) {
    throw new ValidationError(
      'Give a slug of letters, digits and underscores: the name has no usable letters.',
      [{ path: 'slug', message: 'Required for this name.' }],
    )
  }
  return base
}

/** Custom fields (developers.respond.io listcontactfields, getcontactfield, createcustomfield). */
export function customFieldRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)

  app.get(
    '/space/custom_field',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List custom fields',
        description:
          'https://developers.respond.io (operation listcontactfields), in the order of the Contact Fields settings.',
        querystring: pageQuery,
        response: {
          200: z.object({ items: z.array(customFieldOut), pagination: paginationOut }),
          ...v2Errors(400),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const page = pageOf(await listContactFields(ctx, p), (f) => f.id, limit, cursorId)
      return { items: page.items.map(present), pagination: links(ctx, '/space/custom_field', limit, page) }
    },
  )

  app.get(
    '/space/custom_field/:id',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Get a custom field',
        description:
          'https://developers.respond.io (operation getcontactfield). An unknown id is a 404 (respond.io lists no 404 here; we follow its convention for unknown identifiers).',
        params: z.strictObject({ id: numericId('id') }),
        response: { 200: customFieldOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const field = (await listContactFields(ctx, p)).find((f) => f.id === request.params.id)
      if (!field) throw new NotFoundError('Custom field')
      return present(field)
    },
  )

  app.post(
    '/space/custom_field',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Create custom field',
        description:
          'https://developers.respond.io (operation createcustomfield). The slug becomes the field key, in lower case (our keys are lower-case letters, digits and underscores; the key is also the workflow variable $contact.<key>); without a slug it is derived from the name. allowedValues only for dataType list. A key in use is a 400.',
        body: z
          .strictObject({
            name: z.string().trim().min(1).max(50),
            slug: z
              .string()
              .max(50)
              .regex(/^[A-Za-z0-9_]+$/, 'Only letters, numbers and underscores.')
              .nullable()
              .optional(),
            description: z.string().max(255).optional(),
            dataType: z.enum(FIELD_TYPES),
            allowedValues: z.array(z.string().trim().min(1).max(100)).max(100).nullable().optional(),
          })
          .meta({
            examples: [
              {
                name: 'Fruits',
                description: 'The type of fruits we have',
                dataType: 'list',
                allowedValues: ['Apple', 'Banana'],
              },
            ],
          }),
        response: { 200: customFieldOut, ...v2Errors(400, 403) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { name, slug, description, dataType, allowedValues } = request.body
      const field = await createContactField(ctx, p, {
        key: keyFrom(slug, name),
        name,
        description,
        type: dataType,
        options: allowedValues ?? undefined,
      })
      return present(field)
    },
  )
}
