import { z } from 'zod'
import type { App } from '../app'
import type { Principal } from '../auth/principal'
import { findContactByRef } from '../contacts/contacts.service'
import { createTag, editTag, listWorkspaceTags, removeTag, tagContact } from '../contacts/tags.service'
import type { Ctx } from '../context'
import { ConflictError, NotFoundError } from '../errors'
import { apiPrincipal } from './auth'
import { identifierParam } from './identifier'
import { rateLimited } from './rate-limit'
import { contactActionOut, V2_TAG, v2Errors } from './schemas'

const tagName = z
  .string()
  .trim()
  .min(1, 'A tag name is required.')
  .max(50, 'Tag names have at most 50 characters here.')
const names = z
  .array(tagName)
  .min(1, 'Give 1 to 10 tags.')
  .max(10, 'Give 1 to 10 tags.')
  .refine((a) => new Set(a.map((n) => n.toLowerCase())).size === a.length, 'Tag names must be unique.')
/** respond.io documents a bare array; its MCP server sends `{ "tags": [...] }`. Both are accepted. */
const tagsBody = z
  .union([names, z.strictObject({ tags: names })], {
    // Report the branch the caller meant instead of zod's generic "Invalid input".
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined
      const input = iss.input
      if (!input || typeof input !== 'object') return 'Give an array of 1 to 10 tag names.'
      const first = iss.errors[Array.isArray(input) ? 0 : 1]?.[0]
      return first ? `${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` : undefined
    },
  })
  .transform((b) => (Array.isArray(b) ? b : b.tags))
  .meta({ examples: [['vip', 'newsletter']] })

const spaceTagOut = z
  .object({ id: z.number().int(), name: z.string(), colorCode: z.string().optional() })
  .meta({ examples: [{ id: 3, name: 'VIP Customer', colorCode: '#ff5733' }] })
const present = (t: { id: number; name: string; color: string | null }) => ({
  id: t.id,
  name: t.name,
  ...(t.color ? { colorCode: t.color } : {}),
})
const colorCode = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour such as #1a73e8.')
  .optional()
/** Our tags have a name and a colour only; an empty description or emoji (as n8n sends) is accepted. */
const unsupportedText = (what: string) =>
  z
    .string()
    .max(255)
    .refine((s) => s === '', `Tags on this server have no ${what}; leave it out or empty.`)
    .optional()

async function tagByName(ctx: Ctx, p: Principal, name: string) {
  const tag = (await listWorkspaceTags(ctx, p)).find(
    (t) => t.name.toLowerCase() === name.trim().toLowerCase(),
  )
  if (!tag) throw new NotFoundError(`Tag "${name}"`)
  return tag
}

/** Tags on a contact (developers.respond.io addtags) and workspace tags (respond.io SDK SpaceClient). */
export function tagRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)
  const params = z.strictObject({ identifier: identifierParam })

  app.post(
    '/contact/:identifier/tag',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Add tags',
        description:
          'https://developers.respond.io (operation addtags): 1–10 tag names. Names match workspace tags ignoring case; a name the workspace does not have yet is created first (respond.io does not say; tags are created on the fly in its inbox, which we follow).',
        params,
        body: tagsBody,
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const existing = new Map((await listWorkspaceTags(ctx, p)).map((t) => [t.name.toLowerCase(), t.id]))
      const ids: number[] = []
      for (const name of request.body) {
        let id = existing.get(name.toLowerCase())
        if (id === undefined) {
          id = await createTag(ctx, p, { name })
            .then((t) => t.id)
            .catch(async (err) => {
              // Created meanwhile by another request: use it.
              if (err instanceof ConflictError) return (await tagByName(ctx, p, name)).id
              throw err
            })
        }
        ids.push(id)
      }
      await tagContact(ctx, p, contact.id, { add: ids, remove: [] })
      return { contactId: contact.id }
    },
  )

  app.delete(
    '/contact/:identifier/tag',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Delete tags',
        description:
          'respond.io SDK ContactClient.deleteTags: DELETE with the array of tag names as the body. Names the contact does not have (or the workspace does not know) are skipped: respond.io does not say, and the result the caller wants holds.',
        params,
        body: tagsBody,
        response: { 200: contactActionOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const contact = await findContactByRef(ctx, p, request.params.identifier.ref)
      const wanted = new Set(request.body.map((n) => n.toLowerCase()))
      const ids = (await listWorkspaceTags(ctx, p))
        .filter((t) => wanted.has(t.name.toLowerCase()))
        .map((t) => t.id)
      if (ids.length) await tagContact(ctx, p, contact.id, { add: [], remove: ids })
      return { contactId: contact.id }
    },
  )

  app.post(
    '/space/tag',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Create a workspace tag',
        description:
          'respond.io SDK SpaceClient.createTag. colorCode is a hex colour; our tags have no description or emoji (non-empty values are a 400). A name in use (ignoring case) is a 400.',
        body: z
          .strictObject({
            name: tagName,
            description: unsupportedText('description'),
            colorCode,
            emoji: unsupportedText('emoji'),
          })
          .meta({ examples: [{ name: 'VIP Customer', colorCode: '#ff5733' }] }),
        response: { 200: spaceTagOut, ...v2Errors(400, 403) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { name, colorCode: color } = request.body
      return present(await createTag(ctx, p, { name, color: color ?? null }))
    },
  )

  app.put(
    '/space/tag',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Update a workspace tag',
        description:
          'respond.io SDK SpaceClient.updateTag: the tag is named by currentName (ignoring case); name and colorCode change it. An unknown currentName is a 404.',
        body: z
          .strictObject({
            currentName: z.string().trim().min(1).max(255),
            name: tagName.optional(),
            description: unsupportedText('description'),
            colorCode,
            emoji: unsupportedText('emoji'),
          })
          .meta({
            examples: [{ currentName: 'VIP Customer', name: 'Premium Customer', colorCode: '#ffd700' }],
          }),
        response: { 200: spaceTagOut, ...v2Errors(400, 403, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { currentName, name, colorCode: color } = request.body
      const tag = await tagByName(ctx, p, currentName)
      return present(
        await editTag(ctx, p, tag.id, {
          ...(name !== undefined ? { name } : {}),
          ...(color !== undefined ? { color } : {}),
        }),
      )
    },
  )

  app.delete(
    '/space/tag',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Delete a workspace tag',
        description:
          'respond.io SDK SpaceClient.deleteTag (answer `{ code, message }`): the tag is removed from every contact. An unknown name is a 404.',
        body: z
          .strictObject({ name: z.string().trim().min(1).max(255) })
          .meta({ examples: [{ name: 'Old Tag' }] }),
        response: {
          200: z
            .object({ code: z.number(), message: z.string() })
            .meta({ examples: [{ code: 200, message: 'Tag deleted successfully!' }] }),
          ...v2Errors(400, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const tag = await tagByName(ctx, p, request.body.name)
      await removeTag(ctx, p, tag.id)
      return { code: 200, message: 'Tag deleted successfully!' }
    },
  )
}
