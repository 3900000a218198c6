import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { DEFAULT_REALTIME } from '../realtime/options'
import { listMembers } from '../users/users.repo'
import { connectedMembers, openContactCounts, type PresenceState } from './presence.repo'

/** "Layla Hassan" → "LH"; one word → its first two letters. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  const letters =
    words.length > 1 ? [words[0]!, words.at(-1)!].map((w) => [...w][0]) : [...(words[0] ?? '?')].slice(0, 2)
  return letters.join('').toUpperCase()
}

/** Every member's presence: connected to any server process and their chosen status. */
export async function presenceOf(ctx: Ctx, workspaceId: number): Promise<Map<number, PresenceState>> {
  return connectedMembers(ctx.db, workspaceId, DEFAULT_REALTIME.presenceFreshMs)
}

/** Rule 26 "only assign to online users": members connected now whose status is online. */
export async function onlineUserIds(ctx: Ctx, workspaceId: number): Promise<Set<number>> {
  const presence = await presenceOf(ctx, workspaceId)
  return new Set([...presence].filter(([, state]) => state === 'online').map(([userId]) => userId))
}

export async function assignableUsers(ctx: Ctx, p: Principal) {
  authorize(p, 'inbox.view')
  const [members, presence, open] = await Promise.all([
    listMembers(ctx.db, p.workspaceId),
    presenceOf(ctx, p.workspaceId),
    openContactCounts(ctx.db, p.workspaceId),
  ])
  return members.map((m) => ({
    userId: m.userId,
    name: m.name,
    initials: initialsOf(m.name),
    role: m.role,
    team: m.teamId !== null ? { id: m.teamId, name: m.teamName ?? '' } : null,
    presence: presence.get(m.userId) ?? ('offline' as const),
    lastActiveAt: m.lastActiveAt?.toISOString() ?? null,
    openContacts: open.get(m.userId) ?? 0,
  }))
}
