import { createHash } from 'node:crypto'
import { z } from 'zod'
import { resolveNotificationPrefs } from '../../shared/notification-prefs'
import { normalizeRestrictions } from '../../shared/permissions'
import { restrictionsOut, roleSchema } from '../http/schemas'
import type { InvitationRow } from '../invitations/invitations.repo'
import type { MemberRow, UserRow } from './users.repo'

export const memberOut = z.object({
  userId: z.number(),
  email: z.string(),
  name: z.string(),
  status: z.enum(['online', 'away']),
  lastActiveAt: z.string().nullable(),
  role: roleSchema,
  restrictions: restrictionsOut,
  team: z.object({ id: z.number(), name: z.string() }).nullable(),
  joinedAt: z.string(),
})

export function presentMember(m: MemberRow): z.infer<typeof memberOut> {
  return {
    userId: m.userId,
    email: m.email,
    name: m.name,
    status: m.status,
    lastActiveAt: m.lastActiveAt?.toISOString() ?? null,
    role: m.role,
    restrictions: m.restrictions,
    team: m.teamId !== null ? { id: m.teamId, name: m.teamName ?? '' } : null,
    joinedAt: m.joinedAt.toISOString(),
  }
}

export const invitationOut = z.object({
  id: z.number(),
  email: z.string(),
  role: roleSchema,
  restrictions: restrictionsOut,
  teamId: z.number().nullable(),
  invitedByName: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  expired: z.boolean(),
})

export function presentInvitation(
  i: InvitationRow,
  invitedByName: string | null,
  now: Date,
): z.infer<typeof invitationOut> {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    restrictions: normalizeRestrictions(i.role, i.restrictions),
    teamId: i.teamId,
    invitedByName,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
    expired: i.expiresAt.getTime() <= now.getTime(),
  }
}

export const channelPrefsSchema = z.strictObject({ inApp: z.boolean(), browser: z.boolean() })
export const notificationPrefsSchema = z.strictObject({
  mention: channelPrefsSchema,
  assignment: channelPrefsSchema,
})

export const userOut = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string(),
  locale: z.enum(['en', 'ar']),
  status: z.enum(['online', 'away']),
  /** Same-origin URL of the profile picture (changes when a new one is uploaded), or null. */
  avatarUrl: z.string().nullable(),
  notificationPrefs: notificationPrefsSchema,
})

/** The version query makes a new picture a new URL, so browsers may cache each one for long. */
export function avatarUrlOf(u: Pick<UserRow, 'id' | 'avatarKey'>): string | null {
  if (!u.avatarKey) return null
  const version = createHash('sha256').update(u.avatarKey).digest('hex').slice(0, 12)
  return `/api/v1/users/${u.id}/avatar?v=${version}`
}

export function presentUser(u: UserRow): z.infer<typeof userOut> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    locale: u.locale,
    status: u.status,
    avatarUrl: avatarUrlOf(u),
    notificationPrefs: resolveNotificationPrefs(u.notificationPrefs),
  }
}
