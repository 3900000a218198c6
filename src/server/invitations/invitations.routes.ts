import { z } from 'zod'
import type { App } from '../app'
import { createSession } from '../auth/auth.service'
import type { Ctx } from '../context'
import { principalFor, setSessionCookie } from '../http/auth'
import {
  emailSchema,
  errors,
  idSchema,
  localeSchema,
  okBody,
  personNameSchema,
  restrictionsSchema,
  roleSchema,
} from '../http/schemas'
import { invitationOut, presentInvitation, presentUser, userOut } from '../users/users.presenter'
import {
  acceptInvitation,
  invite,
  lookupInvitation,
  resendInvitation,
  revokeInvitation,
} from './invitations.service'

const inviteResult = z.object({
  invitation: invitationOut,
  inviteUrl: z
    .string()
    .nullable()
    .describe('Only when SMTP is not configured: pass this link to the invitee.'),
  emailed: z.boolean(),
})
const tokenSchema = z.string().min(1, 'Token is required.').max(200)
const invitationParams = z.strictObject({ workspaceId: idSchema, invitationId: idSchema })

export function invitationRoutes(app: App, ctx: Ctx) {
  const limit = {
    rateLimit: { max: ctx.config.rateLimitAuth.max * 3, timeWindow: ctx.config.rateLimitAuth.windowMs },
  }
  const present = (r: Awaited<ReturnType<typeof invite>>) => ({
    invitation: presentInvitation(r.invitation, null, ctx.clock.now()),
    inviteUrl: r.inviteUrl,
    emailed: r.emailed,
  })

  app.post(
    '/api/v1/workspaces/:workspaceId/invitations',
    {
      schema: {
        tags: ['Users'],
        summary: 'Invite a user by email with an access level',
        description: 'Owners invite any level; Managers invite Agents only (rule 100).',
        params: z.strictObject({ workspaceId: idSchema }),
        body: z.strictObject({
          email: emailSchema,
          role: roleSchema,
          restrictions: restrictionsSchema.optional(),
          teamId: idSchema.nullable().optional(),
        }),
        response: { 201: inviteResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(present(await invite(ctx, p, request.body)))
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/invitations/:invitationId/resend',
    {
      schema: {
        tags: ['Users'],
        summary: 'Resend an invitation with a new link and expiry',
        params: invitationParams,
        response: { 200: inviteResult, ...errors(401, 403, 404, 410) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await resendInvitation(ctx, p, request.params.invitationId))
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/invitations/:invitationId',
    {
      schema: {
        tags: ['Users'],
        summary: 'Revoke a pending invitation',
        params: invitationParams,
        response: { 200: okBody, ...errors(401, 403, 404, 410) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await revokeInvitation(ctx, p, request.params.invitationId)
      return { ok: true as const }
    },
  )

  app.post(
    '/api/v1/invitations/lookup',
    {
      config: limit,
      schema: {
        tags: ['Users'],
        summary: 'What an invitation token is for (shown on the accept page)',
        security: [],
        body: z.strictObject({ token: tokenSchema }),
        response: {
          200: z.object({
            email: z.string(),
            role: roleSchema,
            workspaceName: z.string(),
            invitedByName: z.string().nullable(),
            expiresAt: z.string(),
            existingUser: z.boolean(),
          }),
          ...errors(400, 404, 410, 429),
        },
      },
    },
    async (request) => {
      const info = await lookupInvitation(ctx, request.body.token)
      return { ...info, expiresAt: info.expiresAt.toISOString() }
    },
  )

  app.post(
    '/api/v1/invitations/accept',
    {
      config: limit,
      schema: {
        tags: ['Users'],
        summary: 'Accept an invitation and sign in',
        description: 'New users send name and a password; existing users send their current password.',
        security: [],
        body: z.strictObject({
          token: tokenSchema,
          name: personNameSchema.optional(),
          password: z
            .string()
            .min(1, 'Password is required.')
            .max(128, 'Password must be at most 128 characters.'),
          locale: localeSchema.optional(),
        }),
        response: {
          200: z.object({ user: userOut, workspaceId: z.number(), csrfToken: z.string() }),
          ...errors(400, 401, 404, 409, 410, 429),
        },
      },
    },
    async (request, reply) => {
      const { user, workspaceId } = await acceptInvitation(ctx, request.body)
      const session = await createSession(ctx, user.id, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      })
      setSessionCookie(ctx, reply, session.token)
      return { user: presentUser(user), workspaceId, csrfToken: session.csrfToken }
    },
  )
}
