import { seesAllContacts } from '../../shared/permissions'
import type { Principal } from '../auth/principal'

/** An inbox view (rules 43–47), as named in the API: `all`, `team:3`, `custom:12`… */
export type View =
  | { kind: 'all' }
  | { kind: 'mine' }
  | { kind: 'unassigned' }
  | { kind: 'mentioned' }
  | { kind: 'blocked' }
  | { kind: 'team'; teamId: number }
  | { kind: 'custom'; inboxId: number }

export const VIEW_PATTERN = /^(all|mine|unassigned|mentioned|blocked|(team|custom):[1-9][0-9]{0,15})$/

export function parseView(name: string): View | undefined {
  if (!VIEW_PATTERN.test(name)) return undefined
  const [kind, id] = name.split(':') as [string, string | undefined]
  if (kind === 'team') return { kind: 'team', teamId: Number(id) }
  if (kind === 'custom') return { kind: 'custom', inboxId: Number(id) }
  return { kind } as View
}

export function viewName(v: View): string {
  if (v.kind === 'team') return `team:${v.teamId}`
  if (v.kind === 'custom') return `custom:${v.inboxId}`
  return v.kind
}

/**
 * Which contacts a principal may see at all (rule 102), as data the repo turns into SQL:
 * "own" sees contacts assigned to them; "team" adds contacts assigned to their team.
 */
export type ContactScope =
  | { kind: 'all' }
  | { kind: 'own'; userId: number }
  | { kind: 'team'; userId: number; teamId: number | null }

export function contactScopeOf(p: Principal): ContactScope {
  if (p.kind === 'api' || p.role !== 'agent' || p.restrictions.contactVisibility === 'all')
    return { kind: 'all' }
  if (p.restrictions.contactVisibility === 'own') return { kind: 'own', userId: p.userId }
  return { kind: 'team', userId: p.userId, teamId: p.teamId }
}

export type ViewDecision = { allowed: true } | { allowed: false; reason: string }

const RESTRICTED = 'Your contact visibility is restricted, so you see only the Mine inbox' as const

/**
 * Rules 44–45 and 102. Owners and Managers see every standard view and every team inbox;
 * unrestricted Agents see the standard views and their own team's inbox; Agents restricted to
 * "team" see Mine and their team's inbox; "own" sees Mine only. Mentioned, custom inboxes and
 * Blocked are open to everyone but always intersected with the contacts they may see.
 */
export function decideView(p: Principal, view: View): ViewDecision {
  const needsUser = view.kind === 'mine' || view.kind === 'mentioned' || view.kind === 'custom'
  if (p.kind === 'api') {
    return needsUser
      ? { allowed: false, reason: `The ${view.kind} view belongs to a user; API tokens cannot open it.` }
      : { allowed: true }
  }
  if (p.role !== 'agent') return { allowed: true }
  const visibility = p.restrictions.contactVisibility
  switch (view.kind) {
    case 'mine':
    case 'mentioned':
    case 'custom':
    case 'blocked':
      return { allowed: true }
    case 'all':
    case 'unassigned':
      return seesAllContacts(p)
        ? { allowed: true }
        : {
            allowed: false,
            reason: `${RESTRICTED}${visibility === 'team' ? " and your team's inbox" : ''}; the ${view.kind === 'all' ? 'All' : 'Unassigned'} inbox is not available to you (rules 44, 102).`,
          }
    case 'team':
      if (visibility === 'own') {
        return {
          allowed: false,
          reason: `${RESTRICTED}; team inboxes are not available to you (rules 45, 102).`,
        }
      }
      return p.teamId === view.teamId
        ? { allowed: true }
        : { allowed: false, reason: "Agents see only their own team's inbox (rule 45)." }
  }
}
