import {
  type ChannelPrefs,
  type NotificationKind,
  resolveNotificationPrefs,
} from '../../shared/notification-prefs'
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
import { announcePresence } from '../presence/presence.repo'
import { PRESENCE_CHANNEL } from '../realtime/presence-tracker'
import { listWorkspacesOfUser } from '../workspaces/workspaces.repo'
import {
  deleteMember,
  findMember,
  findUserById,
  listMembers,
  type MemberRow,
  reassignContactsOf,
  shareAWorkspace,
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

export type ProfileChanges = {
  name?: string | undefined
  locale?: 'en' | 'ar' | undefined
  status?: 'online' | 'away' | undefined
  notificationPrefs?: Partial<Record<NotificationKind, Partial<ChannelPrefs>>> | undefined
}

/**
 * The user's own profile. A status change (online/away) is announced on the presence channel in
 * every workspace of the user, so other members see it at once (docs/realtime.md, Presence) and
 * "only assign to online users" (rule 26) stops picking someone who just went away.
 */
export async function updateProfile(ctx: Ctx, userId: number, input: ProfileChanges) {
  const before = await getProfile(ctx, userId)
  const { notificationPrefs, ...rest } = input
  const prefs = notificationPrefs
    ? resolveNotificationPrefs({
        mention: { ...before.notificationPrefs.mention, ...notificationPrefs.mention },
        assignment: { ...before.notificationPrefs.assignment, ...notificationPrefs.assignment },
      })
    : undefined
  return ctx.db.transaction(async (tx) => {
    const user = await updateUser(tx, userId, { ...rest, ...(prefs ? { notificationPrefs: prefs } : {}) })
    if (input.status && input.status !== before.status) {
      for (const w of await listWorkspacesOfUser(tx, userId)) {
        await announcePresence(tx, PRESENCE_CHANNEL, w.id, userId)
      }
    }
    return user
  })
}

const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const
export const MAX_AVATAR_BYTES = 2 * 1024 * 1024

/** Magic numbers, so the stored type is what the bytes are and not only what the client claimed. */
function sniffImage(data: Buffer): (typeof AVATAR_TYPES)[number] | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png'
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg'
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp'
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif'
  return null
}

/** Stores a new profile picture (PNG, JPEG, WebP or GIF up to 2 MB) and drops the old one. */
export async function setAvatar(ctx: Ctx, userId: number, data: Buffer) {
  if (data.length === 0) throw new UnprocessableError('The file is empty.', 'empty_file')
  if (data.length > MAX_AVATAR_BYTES)
    throw new UnprocessableError('A profile picture may be at most 2 MB.', 'file_too_large')
  const mimeType = sniffImage(data)
  if (!mimeType)
    throw new UnprocessableError(
      'A profile picture must be a PNG, JPEG, WebP or GIF image.',
      'unsupported_type',
    )
  const before = await getProfile(ctx, userId)
  // Storage keys start with a workspace id; 0 is no workspace: files that belong to a user.
  const stored = await ctx.storage.put(0, `avatar-${userId}`, data)
  const user = await updateUser(ctx.db, userId, { avatarKey: stored.key, avatarMimeType: mimeType })
  if (before.avatarKey) await ctx.storage.remove(before.avatarKey)
  return user
}

export async function removeAvatar(ctx: Ctx, userId: number) {
  const before = await getProfile(ctx, userId)
  const user = await updateUser(ctx.db, userId, { avatarKey: null, avatarMimeType: null })
  if (before.avatarKey) await ctx.storage.remove(before.avatarKey)
  return user
}

/** Anyone signed in who shares a workspace with the user may see their picture (assignment lists, mentions). */
export async function avatarOf(ctx: Ctx, viewerUserId: number, userId: number) {
  const user = await findUserById(ctx.db, userId)
  const visible =
    user?.avatarKey && (viewerUserId === userId || (await shareAWorkspace(ctx.db, viewerUserId, userId)))
  if (!user || !visible || !user.avatarKey) throw new NotFoundError('Profile picture')
  return { key: user.avatarKey, mimeType: user.avatarMimeType ?? 'application/octet-stream' }
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
