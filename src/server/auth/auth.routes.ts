import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { ConflictError } from '../errors'
import { clearSessionCookie, requireSession, setSessionCookie } from '../http/auth'
import { emailSchema, errors, labelSchema, localeSchema, okBody, personNameSchema } from '../http/schemas'
import { channelPrefsSchema, presentUser, userOut } from '../users/users.presenter'
import { changePassword, getProfile, updateProfile } from '../users/users.service'
import { listWorkspacesOfUser } from '../workspaces/workspaces.repo'
import { createSession, login, logout, needsSetup, setup } from './auth.service'
import { passwordSchema } from './passwords'

const sessionOut = z.object({
  user: userOut,
  workspaces: z.array(
    z.object({ id: z.number(), name: z.string(), role: z.enum(['owner', 'manager', 'agent']) }),
  ),
  csrfToken: z.string(),
})

export function authRoutes(app: App, ctx: Ctx) {
  const authLimit = {
    rateLimit: { max: ctx.config.rateLimitAuth.max, timeWindow: ctx.config.rateLimitAuth.windowMs },
  }

  const sessionBody = async (userId: number, csrfToken: string) => {
    const user = await getProfile(ctx, userId)
    const workspaces = await listWorkspacesOfUser(ctx.db, userId)
    return {
      user: presentUser(user),
      workspaces: workspaces.map(({ id, name, role }) => ({ id, name, role })),
      csrfToken,
    }
  }

  app.get(
    '/api/v1/setup',
    {
      schema: {
        tags: ['Auth'],
        summary: 'Whether first-run setup is still needed',
        security: [],
        response: { 200: z.object({ needsSetup: z.boolean() }) },
      },
    },
    async () => ({ needsSetup: await needsSetup(ctx) }),
  )

  app.post(
    '/api/v1/setup',
    {
      config: authLimit,
      schema: {
        tags: ['Auth'],
        summary: 'First-run setup: creates the organization, its first workspace and the owner',
        description: 'Only possible while no user exists (409 afterwards). Signs the new owner in.',
        security: [],
        body: z.strictObject({
          organizationName: labelSchema('Organization name'),
          workspaceName: labelSchema('Workspace name'),
          name: personNameSchema,
          email: emailSchema,
          password: passwordSchema,
          timezone: z.string().max(64).optional(),
          language: localeSchema.optional(),
        }),
        response: { 201: sessionOut.extend({ workspaceId: z.number() }), ...errors(400, 409, 429) },
      },
    },
    async (request, reply) => {
      if (!(await needsSetup(ctx)))
        throw new ConflictError('Tawasul is already set up. Sign in instead.', 'already_set_up')
      const result = await setup(ctx, request.body)
      const session = await createSession(ctx, result.user.id, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      })
      setSessionCookie(ctx, reply, session.token)
      return reply
        .status(201)
        .send({ ...(await sessionBody(result.user.id, session.csrfToken)), workspaceId: result.workspaceId })
    },
  )

  app.post(
    '/api/v1/auth/login',
    {
      config: authLimit,
      schema: {
        tags: ['Auth'],
        summary: 'Sign in with email and password (sets an httpOnly session cookie)',
        security: [],
        body: z.strictObject({
          email: emailSchema,
          password: z.string().min(1, 'Password is required.').max(128),
        }),
        response: { 200: sessionOut, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const user = await login(ctx, request.body.email, request.body.password)
      const session = await createSession(ctx, user.id, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      })
      setSessionCookie(ctx, reply, session.token)
      return sessionBody(user.id, session.csrfToken)
    },
  )

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags: ['Auth'],
        summary: 'Sign out (ends this session)',
        response: { 200: okBody, ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      const session = await requireSession(ctx, request)
      await logout(ctx, session.id)
      clearSessionCookie(reply)
      return { ok: true as const }
    },
  )

  app.get(
    '/api/v1/auth/session',
    {
      schema: {
        tags: ['Auth'],
        summary: 'The signed-in user, their workspaces and the CSRF token for writes',
        response: { 200: sessionOut, ...errors(401) },
      },
    },
    async (request) => {
      const session = await requireSession(ctx, request)
      return sessionBody(session.user.id, session.csrfToken)
    },
  )

  app.patch(
    '/api/v1/me',
    {
      schema: {
        tags: ['Profile'],
        summary: 'Update your own profile (name, language, availability, notification preferences)',
        description:
          'A status change is pushed as a `presence` frame to the members of your workspaces. `notificationPrefs` may name only the switches that change.',
        body: z.strictObject({
          name: personNameSchema.optional(),
          locale: localeSchema.optional(),
          status: z.enum(['online', 'away']).optional(),
          notificationPrefs: z
            .strictObject({
              mention: channelPrefsSchema.partial().optional(),
              assignment: channelPrefsSchema.partial().optional(),
            })
            .optional(),
        }),
        response: { 200: userOut, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const session = await requireSession(ctx, request)
      return presentUser(await updateProfile(ctx, session.user.id, request.body))
    },
  )

  app.post(
    '/api/v1/me/password',
    {
      config: authLimit,
      schema: {
        tags: ['Profile'],
        summary: 'Change your password (signs out your other sessions)',
        body: z.strictObject({ currentPassword: z.string().min(1).max(128), newPassword: passwordSchema }),
        response: { 200: okBody, ...errors(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const session = await requireSession(ctx, request)
      await changePassword(ctx, session.user.id, session.id, request.body)
      return { ok: true as const }
    },
  )
}
