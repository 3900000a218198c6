import type { DbOrTx } from '../db/database'
import { memberStatuses } from './lookups.repo'

/**
 * Who counts as online for "Only assign to online users" (rule 26) and the Branch step's
 * Assignee Status. One small function so the source can change in one place: until the inbox's
 * presence (live sockets, src/server/presence) is on main, it is the status each member chose.
 */
export async function onlineMembers(db: DbOrTx, workspaceId: number): Promise<Set<number>> {
  const statuses = await memberStatuses(db, workspaceId)
  return new Set([...statuses].filter(([, s]) => s === 'online').map(([id]) => id))
}

/** A member's presence for conditions: online, away or offline. */
export async function presenceOf(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
): Promise<'online' | 'away' | 'offline'> {
  const statuses = await memberStatuses(db, workspaceId)
  const s = statuses.get(userId)
  return s === 'online' ? 'online' : s === 'away' ? 'away' : 'offline'
}

export type PickOptions = {
  logic: 'round_robin' | 'least_open'
  /** The last user this step assigned (round robin continues after them). */
  last: number | null
  counts: Map<number, number>
}

/**
 * Rule 25: round robin gives new contacts to each candidate in turn (ordered by user id, after the
 * last one picked); least open contacts picks the candidate with the fewest open contacts, ties
 * broken in round-robin order so equal loads still rotate.
 */
export function pickAssignee(candidates: number[], o: PickOptions): number | null {
  if (candidates.length === 0) return null
  const sorted = [...new Set(candidates)].sort((a, b) => a - b)
  const start = o.last === null ? 0 : sorted.findIndex((id) => id > o.last!)
  const rotated = start <= 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)]
  if (o.logic === 'round_robin') return rotated[0]!
  let best = rotated[0]!
  for (const id of rotated) if ((o.counts.get(id) ?? 0) < (o.counts.get(best) ?? 0)) best = id
  return best
}
