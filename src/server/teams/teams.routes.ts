import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, okBody } from '../http/schemas'
import {
  addMemberToTeam,
  createTeam,
  editTeam,
  listTeamsWithMembers,
  removeMemberFromTeam,
  removeTeam,
} from './teams.service'

const teamOut = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  createdAt: z.string(),
  members: z.array(z.object({ userId: z.number(), name: z.string(), email: z.string() })),
})
type TeamLike = {
  id: number
  name: string
  description: string
  createdAt: Date
  members?: { userId: number; name: string; email: string }[]
}
const present = (t: TeamLike): z.infer<typeof teamOut> => ({
  id: t.id,
  name: t.name,
  description: t.description,
  createdAt: t.createdAt.toISOString(),
  members: (t.members ?? []).map(({ userId, name, email }) => ({ userId, name, email })),
})

const wsParams = z.strictObject({ workspaceId: idSchema })
const teamParams = z.strictObject({ workspaceId: idSchema, teamId: idSchema })
const memberParams = z.strictObject({ workspaceId: idSchema, teamId: idSchema, userId: idSchema })
const description = z.string().trim().max(500, 'Description must be at most 500 characters.')

export function teamRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/teams',
    {
      schema: {
        tags: ['Teams'],
        summary: 'Teams with their members',
        params: wsParams,
        response: { 200: z.array(teamOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listTeamsWithMembers(ctx, p)).map(present)
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/teams',
    {
      schema: {
        tags: ['Teams'],
        summary: 'Create a team',
        params: wsParams,
        body: z.strictObject({ name: labelSchema('Team name', 80), description: description.optional() }),
        response: { 201: teamOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await createTeam(ctx, p, request.body)))
    },
  )

  app.patch(
    '/api/v1/workspaces/:workspaceId/teams/:teamId',
    {
      schema: {
        tags: ['Teams'],
        summary: 'Rename a team or change its description',
        params: teamParams,
        body: z.strictObject({
          name: labelSchema('Team name', 80).optional(),
          description: description.optional(),
        }),
        response: { 200: teamOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await editTeam(ctx, p, request.params.teamId, request.body))
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/teams/:teamId',
    {
      schema: {
        tags: ['Teams'],
        summary: 'Delete a team',
        params: teamParams,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeTeam(ctx, p, request.params.teamId)
      return { ok: true as const }
    },
  )

  app.put(
    '/api/v1/workspaces/:workspaceId/teams/:teamId/members/:userId',
    {
      schema: {
        tags: ['Teams'],
        summary: 'Add a user to a team',
        description: 'Rule 107: a user is in at most one team (409 when already in another).',
        params: memberParams,
        response: { 200: okBody, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await addMemberToTeam(ctx, p, request.params.teamId, request.params.userId)
      return { ok: true as const }
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/teams/:teamId/members/:userId',
    {
      schema: {
        tags: ['Teams'],
        summary: 'Remove a user from a team',
        params: memberParams,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeMemberFromTeam(ctx, p, request.params.teamId, request.params.userId)
      return { ok: true as const }
    },
  )
}
