import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  ABSOLUTE_SESSION_MS,
  type ResolvedSession,
  resolveApiToken,
  resolveSession,
  resolveUserPrincipal,
} from '../auth/auth.service'
import { safeEqual } from '../auth/crypto'
import type { ApiPrincipal, Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors'

export const SESSION_COOKIE = 'tawasul_session'
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

type Auth =
  | { kind: 'session'; session: ResolvedSession }
  | { kind: 'api'; principal: ApiPrincipal }
  | { kind: 'none' }

const cache = new WeakMap<FastifyRequest, Promise<Auth>>()

async function resolve(ctx: Ctx, request: FastifyRequest): Promise<Auth> {
  const header = request.headers.authorization
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (!m) throw new UnauthenticatedError('The Authorization header must be "Bearer <API token>".')
    const principal = await resolveApiToken(ctx, m[1]!)
    if (!principal) throw new UnauthenticatedError('The API token is invalid or has been revoked.')
    return { kind: 'api', principal }
  }
  const cookie = request.cookies[SESSION_COOKIE]
  if (!cookie) return { kind: 'none' }
  const session = await resolveSession(ctx, cookie)
  if (!session) return { kind: 'none' }
  // Cookie-authenticated writes need the session's CSRF token in a header (double submit);
  // a cross-site form can send the cookie but cannot read or set the header.
  if (UNSAFE.has(request.method)) {
    const sent = request.headers['x-csrf-token']
    if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
      throw new ForbiddenError('Missing or invalid CSRF token (send the X-CSRF-Token header).', 'csrf_failed')
    }
  }
  return { kind: 'session', session }
}

export function authOf(ctx: Ctx, request: FastifyRequest): Promise<Auth> {
  let p = cache.get(request)
  if (!p) {
    p = resolve(ctx, request)
    cache.set(request, p)
  }
  return p
}

/** The signed-in user (cookie session). API tokens are not accepted here. */
export async function requireSession(ctx: Ctx, request: FastifyRequest): Promise<ResolvedSession> {
  const auth = await authOf(ctx, request)
  if (auth.kind === 'session') return auth.session
  if (auth.kind === 'api') throw new ForbiddenError('This endpoint needs a signed-in user, not an API token.')
  throw new UnauthenticatedError()
}

/** Who is acting in this workspace: a member with a session, or an API token of this workspace. */
export async function principalFor(
  ctx: Ctx,
  request: FastifyRequest,
  workspaceId: number,
): Promise<Principal> {
  const auth = await authOf(ctx, request)
  if (auth.kind === 'api') {
    if (auth.principal.workspaceId !== workspaceId) throw new NotFoundError('Workspace')
    return auth.principal
  }
  if (auth.kind === 'none') throw new UnauthenticatedError()
  return resolveUserPrincipal(ctx, auth.session.user.id, workspaceId)
}

/**
 * The cookie lives as long as a session could (sliding use included); the server decides when
 * the session has really expired.
 */
export function setSessionCookie(ctx: Ctx, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.publicUrl.startsWith('https://'),
    maxAge: Math.floor(Math.max(ABSOLUTE_SESSION_MS, ctx.config.sessionTtlMs) / 1000),
  })
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' })
}
