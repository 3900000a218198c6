import { sql } from 'drizzle-orm'
import { NO_RESTRICTIONS } from '../../shared/permissions'
import { insertDefaultStages } from '../contacts/lifecycle.repo'
import type { Ctx } from '../context'
import { ConflictError, NotFoundError, UnauthenticatedError } from '../errors'
import { emit, SYSTEM } from '../events'
import { findApiTokenByHash, touchApiToken } from '../tokens/tokens.repo'
import { API_TOKEN_PREFIX } from '../tokens/tokens.service'
import {
  addOrganizationMember,
  countUsers,
  findMember,
  findUserByEmail,
  insertMember,
  insertUser,
  type UserRow,
} from '../users/users.repo'
import { findWorkspace, insertOrganization, insertWorkspace } from '../workspaces/workspaces.repo'
import { assertTimezone } from '../workspaces/workspaces.service'
import { parseWorkspaceToken, randomToken, sha256 } from './crypto'
import { assertPasswordAllowed, burnPasswordCheck, hashPassword, verifyPassword } from './passwords'
import type { ApiPrincipal, UserPrincipal } from './principal'
import { deleteSession, findLiveSession, insertSession, touchSession } from './sessions.repo'

export type SessionMeta = { ip?: string | undefined; userAgent?: string | undefined }
export type NewSession = { token: string; csrfToken: string; expiresAt: Date }

const SETUP_LOCK = 7_311_002
/** Sessions slide with use but never outlive this, whatever SESSION_TTL_HOURS says. */
export const ABSOLUTE_SESSION_MS = 30 * 24 * 3600_000
/** Sliding refreshes are written at most this often, to keep reads cheap. */
const TOUCH_EVERY_MS = 5 * 60_000

export async function needsSetup(ctx: Ctx): Promise<boolean> {
  return (await countUsers(ctx.db)) === 0
}

export type SetupInput = {
  organizationName: string
  workspaceName: string
  name: string
  email: string
  password: string
  timezone?: string | undefined
  language?: 'en' | 'ar' | undefined
}

/** First run: organization, workspace and owner, possible only while no user exists. */
export async function setup(ctx: Ctx, input: SetupInput) {
  assertPasswordAllowed(input.password, input.email)
  if (input.timezone) assertTimezone(input.timezone)
  const passwordHash = await hashPassword(input.password)
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`)
    if ((await countUsers(tx)) > 0) {
      throw new ConflictError('Tawasul is already set up. Sign in instead.', 'already_set_up')
    }
    const organizationId = await insertOrganization(tx, input.organizationName)
    const workspace = await insertWorkspace(tx, {
      organizationId,
      name: input.workspaceName,
      timezone: input.timezone ?? 'UTC',
      language: input.language ?? 'en',
    })
    const user = await insertUser(tx, {
      email: input.email,
      name: input.name,
      passwordHash,
      locale: input.language ?? 'en',
    })
    await insertDefaultStages(tx, workspace.id, workspace.language)
    await addOrganizationMember(tx, organizationId, user.id, 'admin')
    await insertMember(tx, workspace.id, user.id, 'owner', NO_RESTRICTIONS)
    await emit(tx, workspace.id, SYSTEM, {
      type: 'member.joined',
      payload: { userId: user.id, role: 'owner', invitationId: null },
    })
    return { organizationId, workspaceId: workspace.id, user }
  })
}

export async function createSession(ctx: Ctx, userId: number, meta: SessionMeta): Promise<NewSession> {
  const token = randomToken(32)
  const csrfToken = randomToken(24)
  const now = ctx.clock.now()
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlMs)
  await insertSession(ctx.db, {
    id: sha256(token),
    userId,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  })
  return { token, csrfToken, expiresAt }
}

export async function login(ctx: Ctx, email: string, password: string): Promise<UserRow> {
  const user = await findUserByEmail(ctx.db, email)
  if (!user) {
    await burnPasswordCheck(password)
    throw new UnauthenticatedError('Email or password is incorrect.')
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new UnauthenticatedError('Email or password is incorrect.')
  }
  return user
}

export type ResolvedSession = { id: string; user: UserRow; csrfToken: string; expiresAt: Date }

export async function resolveSession(ctx: Ctx, token: string): Promise<ResolvedSession | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null
  const id = sha256(token)
  const now = ctx.clock.now()
  const found = await findLiveSession(ctx.db, id, now)
  if (!found) return null
  let expiresAt = found.session.expiresAt
  if (now.getTime() - found.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    const cap = found.session.createdAt.getTime() + Math.max(ABSOLUTE_SESSION_MS, ctx.config.sessionTtlMs)
    expiresAt = new Date(Math.min(now.getTime() + ctx.config.sessionTtlMs, cap))
    await touchSession(ctx.db, id, now, expiresAt)
  }
  return { id, user: found.user, csrfToken: found.session.csrfToken, expiresAt }
}

export async function logout(ctx: Ctx, sessionId: string): Promise<void> {
  await deleteSession(ctx.db, sessionId)
}

/** A user's access inside one workspace. Non-members get 404 so workspace ids do not leak. */
export async function resolveUserPrincipal(
  ctx: Ctx,
  userId: number,
  workspaceId: number,
): Promise<UserPrincipal> {
  // Every workspace request waits on this: both reads go out together.
  const [member, ws] = await Promise.all([
    findMember(ctx.db, workspaceId, userId),
    findWorkspace(ctx.db, workspaceId),
  ])
  if (!member || !ws) throw new NotFoundError('Workspace')
  return {
    kind: 'user',
    userId,
    workspaceId,
    organizationId: ws.organizationId,
    role: member.role,
    restrictions: member.restrictions,
    teamId: member.teamId,
  }
}

export async function resolveApiToken(ctx: Ctx, token: string): Promise<ApiPrincipal | null> {
  const parsed = parseWorkspaceToken(API_TOKEN_PREFIX, token)
  if (!parsed) return null
  const row = await findApiTokenByHash(ctx.db, parsed.workspaceId, parsed.hash)
  if (!row || row.revokedAt) return null
  const now = ctx.clock.now()
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await touchApiToken(ctx.db, parsed.workspaceId, row.id, now)
  }
  return { kind: 'api', tokenId: row.id, workspaceId: parsed.workspaceId, organizationId: row.organizationId }
}
