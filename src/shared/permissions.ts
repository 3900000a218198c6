/**
 * The capability matrix: rules 100–106 of the product spec as pure functions.
 * Shared by the server (services enforce it) and the web app (navigation hides what is denied).
 */

export const ROLES = ['owner', 'manager', 'agent'] as const
export type Role = (typeof ROLES)[number]

export const CONTACT_VISIBILITIES = ['all', 'team', 'own'] as const
export type ContactVisibility = (typeof CONTACT_VISIBILITIES)[number]

/** Rule 106: restriction flags on a workspace membership. */
export type Restrictions = {
  restrictSettings: boolean
  restrictContactDelete: boolean
  restrictExport: boolean
  restrictIntegrations: boolean
  contactVisibility: ContactVisibility
  hideShortcuts: boolean
}

export const NO_RESTRICTIONS: Restrictions = {
  restrictSettings: false,
  restrictContactDelete: false,
  restrictExport: false,
  restrictIntegrations: false,
  contactVisibility: 'all',
  hideShortcuts: false,
}

export type RestrictionFlag = Exclude<keyof Restrictions, 'contactVisibility'>

/**
 * One entry per row of the chart in rule 104, plus the restrictions of rules 101–102.
 * `label` is the user-facing name used in 403 messages.
 */
export const CAPABILITIES = {
  'dashboard.view': { row: 1, label: 'the Dashboard' },
  'contacts.view': { row: 2, label: 'the Contacts module' },
  'inbox.view': { row: 3, label: 'the Inbox' },
  'shortcuts.use': { row: 4, label: 'Shortcuts' },
  'broadcasts.manage': { row: 5, label: 'Broadcasts' },
  'reports.view': { row: 6, label: 'Reports' },
  'workflows.manage': { row: 6, label: 'Workflows' },
  'settings.access': { row: 7, label: 'Workspace Settings' },
  'settings.general': { row: 8, label: 'Workspace Settings: General' },
  'settings.users': { row: 9, label: 'Workspace Settings: Users' },
  'settings.teams': { row: 10, label: 'Workspace Settings: Teams' },
  'settings.channels': { row: 11, label: 'Workspace Settings: Channels' },
  'settings.contactFields': { row: 12, label: 'Workspace Settings: Contact Fields' },
  'settings.integrations': { row: 13, label: 'Workspace Settings: Integrations' },
  'settings.codeBlocks': { row: 14, label: 'Workspace Settings: Code blocks' },
  'settings.files': { row: 15, label: 'Workspace Settings: Files' },
  'data.export': { row: 16, label: 'data export' },
  'profile.manage': { row: 17, label: 'your user account' },
  'mobile.use': { row: 18, label: 'the mobile app' },
  'contacts.delete': { row: 101, label: 'contact deletion' },
} as const satisfies Record<string, { row: number; label: string }>

export type Capability = keyof typeof CAPABILITIES
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as Capability[]

/** A cell of the chart: ✅ yes, ❌ no, ⭕ yes unless one of the listed restriction flags is set. */
export type Cell =
  | { kind: 'yes' }
  | { kind: 'no' }
  | { kind: 'restrictable'; flags: readonly RestrictionFlag[] }

const Y: Cell = { kind: 'yes' }
const N: Cell = { kind: 'no' }
const R = (...flags: RestrictionFlag[]): Cell => ({ kind: 'restrictable', flags })
const SETTINGS = R('restrictSettings')

export const MATRIX: Record<Capability, Record<Role, Cell>> = {
  'dashboard.view': { owner: Y, manager: Y, agent: N },
  'contacts.view': { owner: Y, manager: Y, agent: N },
  'inbox.view': { owner: Y, manager: Y, agent: Y },
  'shortcuts.use': { owner: Y, manager: Y, agent: R('hideShortcuts') },
  'broadcasts.manage': { owner: Y, manager: Y, agent: N },
  'reports.view': { owner: Y, manager: Y, agent: N },
  'workflows.manage': { owner: Y, manager: Y, agent: N },
  'settings.access': { owner: Y, manager: SETTINGS, agent: N },
  'settings.general': { owner: Y, manager: SETTINGS, agent: N },
  'settings.users': { owner: Y, manager: SETTINGS, agent: N },
  'settings.teams': { owner: Y, manager: SETTINGS, agent: N },
  'settings.channels': { owner: Y, manager: SETTINGS, agent: N },
  'settings.contactFields': { owner: Y, manager: SETTINGS, agent: N },
  'settings.integrations': { owner: Y, manager: R('restrictSettings', 'restrictIntegrations'), agent: N },
  'settings.codeBlocks': { owner: Y, manager: SETTINGS, agent: N },
  'settings.files': { owner: Y, manager: SETTINGS, agent: N },
  // Rule 101: "Data Export: no export from any module" — independent of settings access.
  'data.export': { owner: Y, manager: R('restrictExport'), agent: N },
  'profile.manage': { owner: Y, manager: Y, agent: Y },
  'mobile.use': { owner: Y, manager: Y, agent: Y },
  'contacts.delete': { owner: Y, manager: R('restrictContactDelete'), agent: N },
}

