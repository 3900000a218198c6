import { z } from 'zod'
import type { Restrictions } from '../../shared/permissions'
import type { App } from '../app'
import { listClosingCategories } from '../closing-notes/categories.service'
import type { Ctx } from '../context'
import type { MemberRow } from '../users/users.repo'
import { getWorkspaceMember, listWorkspaceMembers } from '../users/users.service'
import { apiPrincipal } from './auth'
import { splitName } from './contacts.presenter'
import { links, pageOf } from './pagination'
import { rateLimited } from './rate-limit'
import { numericId, pageQuery, paginationOut, V2_TAG, v2Errors } from './schemas'

const RESTRICTIONS = [
  'restrict_data_export',
  'restrict_contact_deletion',
  'restrict_space_setting',
  'show_team_contacts',
  'show_only_mine',
  'restrict_space_integration',
  'restrict_shortcuts',
] as const

/** Our restriction flags (rule 106) under respond.io's constant names. */
function restrictionsOf(r: Restrictions): (typeof RESTRICTIONS)[number][] {
  return [
    ...(r.restrictExport ? (['restrict_data_export'] as const) : []),
    ...(r.restrictContactDelete ? (['restrict_contact_deletion'] as const) : []),
    ...(r.restrictSettings ? (['restrict_space_setting'] as const) : []),
    ...(r.contactVisibility === 'team' ? (['show_team_contacts'] as const) : []),
    ...(r.contactVisibility === 'own' ? (['show_only_mine'] as const) : []),
    ...(r.restrictIntegrations ? (['restrict_space_integration'] as const) : []),
    ...(r.hideShortcuts ? (['restrict_shortcuts'] as const) : []),
  ]
}

const userOut = z
  .object({
    id: z.number().int(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string(),
    role: z.enum(['agent', 'manager', 'owner']),
    team: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    restrictions: z.array(z.enum(RESTRICTIONS)),
  })
  .meta({
    examples: [
      {
        id: 123,
        firstName: 'Omar',
        lastName: 'Saleh',
        email: 'omar@acme.example',
        role: 'agent',
        team: { id: 4, name: 'Customer Support' },
        restrictions: ['show_only_mine'],
      },
    ],
  })

const presentUser = (m: MemberRow): z.infer<typeof userOut> => ({
  id: m.userId,
  ...splitName(m.name),
  email: m.email,
  role: m.role,
  team: m.teamId !== null ? { id: m.teamId, name: m.teamName ?? '' } : null,
  restrictions: restrictionsOf(m.restrictions),
})

const USERS = `Our users have one name: firstName is its first word, lastName the rest. team is null for a user in no team (respond.io's SDK allows null). Pending invitations are not listed, as respond.io documents.`

/** Users and closing notes of the workspace (developers.respond.io listspaces, getuser, listclosingnotes). */
export function spaceRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)

  app.get(
    '/space/user',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List users',
        description: `https://developers.respond.io (operation listspaces), by name. ${USERS}`,
        querystring: pageQuery,
        response: { 200: z.object({ items: z.array(userOut), pagination: paginationOut }), ...v2Errors(400) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const page = pageOf(await listWorkspaceMembers(ctx, p), (m) => m.userId, limit, cursorId)
      return { items: page.items.map(presentUser), pagination: links(ctx, '/space/user', limit, page) }
    },
  )

  app.get(
    '/space/user/:id',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Get a user',
        description: `https://developers.respond.io (operation getuser). ${USERS} A user who is not a member of the workspace is a 404 (respond.io lists no 404 here; we follow its convention for unknown identifiers).`,
        params: z.strictObject({ id: numericId('id') }),
        response: { 200: userOut, ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      return presentUser(await getWorkspaceMember(ctx, p, request.params.id))
    },
  )

  app.get(
    '/space/closing_notes',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List closing notes',
        description:
          'https://developers.respond.io (operation listclosingnotes): the closing-note categories, sorted by category (name). Use a category name when closing a conversation.',
        querystring: pageQuery,
        response: {
          200: z.object({
            items: z.array(z.object({ category: z.string(), description: z.string() })),
            pagination: paginationOut,
          }),
          ...v2Errors(400),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const sorted = [...(await listClosingCategories(ctx, p))].sort((a, b) => a.name.localeCompare(b.name))
      const page = pageOf(sorted, (c) => c.id, limit, cursorId)
      return {
        items: page.items.map((c) => ({ category: c.name, description: c.description })),
        pagination: links(ctx, '/space/closing_notes', limit, page),
      }
    },
  )
}
