import type { Capability, Restrictions } from './permissions'

/**
 * Test fixture: the chart of rule 104 transcribed from the spec (✅ = Y, ⭕ = R, ❌ = N),
 * independent of the implementation's MATRIX, plus rule 101's contact deletion and rule 60's
 * Workflows row. Both the pure and the HTTP permission tests check against it.
 */
export const CHART: [Capability, string, string, string][] = [
  ['dashboard.view', 'Y', 'Y', 'N'], // 1
  ['contacts.view', 'Y', 'Y', 'N'], // 2
  ['inbox.view', 'Y', 'Y', 'Y'], // 3
  ['shortcuts.use', 'Y', 'Y', 'R'], // 4
  ['broadcasts.manage', 'Y', 'Y', 'N'], // 5
  ['reports.view', 'Y', 'Y', 'N'], // 6
  ['workflows.manage', 'Y', 'Y', 'N'], // 6 (rule 60)
  ['settings.access', 'Y', 'R', 'N'], // 7
  ['settings.general', 'Y', 'R', 'N'], // 8
  ['settings.users', 'Y', 'R', 'N'], // 9
  ['settings.teams', 'Y', 'R', 'N'], // 10
  ['settings.channels', 'Y', 'R', 'N'], // 11
  ['settings.contactFields', 'Y', 'R', 'N'], // 12
  ['settings.integrations', 'Y', 'R', 'N'], // 13
  ['settings.codeBlocks', 'Y', 'R', 'N'], // 14
  ['settings.files', 'Y', 'R', 'N'], // 15
  ['data.export', 'Y', 'R', 'N'], // 16
  ['profile.manage', 'Y', 'Y', 'Y'], // 17
  ['mobile.use', 'Y', 'Y', 'Y'], // 18
  ['contacts.delete', 'Y', 'R', 'N'], // rule 101
]

/** Which flags restrict a ⭕ cell (rules 101–102); settings rows are governed by restrictSettings. */
export const RESTRICTED_BY: Partial<Record<Capability, (keyof Restrictions)[]>> = {
  'shortcuts.use': ['hideShortcuts'],
  'settings.integrations': ['restrictSettings', 'restrictIntegrations'],
  'data.export': ['restrictExport'],
  'contacts.delete': ['restrictContactDelete'],
}

/** The expected answer for a member, straight from the chart. */
export function chartAllows(
  cap: Capability,
  role: 'owner' | 'manager' | 'agent',
  r: Partial<Restrictions>,
): boolean {
  const row = CHART.find((c) => c[0] === cap)!
  const cell = role === 'owner' ? row[1] : role === 'manager' ? row[2] : row[3]
  if (cell === 'N') return false
  if (cell === 'Y') return true
  return !(RESTRICTED_BY[cap] ?? ['restrictSettings']).some((flag) => Boolean(r[flag]))
}
