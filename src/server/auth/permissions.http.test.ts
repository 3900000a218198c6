import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CAPABILITY_NAMES, type Capability, type Restrictions, type Role } from '../../shared/permissions'
import { chartAllows } from '../../shared/rule104.chart'
import { upsertTemplate } from '../messages/templates.repo'
import { apiV2Client } from '../test/api-v2'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound } from '../test/custom-channel'
import { buildContact, buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { allowed } from './principal'

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
  'settings.channels': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/channel-types` },
  'workflows.manage': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/workflows` },
  'shortcuts.use': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/shortcuts` },
  'settings.files': { method: 'GET', path: (ws) => `/api/v1/workspaces/${ws}/library/files` },
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
  'settings.codeBlocks',
  'mobile.use',
]

/** What the developer API probes act on, made once per run. */
type V2Fixture = {
  ws: number
  ownerId: number
  channelId: number
  /** A contact who wrote in on the custom channel, and a message of theirs. */
  contactId: number
  messageId: number
  fieldId: number
  templateId: number
  /** A fresh contact for the probes that delete or merge one. */
  freshContact: () => Promise<number>
  /** A fresh workspace tag (its name) for the probes that rename or delete one. */
  freshTag: () => Promise<string>
}
type V2Probe = {
  /** The strongest capability the route's services check (API tokens act as an Owner, minus API_DENIED). */
  capability: Capability
  /** The request names this workspace's data: another workspace's token must get a 404. */
  foreign404?: true
  request: (f: V2Fixture) => Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown }
}

/**
 * The developer API (/v2, respond.io compatible): every operation, keyed as the OpenAPI document
 * names it, with the capability it needs and a request that exercises it with a workspace API
 * token. Adding a /v2 route means adding it here (the first v2 test fails otherwise).
 */
const V2_PROBES: Record<string, V2Probe> = {
  'GET /contact/{identifier}': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}` }),
  },
  'POST /contact/{identifier}': {
    capability: 'contacts.view',
    request: () => ({ path: `/contact/email:probe-${++probeSeq}@example.com`, body: { firstName: 'Probe' } }),
  },
  'PUT /contact/{identifier}': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}`, body: { lastName: 'Probed' } }),
  },
  'DELETE /contact/{identifier}': {
    foreign404: true,
    capability: 'contacts.delete',
    request: async (f) => ({ path: `/contact/id:${await f.freshContact()}` }),
  },
  'POST /contact/create_or_update/{identifier}': {
    capability: 'contacts.view',
    request: () => ({
      path: `/contact/create_or_update/email:probe-${++probeSeq}@example.com`,
      body: { firstName: 'Probe' },
    }),
  },
  'POST /contact/merge': {
    foreign404: true,
    capability: 'contacts.view',
    request: async (f) => ({
      path: '/contact/merge',
      body: { contactIds: [await f.freshContact(), await f.freshContact()] },
    }),
  },
  'POST /contact/list': { capability: 'contacts.view', request: () => ({ path: '/contact/list' }) },
  'GET /contact/{identifier}/channels': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/channels` }),
  },
  'POST /contact/{identifier}/tag': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/tag`, body: ['probe'] }),
  },
  'DELETE /contact/{identifier}/tag': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/tag`, body: ['probe'] }),
  },
  'POST /contact/{identifier}/lifecycle/update': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/lifecycle/update`, body: { name: null } }),
  },
  'POST /contact/{identifier}/message': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({
      path: `/contact/id:${f.contactId}/message`,
      body: { channelId: f.channelId, message: { type: 'text', text: 'Probe' } },
    }),
  },
  'GET /contact/{identifier}/message/list': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/message/list` }),
  },
  'GET /contact/{identifier}/message/{messageId}': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/message/${f.messageId}` }),
  },
  'POST /contact/{identifier}/conversation/status': {
    foreign404: true,
    capability: 'inbox.view',
    // A contact with no open conversation (the fixture's contact has one since it wrote in).
    request: async (f) => ({
      path: `/contact/id:${await f.freshContact()}/conversation/status`,
      body: { status: 'open' },
    }),
  },
  'POST /contact/{identifier}/conversation/assignee': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({
      path: `/contact/id:${f.contactId}/conversation/assignee`,
      body: { assignee: f.ownerId },
    }),
  },
  'POST /contact/{identifier}/comment': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/contact/id:${f.contactId}/comment`, body: { text: 'Probe' } }),
  },
  'GET /space/user': { capability: 'inbox.view', request: () => ({ path: '/space/user' }) },
  'GET /space/user/{id}': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/space/user/${f.ownerId}` }),
  },
  'GET /space/custom_field': { capability: 'inbox.view', request: () => ({ path: '/space/custom_field' }) },
  'GET /space/custom_field/{id}': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/space/custom_field/${f.fieldId}` }),
  },
  'POST /space/custom_field': {
    capability: 'settings.contactFields',
    request: () => ({ path: '/space/custom_field', body: { name: `Probe ${++probeSeq}`, dataType: 'text' } }),
  },
  'GET /space/closing_notes': { capability: 'inbox.view', request: () => ({ path: '/space/closing_notes' }) },
  'GET /space/channel': { capability: 'inbox.view', request: () => ({ path: '/space/channel' }) },
  'GET /space/channel/{id}/template': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/space/channel/${f.channelId}/template` }),
  },
  'GET /space/mtm/{templateId}': {
    foreign404: true,
    capability: 'inbox.view',
    request: (f) => ({ path: `/space/mtm/${f.templateId}` }),
  },
  'POST /space/tag': {
    capability: 'settings.contactFields',
    request: () => ({ path: '/space/tag', body: { name: `probe-tag-${++probeSeq}` } }),
  },
  'PUT /space/tag': {
    foreign404: true,
    capability: 'settings.contactFields',
    request: async (f) => {
      const currentName = await f.freshTag()
      return { path: '/space/tag', body: { currentName, name: `${currentName}-renamed` } }
    },
  },
  'DELETE /space/tag': {
    foreign404: true,
    capability: 'settings.contactFields',
    request: async (f) => ({ path: '/space/tag', body: { name: await f.freshTag() } }),
  },
}

let server: TestServer
/** The owner's workspace API token, as a client. */
let v2Owner: TestClient

async function v2Fixture(owner: TestClient, ws: number, ownerId: number): Promise<V2Fixture> {
  // Nothing listens on port 9: sends are queued and fail in the job, which these probes do not wait for.
  const channel = await connectCustomChannel(owner, ws, 'http://127.0.0.1:9/message')
  const phone = '+966501112233'
  assert.equal((await inbound(server, channel, { from: phone, text: 'Probe me' })).status, 200)
  const contact = await v2Owner.get(`/v2/contact/${encodeURIComponent(`phone:${phone}`)}`)
  assert.equal(contact.status, 200, contact.text)
  const { rows } = await server.ctx.database.query<{ id: number }>(
    'SELECT id FROM messages WHERE workspace_id = $1 AND contact_id = $2',
    [ws, contact.body.id],
  )
  const field = await v2Owner.post('/v2/space/custom_field', { name: 'Probe field', dataType: 'text' })
  assert.equal(field.status, 200, field.text)
  const template = await upsertTemplate(server.ctx.db, {
    workspaceId: ws,
    channelId: channel.id,
    name: 'probe_template',
    language: 'en',
    category: 'UTILITY',
    status: 'APPROVED',
    providerTemplateId: 'probe-1',
    components: [{ type: 'BODY', text: 'Hi {{1}}' }],
  })
  return {
    ws,
    ownerId,
    channelId: channel.id,
    contactId: contact.body.id,
    messageId: rows[0]!.id,
    fieldId: field.body.id,
    templateId: template.id,
    freshContact: async () => (await buildContact(server, ws)).id,
    freshTag: async () => {
      const name = `probe-tag-${++probeSeq}`
      const res = await v2Owner.post('/v2/space/tag', { name })
      assert.equal(res.status, 200, res.text)
      return name
    },
  }
}

describe('permission matrix through the HTTP API (rules 100–106)', () => {
  let workspaceId: number
  let ownerId: number
  const clients = new Map<string, TestClient>()

  before(async () => {
    server = await startTestServer()
    const owner = await setupOwner(server)
    workspaceId = owner.workspaceId
    ownerId = owner.userId
    clients.set('owner', owner.client)
    v2Owner = (await apiV2Client(server, owner.client, workspaceId)).client
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

  test('developer API v2: the probe table lists every /v2 operation of the OpenAPI document', async () => {
    const doc = (await clients.get('owner')!.get('/api/docs/json')).body
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v2/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.slice(3)}`))
    assert.deepEqual(operations.sort(), Object.keys(V2_PROBES).sort())
  })

  test('developer API v2: every route serves a workspace API token as far as tokens are allowed; another workspace’s token gets 404; a session alone is a 401', async () => {
    const owner = clients.get('owner')!
    const f = await v2Fixture(owner, workspaceId, ownerId)
    const other = await buildWorkspace(server)
    const foreign = (await apiV2Client(server, other.owner.client, other.workspaceId)).client
    const token = { kind: 'api', tokenId: 0, workspaceId, organizationId: 0 } as const
    for (const [key, probe] of Object.entries(V2_PROBES)) {
      const method = key.split(' ')[0] as Probe['method']
      const first = await probe.request(f)
      const res = await v2Owner.request(method, `/v2${first.path}`, first.body)
      if (allowed(token, probe.capability)) {
        assert.ok(res.status < 400, `API token × ${key} should be allowed, got ${res.status} ${res.text}`)
      } else {
        assert.equal(res.status, 403, `API token × ${key} should be 403, got ${res.status}`)
        assert.match(res.body.message, /API tokens cannot use/)
      }
      if (probe.foreign404) {
        const theirs = await probe.request(f)
        const res = await foreign.request(method, `/v2${theirs.path}`, theirs.body)
        assert.equal(res.status, 404, `other workspace × ${key} should be 404, got ${res.status} ${res.text}`)
        assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message'])
      }
      // The owner's session cookie is not a credential for /v2 (respond.io: Bearer token only).
      const again = await probe.request(f)
      const session = await owner.request(method, `/v2${again.path}`, again.body)
      assert.equal(session.status, 401, `session × ${key} should be 401, got ${session.status}`)
      assert.deepEqual(Object.keys(session.body).sort(), ['code', 'message'])
    }
  })

  test('profile routes (rule 104 row 17) are open to every member, with a session only', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    )
    for (const persona of PERSONAS) {
      const client = clients.get(persona.label)!
      const up = await server.app.inject({
        method: 'PUT',
        url: '/api/v1/me/avatar',
        headers: {
          cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          'x-csrf-token': client.csrf ?? '',
          'content-type': 'image/png',
        },
        payload: png,
      })
      assert.equal(up.statusCode, 200, `${persona.label} × PUT /me/avatar`)
      const avatarUrl = up.json().avatarUrl as string
      for (const other of PERSONAS) {
        const res = await clients.get(other.label)!.get(avatarUrl)
        assert.equal(res.status, 200, `${other.label} sees ${persona.label}'s avatar`)
      }
      const prefs = await client.patch('/api/v1/me', { notificationPrefs: { mention: { browser: true } } })
      assert.equal(prefs.status, 200, `${persona.label} × PATCH /me notificationPrefs`)
      assert.equal(
        (await client.delete('/api/v1/me/avatar')).status,
        200,
        `${persona.label} × DELETE /me/avatar`,
      )
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
