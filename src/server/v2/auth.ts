import type { FastifyRequest } from 'fastify'
import type { ApiPrincipal } from '../auth/principal'
import type { Ctx } from '../context'
import { UnauthenticatedError } from '../errors'
import { authOf } from '../http/auth'

/**
 * The developer API takes only a workspace API token (respond.io: "Authorization: Bearer
 * {token}"); the token names the workspace, so no path carries a workspace id. A session cookie
 * is not enough here.
 */
export async function apiPrincipal(ctx: Ctx, request: FastifyRequest): Promise<ApiPrincipal> {
  if (!request.headers.authorization) {
    throw new UnauthenticatedError('Send your workspace API token as "Authorization: Bearer <token>".')
  }
  const auth = await authOf(ctx, request)
  if (auth.kind !== 'api') throw new UnauthenticatedError('The API token is invalid or has been revoked.')
  return auth.principal
}
