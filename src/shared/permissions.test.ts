import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  CAPABILITY_NAMES,
  can,
  canGrantRole,
  canManageMember,
  decide,
  NO_RESTRICTIONS,
  normalizeRestrictions,
  type Restrictions,
  type Role,
} from './permissions'
import { CHART, RESTRICTED_BY } from './rule104.chart'

const member = (role: Role, r: Partial<Restrictions> = {}) => ({
  role,
  restrictions: { ...NO_RESTRICTIONS, ...r },
})

describe('capability matrix (rule 104)', () => {
  test('the chart names every capability exactly once', () => {
    assert.deepEqual([...CHART.map((r) => r[0])].sort(), [...CAPABILITY_NAMES].sort())
  })

  for (const [cap, owner, manager, agent] of CHART) {
    for (const [role, cell] of [
      ['owner', owner],
      ['manager', manager],
      ['agent', agent],
    ] as [Role, string][]) {
      test(`${role} × ${cap} = ${cell}`, () => {
        assert.equal(can(member(role), cap), cell !== 'N', 'unrestricted member')
        if (cell === 'R') {
          const flags = RESTRICTED_BY[cap] ?? ['restrictSettings']
          for (const flag of flags) {
            const d = decide(member(role, { [flag]: true }), cap)
            assert.equal(d.allowed, false, `${flag} must deny ${cap}`)
            assert.match((d as { reason: string }).reason, /restricted/)
          }
        }
        if (cell === 'N')
          assert.match((decide(member(role), cap) as { reason: string }).reason, /has no access/)
      })
    }
  }

  test('restriction flags that do not belong to a role are dropped (rule 106)', () => {
    assert.deepEqual(
      normalizeRestrictions('owner', { restrictSettings: true, hideShortcuts: true }),
      NO_RESTRICTIONS,
    )
    assert.deepEqual(normalizeRestrictions('agent', { restrictSettings: true, contactVisibility: 'own' }), {
      ...NO_RESTRICTIONS,
      contactVisibility: 'own',
    })
    assert.equal(
      normalizeRestrictions('manager', { restrictExport: true, contactVisibility: 'team' }).contactVisibility,
      'all',
    )
  })

  test('a manager restricted from export cannot export but keeps settings (rule 101)', () => {
    const m = member('manager', { restrictExport: true })
    assert.equal(can(m, 'data.export'), false)
    assert.equal(can(m, 'settings.users'), true)
  })
})

describe('who may grant and manage access (rules 100, 103)', () => {
  test('owners grant any level; managers only agents; agents nothing', () => {
    for (const t of ['owner', 'manager', 'agent'] as Role[])
      assert.equal(canGrantRole('owner', t).allowed, true)
    assert.equal(canGrantRole('manager', 'agent').allowed, true)
    assert.equal(canGrantRole('manager', 'manager').allowed, false)
    assert.equal(canGrantRole('manager', 'owner').allowed, false)
    assert.equal(canGrantRole('agent', 'agent').allowed, false)
  })

  test('nobody edits or revokes themselves', () => {
    const d = canManageMember({ userId: 1, role: 'owner' }, { userId: 1, role: 'owner' })
    assert.deepEqual(d, { allowed: false, reason: 'You cannot edit or revoke your own access.' })
  })

  test('managers manage agents only; owners manage everyone else', () => {
    assert.equal(canManageMember({ userId: 1, role: 'manager' }, { userId: 2, role: 'agent' }).allowed, true)
    assert.equal(
      canManageMember({ userId: 1, role: 'manager' }, { userId: 2, role: 'manager' }).allowed,
      false,
    )
    assert.equal(canManageMember({ userId: 1, role: 'manager' }, { userId: 2, role: 'owner' }).allowed, false)
    assert.equal(canManageMember({ userId: 1, role: 'owner' }, { userId: 2, role: 'owner' }).allowed, true)
  })
})