/** Which restriction flags apply to which role (rules 101–102); others are ignored and stored false. */
export const FLAGS_BY_ROLE: Record<Role, readonly (keyof Restrictions)[]> = {
  owner: [],
  manager: ['restrictSettings', 'restrictContactDelete', 'restrictExport', 'restrictIntegrations'],
  agent: ['contactVisibility', 'hideShortcuts'],
}

export type Member = { role: Role; restrictions: Restrictions }

export type Decision = { allowed: true } | { allowed: false; reason: string }

/** Rules 44, 102: whether the member sees every contact, and so the All and Unassigned inboxes. */
export function seesAllContacts(member: Member): boolean {
  return member.role !== 'agent' || member.restrictions.contactVisibility === 'all'
}

/** The inbox a member lands on: the first standard view offered, All or else Mine (rule 44). */
export function defaultInboxView(member: Member): 'all' | 'mine' {
  return seesAllContacts(member) ? 'all' : 'mine'
}

const ROLE_LABEL: Record<Role, string> = { owner: 'Owner', manager: 'Manager', agent: 'Agent' }

export function decide(member: Member, capability: Capability): Decision {
  const cell = MATRIX[capability][member.role]
  const label = CAPABILITIES[capability].label
  if (cell.kind === 'yes') return { allowed: true }
  if (cell.kind === 'no') {
    return { allowed: false, reason: `The ${ROLE_LABEL[member.role]} role has no access to ${label}.` }
  }
  const blocking = cell.flags.find((flag) => member.restrictions[flag])
  if (blocking) {
    return {
      allowed: false,
      reason: `Your access to ${label} is restricted by the workspace owner (${blocking}).`,
    }
  }
  return { allowed: true }
}

export function can(member: Member, capability: Capability): boolean {
  return decide(member, capability).allowed
}

export function capabilitiesOf(member: Member): Record<Capability, boolean> {
  return Object.fromEntries(CAPABILITY_NAMES.map((c) => [c, can(member, c)])) as Record<Capability, boolean>
}

/** Keeps only the flags that mean something for the role (rule 106), so stored data is canonical. */
export function normalizeRestrictions(role: Role, input: Partial<Restrictions>): Restrictions {
  const allowed = FLAGS_BY_ROLE[role]
  const out: Restrictions = { ...NO_RESTRICTIONS }
  for (const key of allowed) {
    const value = input[key]
    if (value !== undefined) (out as Record<string, unknown>)[key] = value
  }
  return out
}

/**
 * Rule 100: Owners invite Owners, Managers and Agents; Managers invite Agents only.
 * Rule 103: nobody edits or revokes their own access; Managers manage Agents only.
 */
export function canGrantRole(actor: Role, target: Role): Decision {
  if (actor === 'owner') return { allowed: true }
  if (actor === 'manager' && target === 'agent') return { allowed: true }
  return {
    allowed: false,
    reason: `A ${ROLE_LABEL[actor]} cannot grant the ${ROLE_LABEL[target]} access level.`,
  }
}

export function canManageMember(
  actor: { userId: number; role: Role },
  target: { userId: number; role: Role },
): Decision {
  if (actor.userId === target.userId) {
    return { allowed: false, reason: 'You cannot edit or revoke your own access.' }
  }
  if (actor.role === 'owner') return { allowed: true }
  if (actor.role === 'manager' && target.role === 'agent') return { allowed: true }
  return {
    allowed: false,
    reason: `A ${ROLE_LABEL[actor.role]} cannot change the access of a ${ROLE_LABEL[target.role]}.`,
  }
}
