import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CAPABILITY_NAMES, type Capability, type Restrictions, type Role } from '../../shared/permissions'
import { chartAllows } from '../../shared/rule104.chart'
import type { TestClient } from '../test/client'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

/**
 * Rule 104, every role × capability cell, through the HTTP API. Each kind of member signs in;
 * for every capability we check the capability map the API reports and, where a route exists,
 * that the route itself allows or refuses (403 with a clear message).
 */
type Persona = { label: string; role: Role; restrictions: Partial<Restrictions> }
const PERSONAS: Persona[] = [
  { label: 'owner', role: 'owner', restrictions: {} },
  { label: 'manager', role: 'manager', restrictions: {} },
  { label: 'manager (settings restricted)', role: 'manager', restrictions: { restrictSettings: true } },
  { label: 'manager (export restricted)', role: 'manager', restrictions: { restrictExport: true } },
  {
    label: 'manager (integrations restricted)',
    role: 'manager',
    restrictions: { restrictIntegrations: true },
  },
  {
    label: 'manager (contact deletion restricted)',
    role: 'manager',
    restrictions: { restrictContactDelete: true },
  },
  { label: 'agent', role: 'agent', restrictions: {} },
  {
    label: 'agent (shortcuts hidden, own contacts only)',
    role: 'agent',
    restrictions: { hideShortcuts: true, contactVisibility: 'own' },
  },
]

type Probe = {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** May create what the request acts on (each persona that is allowed consumes one). */
  path: (ws: number) => string | Promise<string>
  body?: unknown | (() => unknown)
}

let probeSeq = 0

/** A request that exercises each capability. Later modules add theirs here. */
const PROBES: Partial<Record<Capability, Probe>> = {
  'settings.general': {
    method: 'PATCH',
    path: (ws) => `/api/v1/workspaces/${ws}`,
    body: { timezone: 'Asia/Riyadh' },
  },
  'settings.users': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/users` },
  'settings.teams': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/teams` },
  'settings.integrations': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/api-tokens` },
  'profile.manage': { method: 'PATCH', path: () => '/api/v1/me', body: { status: 'online' } },
  'inbox.view': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/inbox?view=mine` },
  'contacts.view': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/contacts` },
  'contacts.delete': {
    method: 'DELETE',
    path: async (ws) => `/api/v1/workspaces/${ws}/contacts/${(await buildContact(server, ws)).id}`,
  },
  'data.export': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/contacts/export` },
  'workflows.manage': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/workflows` },
  'shortcuts.use': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/shortcuts` },
  'settings.contactFields': {
    method: 'POST',
    path: (ws) => `/api/v1/workspaces/${ws}/contact-fields`,
    body: () => ({ key: `probe_${++probeSeq}`, name: 'Probe', type: 'text' }),
  },
}

/**
 * Capabilities whose module has no HTTP route yet; their cells are still checked through the
 * capability map. Adding a route means adding a probe above and removing the name here.
 */
const NOT_YET_ROUTED: Capability[] = [
  'dashboard.view',
  'broadcasts.manage',
  'reports.view',
  'settings.access',
  'settings.channels',
  'settings.codeBlocks',
  'settings.files',
  'mobile.use',
]

let server: TestServer

describe('permission matrix through the HTTP API (rules 100–106)', () => {
  let workspaceId: number
  const clients = new Map<string, TestClient>()

  before(async () => {
    server = await startTestServer()
    const owner = await setupOwner(server)
    workspaceId = owner.workspaceId
    clients.set('owner', owner.client)
    for (const p of PERSONAS.slice(1)) {
      clients.set(
        p.label,
        (await buildUser(server, workspaceId, p.role, { restrictions: p.restrictions })).client,
      )
    }
  })
  after(() => server.close())

  test('every capability has a probe or is listed as not yet routed', () => {
    assert.deepEqual([...Object.keys(PROBES), ...NOT_YET_ROUTED].sort(), [...CAPABILITY_NAMES].sort())
  })

  for (const persona of PERSONAS) {
    test(`${persona.label}: every cell`, async () => {
      const client = clients.get(persona.label)!
      const view = await client.get(`/api/v1/workspaces/${workspaceId}`)
      assert.equal(view.status, 200)
      for (const cap of CAPABILITY_NAMES) {
        const expected = chartAllows(cap, persona.role, persona.restrictions)
        assert.equal(view.body.capabilities[cap], expected, `capability map: ${persona.label} × ${cap}`)
        const probe = PROBES[cap]
        if (!probe) continue
        const body = typeof probe.body === 'function' ? probe.body() : probe.body
        const res = await client.request(probe.method, await probe.path(workspaceId), body)
        if (expected) {
          assert.ok(
            res.status < 400,
            `${persona.label} × ${cap} should be allowed, got ${res.status} ${res.text}`,
          )
        } else {
          assert.equal(res.status, 403, `${persona.label} × ${cap} should be 403, got ${res.status}`)
          assert.equal(res.body.error.code, 'forbidden')
          assert.match(res.body.error.message, /has no access to|is restricted by the workspace owner/)
        }
      }
    })
  }

  test('data export follows its own restriction, independent of settings (rule 101)', async () => {
    for (const what of ['users', 'contacts']) {
      const url = `/api/v1/workspaces/${workspaceId}/${what}/export`
      assert.equal((await clients.get('manager')!.get(url)).status, 200)
      assert.equal(
        (await clients.get('manager (settings restricted)')!.get(url)).status,
        what === 'users' ? 403 : 200,
      )
      assert.equal((await clients.get('manager (export restricted)')!.get(url)).status, 403)
      assert.equal((await clients.get('agent')!.get(url)).status, 403)
    }
  })

  test('denials name the missing access', async () => {
    const res = await clients.get('agent')!.get(`/api/v1/workspaces/${workspaceId}/users`)
    assert.equal(res.body.error.message, 'The Agent role has no access to Workspace Settings: Users.')
    const restricted = await clients
      .get('manager (settings restricted)')!
      .get(`/api/v1/workspaces/${workspaceId}/teams`)
    assert.equal(
      restricted.body.error.message,
      'Your access to Workspace Settings: Teams is restricted by the workspace owner (restrictSettings).',
    )
  })
})
