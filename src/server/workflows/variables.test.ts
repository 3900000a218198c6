import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { VariableScope } from './variables'

let server: TestServer
let owner: TestClient
let ws: number

describe('variables from the contact, its assignee and the workspace clock (rules 87–88)', () => {
  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    await owner.patch(`/api/v1/workspaces/${ws}`, { timezone: 'Asia/Riyadh' })
  })
  after(() => server.close())

  test('$contact.*, $assignee.*, $system.* in the workspace time zone, workflow variables; missing ones kept (rule 89)', async () => {
    const agent = await buildUser(server, ws, 'agent', { name: 'Amal Agent', email: 'amal@acme.test' })
    const c = await buildContact(server, ws, {
      firstName: 'Sara',
      lastName: 'Ali',
      email: 'sara@x.test',
      phone: '+966501234567',
      country: 'SA',
      custom: { city: 'Jeddah', vip: true },
      assigneeUserId: agent.userId,
    })
    const at = new Date('2025-03-01T21:30:05Z') // 2025-03-02 00:30:05 in Riyadh
    const scope = new VariableScope(
      server.ctx.db,
      ws,
      c.id,
      { trigger: { plan: 'gold' }, CustomerType: 'VIP', http: { status: 200 } },
      at,
    )
    assert.equal(
      await scope.fill(
        '$contact.name: $contact.firstname $contact.lastname <$contact.email> $contact.phone $contact.country #$contact.id',
      ),
      `Sara Ali: Sara Ali <sara@x.test> +966501234567 SA #${c.id}`,
    )
    assert.equal(
      await scope.fill('$contact.city $contact.vip $contact.language $contact.language|ar'),
      'Jeddah true $contact.language ar',
    )
    assert.equal(
      await scope.fill('$assignee.name <$assignee.email> $assignee.id'),
      `Amal Agent <amal@acme.test> ${agent.userId}`,
    )
    assert.equal(
      await scope.fill('$system.current_datetime / $system.current_date / $system.current_time'),
      '2025-03-02 00:30:05 / 2025-03-02 / 00:30:05',
    )
    assert.equal(
      await scope.fill('$trigger.plan $CustomerType $http.status $trigger.none'),
      'gold VIP 200 $trigger.none',
    )
    assert.equal(await scope.value('$contact.city'), 'Jeddah')
    assert.equal(await scope.value('CustomerType'), 'VIP')
    const unassigned = await buildContact(server, ws)
    assert.equal(
      await new VariableScope(server.ctx.db, ws, unassigned.id, {}, at).fill('Hi $assignee.name|team'),
      'Hi team',
    )
  })
})
