import {
  type Capability,
  decide,
  type Member,
  NO_RESTRICTIONS,
  type Restrictions,
  type Role,
} from '../../shared/permissions'
import { ForbiddenError } from '../errors'
import type { Actor } from '../events'

/** A signed-in user acting inside one workspace, with the membership that governs what they may do. */
export type UserPrincipal = {
  kind: 'user'
  userId: number
  workspaceId: number
  organizationId: number
  role: Role
  restrictions: Restrictions
  teamId: number | null
}

/** A workspace API token (developer API). */
export type ApiPrincipal = {
  kind: 'api'
  tokenId: number
  workspaceId: number
  organizationId: number
}

export type Principal = UserPrincipal | ApiPrincipal

/**
 * API tokens act with an Owner's reach over workspace data, but may not manage people or
 * credentials: a leaked token must not be able to mint more tokens or invite owners.
 */
const API_DENIED: ReadonlySet<Capability> = new Set([
  'settings.users',
  'settings.integrations',
  'profile.manage',
])

function memberOf(p: Principal): Member {
  return p.kind === 'user'
    ? { role: p.role, restrictions: p.restrictions }
    : { role: 'owner', restrictions: NO_RESTRICTIONS }
}

export function allowed(p: Principal, capability: Capability): boolean {
  if (p.kind === 'api' && API_DENIED.has(capability)) return false
  return decide(memberOf(p), capability).allowed
}

/** Throws a 403 that says exactly which access is missing. Every service calls this. */
export function authorize(p: Principal, capability: Capability): void {
  if (p.kind === 'api' && API_DENIED.has(capability)) {
    throw new ForbiddenError(`API tokens cannot use ${capability}; sign in as a user to do this.`)
  }
  const d = decide(memberOf(p), capability)
  if (!d.allowed) throw new ForbiddenError(d.reason)
}

export function requireUser(p: Principal): UserPrincipal {
  if (p.kind !== 'user') throw new ForbiddenError('This action needs a signed-in user, not an API token.')
  return p
}

export function actorOf(p: Principal): Actor {
  return p.kind === 'user' ? { kind: 'user', id: p.userId } : { kind: 'api', id: p.tokenId }
}
