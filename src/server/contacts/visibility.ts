import type { Principal } from '../auth/principal'
import { NotFoundError } from '../errors'
import type { ContactRow } from './contacts.repo'

/**
 * Rules 44–45 and 102: agents restricted to "own" see only contacts assigned to them; "team"
 * adds contacts assigned to their team; nobody restricted sees unassigned contacts.
 */
export function canSeeContact(
  p: Principal,
  contact: Pick<ContactRow, 'assigneeUserId' | 'assigneeTeamId'>,
): boolean {
  if (p.kind === 'api' || p.role !== 'agent' || p.restrictions.contactVisibility === 'all') return true
  if (contact.assigneeUserId === p.userId) return true
  return (
    p.restrictions.contactVisibility === 'team' && p.teamId !== null && contact.assigneeTeamId === p.teamId
  )
}

/** Invisible contacts are reported as missing, so ids do not leak. */
export function assertCanSee(p: Principal, contact: ContactRow | undefined): ContactRow {
  if (!contact || !canSeeContact(p, contact)) throw new NotFoundError('Contact')
  return contact
}
