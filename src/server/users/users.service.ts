import {
  canGrantRole,
  canManageMember,
  normalizeRestrictions,
  type Restrictions,
  type Role,
} from '../../shared/permissions'
import { assertPasswordAllowed, hashPassword, verifyPassword } from '../auth/passwords'
import { actorOf, authorize, type Principal, requireUser } from '../auth/principal'
import { deleteSessionsOfUser } from '../auth/sessions.repo'
import type { Ctx } from '../context'
import { ForbiddenError, NotFoundError, UnauthenticatedError, UnprocessableError } from '../errors'
import { emit } from '../events'
import { listPendingInvitations } from '../invitations/invitations.repo'
import { toCsv } from '../lib/csv'
import {
  deleteMember,
  findMember,
  findUserById,
  listMembers,
  type MemberRow,
  reassignContactsOf,
  updateMember,
  updateUser,
} from './users.repo'

export async function listWorkspaceUsers(ctx: Ctx, p: Principal) {
  authorize(p, 'settings.users')
  const [members, invitations] = await Promise.all([
    listMembers(ctx.db, p.workspaceId),
    listPendingInvitations(ctx.db, p.workspaceId),
  ])
  return { members, invitations }
}

/**
 * Who can be assigned or mentioned (rules 30, 50): anyone with the inbox sees the workspace's
 * members, as the assignment dropdown does. Managing them stays behind settings.users.
 */
export async function listWorkspaceMembers(ctx: Ctx, p: Principal): Promise<MemberRow[]> {
  authorize(p, 'inbox.view')
  return listMembers(ctx.db, p.workspaceId)
}

export async function getWorkspaceMember(ctx: Ctx, p: Principal, userId: number): Promise<MemberRow> {
  authorize(p, 'inbox.view')
  const member = await findMember(ctx.db, p.workspaceId, userId)
  if (!member) throw new NotFoundError('User')
  return member
}

async function loadManageable(ctx: Ctx, p: Principal, userId: number): Promise<MemberRow> {
  authorize(p, 'settings.users')
  const actor = requireUser(p)
  const target = await findMember(ctx.db, p.workspaceId, userId)
  if (!target) throw new NotFoundError('User')
  const d = canManageMember({ userId: actor.userId, role: actor.role }, { userId, role: target.role })
  if (!d.allowed) throw new ForbiddenError(d.reason)
  return target
}

/** Rule 103: editing changes only the access level (role and its restrictions). */
export async function updateAccess(
  ctx: Ctx,
  p: Principal,
  userId: number,
  input: { role?: Role | undefined; restrictions?: Partial<Restrictions> | undefined },
): Promise<MemberRow> {
  const target = await loadManageable(ctx, p, userId)
  const actor = requireUser(p)
  const role = input.role ?? target.role
  if (role !== target.role) {
    const grant = canGrantRole(actor.role, role)
    if (!grant.allowed) throw new ForbiddenError(grant.reason)
  }
  const restrictions = normalizeRestrictions(role, { ...target.restrictions, ...(input.restrictions ?? {}) })
  const changes = [
    ...(role !== target.role ? ['role'] : []),
    ...(Object.keys(restrictions) as (keyof Restrictions)[]).filter(
      (k) => restrictions[k] !== target.restrictions[k],
    ),
  ]
  await ctx.db.transaction(async (tx) => {
    await updateMember(tx, p.workspaceId, userId, role, restrictions)
    if (changes.length) {
      await emit(tx, p.workspaceId, actorOf(p), { type: 'member.updated', payload: { userId, changes } })
    }
  })
  return { ...target, role, restrictions }
}

/**
 * Rule 34: revoking access unassigns the user's contacts, or moves them all to a chosen user.
 * Team membership goes with the workspace membership.
 */
export async function revokeAccess(
  ctx: Ctx,
  p: Principal,
  userId: number,
  input: { reassignContactsTo?: number | null | undefined },
): Promise<{ contactsMoved: number }> {
  await loadManageable(ctx, p, userId)
  const to = input.reassignContactsTo ?? null
  if (to !== null) {
    if (to === userId) {
      throw new UnprocessableError(
        'Contacts cannot be reassigned to the user being revoked.',
        'invalid_reassignment',
        [{ path: 'reassignContactsTo', message: 'Choose another user.' }],
      )
    }
    if (!(await findMember(ctx.db, p.workspaceId, to))) {
      throw new UnprocessableError(
        'The user chosen for reassignment is not a member of this workspace.',
        'invalid_reassignment',
        [{ path: 'reassignContactsTo', message: 'Not a member of this workspace.' }],
      )
    }
  }
  return ctx.db.transaction(async (tx) => {
    const moved = await reassignContactsOf(tx, p.workspaceId, userId, to)
    for (const contactId of moved) {
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'contact.assignee_updated',
        payload: { contactId, from: userId, to, reason: 'access_revoked' },
      })
    }
    await deleteMember(tx, p.workspaceId, userId)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'member.revoked',
      payload: { userId, reassignedTo: to, contactsMoved: moved.length },
    })
    return { contactsMoved: moved.length }
  })
}

/** Rule 103: export users to CSV (and rule 101: Data Export is restrictable). */
export async function exportUsersCsv(ctx: Ctx, p: Principal): Promise<string> {
  authorize(p, 'settings.users')
  authorize(p, 'data.export')
  const { members, invitations } = await listWorkspaceUsers(ctx, p)
  const flags = (r: Restrictions) =>
    (Object.keys(r) as (keyof Restrictions)[])
      .filter((k) => (k === 'contactVisibility' ? r[k] !== 'all' : r[k]))
      .map((k) => (k === 'contactVisibility' ? `contactVisibility=${r[k]}` : k))
      .join(' ')
  return toCsv(
    ['Name', 'Email', 'Access level', 'Team', 'Status', 'Restrictions', 'Joined or invited at'],
    [
      ...members.map((m) => [
        m.name,
        m.email,
        m.role,
        m.teamName ?? '',
        'active',
        flags(m.restrictions),
        m.joinedAt,
      ]),
      ...invitations.map(({ invitation: i }) => [
        '',
        i.email,
        i.role,
        '',
        i.expiresAt.getTime() < ctx.clock.now().getTime() ? 'invitation expired' : 'pending',
        flags(normalizeRestrictions(i.role, i.restrictions)),
        i.createdAt,
      ]),
    ],
  )
}

export async function getProfile(ctx: Ctx, userId: number) {
  const user = await findUserById(ctx.db, userId)
  if (!user) throw new NotFoundError('User')
  return user
}

export async function updateProfile(
  ctx: Ctx,
  userId: number,
  input: {
    name?: string | undefined
    locale?: 'en' | 'ar' | undefined
    status?: 'online' | 'away' | undefined
  },
) {
  return updateUser(ctx.db, userId, input)
}

/** Changing the password signs out every other session of the user. */
export async function changePassword(
  ctx: Ctx,
  userId: number,
  sessionId: string | null,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await getProfile(ctx, userId)
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new UnauthenticatedError('The current password is incorrect.')
  }
  assertPasswordAllowed(input.newPassword, user.email)
  const passwordHash = await hashPassword(input.newPassword)
  await ctx.db.transaction(async (tx) => {
    await updateUser(tx, userId, { passwordHash })
    await deleteSessionsOfUser(tx, userId, sessionId ?? undefined)
  })
}
