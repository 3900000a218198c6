import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, restrictionsSchema, roleSchema } from '../http/schemas'
import { invitationOut, memberOut, presentInvitation, presentMember } from './users.presenter'
import { exportUsersCsv, listWorkspaceUsers, revokeAccess, updateAccess } from './users.service'

const memberParams = z.strictObject({ workspaceId: idSchema, userId: idSchema })

export function userRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/users',
    {
      schema: {
        tags: ['Users'],
        summary: 'Users of the workspace and pending invitations',
        params: z.strictObject({ workspaceId: idSchema }),
        response: {
          200: z.object({ members: z.array(memberOut), invitations: z.array(invitationOut) }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { members, invitations } = await listWorkspaceUsers(ctx, p)
      const now = ctx.clock.now()
      return {
        members: members.map(presentMember),
        invitations: invitations.map((r) => presentInvitation(r.invitation, r.invitedByName, now)),
      }
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/users/export',
    {
      schema: {
        tags: ['Users'],
        summary: 'Export users and pending invitations as CSV',
        params: z.strictObject({ workspaceId: idSchema }),
        produces: ['text/csv'],
        response: { 200: z.string(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const csv = await exportUsersCsv(ctx, p)
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="users-${p.workspaceId}.csv"`)
        .send(csv)
    },
  )

  app.patch(
    '/api/v1/workspaces/:workspaceId/users/:userId',
    {
      schema: {
        tags: ['Users'],
        summary: "Edit a user's access level (role and restrictions)",
        description: 'Rule 103: only the access level can be edited, and never your own.',
        params: memberParams,
        body: z.strictObject({ role: roleSchema.optional(), restrictions: restrictionsSchema.optional() }),
        response: { 200: memberOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentMember(await updateAccess(ctx, p, request.params.userId, request.body))
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/users/:userId',
    {
      schema: {
        tags: ['Users'],
        summary: "Revoke a user's access",
        description:
          'Rule 34: their contacts become unassigned, or all move to `reassignContactsTo`. You cannot revoke yourself.',
        params: memberParams,
        body: z.strictObject({ reassignContactsTo: idSchema.nullable().optional() }).nullish(),
        response: { 200: z.object({ contactsMoved: z.number() }), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return revokeAccess(ctx, p, request.params.userId, request.body ?? {})
    },
  )
}
