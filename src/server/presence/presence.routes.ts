import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, workspaceParams } from '../http/schemas'
import { assignableUsers } from './presence.service'

export const assignableUserOut = z.object({
  userId: z.number(),
  name: z.string(),
  /** Two letters for the avatar circle. */
  initials: z.string(),
  /** The profile picture (GET it with the session), or null: show the initials. */
  avatarUrl: z.string().nullable(),
  role: z.enum(['owner', 'manager', 'agent']),
  team: z.object({ id: z.number(), name: z.string() }).nullable(),
  /** online: the app is open and the user is available; away: open but set to away; offline: not connected. */
  presence: z.enum(['online', 'away', 'offline']),
  lastActiveAt: z.string().nullable(),
  openContacts: z.number(),
})

export function presenceRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId/assignable-users',
    {
      schema: {
        tags: ['Inbox'],
        summary: 'Members for the assignment dropdown: team, online state and open contacts',
        description:
          'Open to everyone with the Inbox (rule 30: agents assign too). Presence is live across server processes; `presence` changes are also pushed as `presence` frames on the realtime socket.',
        params: workspaceParams,
        response: { 200: z.array(assignableUserOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return assignableUsers(ctx, p)
    },
  )
}
