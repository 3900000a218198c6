import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { type GoogleSimulator, startGoogleSimulator } from '../../simulators/google/google.simulator'
import { type MetaCapiSimulator, startMetaCapiSimulator } from '../../simulators/meta-capi/capi.simulator'
import { startTiktokSimulator, type TiktokSimulator } from '../../simulators/tiktok/tiktok.simulator'
import type { TestClient } from '../test/client'
import { buildContact, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import {
  allowPrivateNetwork,
  definition,
  finished,
  node,
  publishWorkflow,
  SHORTCUT,
  startOn,
} from '../test/workflows'

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string }

/** A local API the HTTP step calls: answers by path, records what it got. */
async function startApi() {
  const seen: Seen[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname === '/customer') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            customerType: url.searchParams.get('email')?.startsWith('vip') ? 'VIP' : 'Regular',
            tier: { level: 3 },
          }),
        )
      } else if (url.pathname === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end('{"error":"no such customer"}')
      } else if (url.pathname === '/slow') {
        setTimeout(() => res.end('{}'), 3000)
      } else if (url.pathname === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(`{"x":"${'a'.repeat(300 * 1024)}"}`)
      } else if (url.pathname === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' })
        res.end()
      } else if (url.pathname === '/to-customer') {
        res.writeHead(303, { location: '/customer?email=vip@x.test' })
        res.end()
      } else {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"ok":true}')
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

let server: TestServer
let owner: TestClient
let ws: number
let api: Awaited<ReturnType<typeof startApi>>

const http = (config: Record<string, unknown>, branches?: Record<string, ReturnType<typeof node>[]>) =>
  node(
    'http_request',
    { method: 'GET', timeoutSeconds: 5, ...config },
    { id: 'call', ...(branches ? { branches } : {}) },
  )
const note = (id: string, text: string) => node('add_comment', { text }, { id })

async function comments(contactId: number): Promise<string[]> {
  const r = await owner.get(`/api/v1/workspaces/${ws}/contacts/${contactId}/comments`)
  return (r.body.comments as { body: string }[]).map((c) => c.body)
}

before(async () => {
  server = await startTestServer()
  const o = await setupOwner(server)
  owner = o.client
  ws = o.workspaceId
  api = await startApi()
})
after(async () => {
  await server.close()
  await api.close()
})

describe('HTTP Request step (rule 83)', () => {
  test('private addresses are refused until the workspace allows them', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        http({ url: `${api.url}/customer` }, { failure: [note('n', 'failed: $http.error')] }),
      ]),
    )
    const contact = await buildContact(server, ws)
    const run = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
    assert.equal(run.steps[0]!.branch, 'failure')
    assert.match(String(run.steps[0]!.output?.error), /loopback or private address/)
    assert.equal(api.seen.length, 0, 'nothing reached the server')
    // By name too: localhost resolves to a loopback address, checked at connection time.
    const byName = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        http({ url: `http://localhost:${api.port}/customer` }, { failure: [note('n', 'x')] }),
      ]),
    )
    const run2 = await finished(owner, ws, await startOn(owner, ws, byName, contact.id))
    assert.equal(run2.steps[0]!.branch, 'failure')
    assert.match(String(run2.steps[0]!.output?.error), /resolves to .*loopback or private/)
    assert.equal(api.seen.length, 0)
    await allowPrivateNetwork(owner, ws)
  })

  test('success maps JSONPath values into variables, with an Idempotency-Key per (run, step, visit); secrets stay out of the log', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        http({
          method: 'POST',
          url: `${api.url}/customer?email=$contact.email`,
          headers: [
            { name: 'Authorization', value: 'Bearer s3cr3t-token-value' },
            { name: 'X-Shop', value: 'shop-$contact.id' },
            { name: 'X-Signing', value: 'hidden-$contact.id', secret: true },
          ],
          body: {
            contentType: 'application/json',
            text: '{"name": "$contact.firstname", "missing": "$contact.country"}',
          },
          mappings: [
            { path: '$.customerType', variable: 'CustomerType' },
            { path: '$.tier.level', variable: 'Level' },
            { path: '$.nothing', variable: 'Nothing' },
          ],
        }),
        note('n', 'type=$CustomerType level=$Level status=$http.status nothing=$Nothing'),
      ]),
    )
    const contact = await buildContact(server, ws, { firstName: 'Quote "me"', email: 'vip+1@x.test' })
    const runId = await startOn(owner, ws, wf, contact.id)
    const run = await finished(owner, ws, runId)
    assert.equal(run.status, 'completed', JSON.stringify(run))
    assert.equal(run.steps[0]!.branch, 'success')
    const call = api.seen.at(-1)!
    assert.equal(call.method, 'POST')
    assert.equal(call.url, `/customer?email=${encodeURIComponent('vip+1@x.test')}`)
    assert.equal(call.headers['idempotency-key'], `wf:${runId}:call:1`)
    assert.equal(call.headers.authorization, 'Bearer s3cr3t-token-value')
    assert.equal(call.headers['x-shop'], `shop-${contact.id}`)
    // Values are escaped inside JSON; a variable without a value stays as written (rule 89).
    assert.deepEqual(JSON.parse(call.body), { name: 'Quote "me"', missing: '$contact.country' })
    assert.deepEqual(await comments(contact.id), [`type=VIP level=3 status=200 nothing=$Nothing`])
    const log = JSON.stringify(run.steps)
    assert.ok(!log.includes('s3cr3t-token-value'), 'the Authorization value is not in the step log')
    assert.ok(!log.includes(`hidden-${contact.id}`), 'a secret header is not in the step log')
    assert.ok(!server.logs().includes('s3cr3t-token-value'), 'nor in the server logs')
  })

  test('a non-2xx answer takes Failure with $http.status; a redirect is followed (303 as GET)', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        http({ url: `${api.url}/missing` }, { failure: [note('n', 'failed with $http.status')] }),
      ]),
    )
    const contact = await buildContact(server, ws)
    const run = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.branch]),
      [
        ['call', 'failure'],
        ['n', 'next'],
      ],
    )
    assert.deepEqual(await comments(contact.id), ['failed with 404'])
    const redirected = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        http({
          method: 'POST',
          url: `${api.url}/to-customer`,
          mappings: [{ path: '$.customerType', variable: 'T' }],
        }),
        note('n', '$T'),
      ]),
    )
    const c2 = await buildContact(server, ws)
    const r2 = await finished(owner, ws, await startOn(owner, ws, redirected, c2.id))
    assert.equal(r2.steps[0]!.branch, 'success')
    assert.deepEqual(await comments(c2.id), ['VIP'])
    assert.equal(api.seen.at(-1)!.method, 'GET')
  })

  test('refused always: cloud metadata, link-local, a redirect into them, this instance itself; timeouts and oversized answers fail', async () => {
    const contact = await buildContact(server, ws)
    const cases: [string, RegExp][] = [
      ['http://169.254.169.254/latest/meta-data/', /never allowed/],
      ['http://[fd00:ec2::254]/latest/meta-data/', /never allowed/],
      ['http://[::ffff:169.254.169.254]/', /never allowed/],
      ['http://100.100.100.200/latest/meta-data/', /never allowed/],
      [`${api.url}/to-metadata`, /never allowed/],
      [`${server.ctx.config.publicUrl}/api/v1/health`, /this Tawasul instance/],
      [`${api.url}/slow`, /Timed out/],
    ]
    for (const [url, why] of cases) {
      const wf = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [http({ url, timeoutSeconds: 1 }, { failure: [] })]),
      )
      const run = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
      assert.equal(run.steps[0]!.branch, 'failure', url)
      assert.match(String(run.steps[0]!.output?.error), why, url)
      assert.equal(run.status, 'completed', 'an empty Failure branch ends the run')
    }
    assert.ok(!api.seen.some((s) => s.url.includes('meta-data')))
    const huge = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [http({ url: `${api.url}/huge` }, { failure: [] })]),
    )
    const run = await finished(owner, ws, await startOn(owner, ws, huge, contact.id))
    assert.equal(run.steps[0]!.branch, 'failure')
    assert.equal(
      run.steps[0]!.output?.response && (run.steps[0]!.output.response as { truncated: boolean }).truncated,
      true,
    )
  })
})

describe('integration steps against the providers’ simulators (rules 84, 86)', () => {
  let google: GoogleSimulator
  let capi: MetaCapiSimulator
  let tiktok: TiktokSimulator
  before(async () => {
    google = await startGoogleSimulator()
    capi = await startMetaCapiSimulator()
    tiktok = await startTiktokSimulator()
    await owner.post(`/api/v1/workspaces/${ws}/contact-fields`, {
      key: 'ctwa_clid',
      name: 'CTWA click id',
      type: 'text',
    })
    await owner.post(`/api/v1/workspaces/${ws}/contact-fields`, {
      key: 'ttclid',
      name: 'TikTok click id',
      type: 'text',
    })
  })
  after(async () => {
    await google.close()
    await capi.close()
    await tiktok.close()
  })

  const connect = async (body: Record<string, unknown>) => {
    const r = await owner.post(`/api/v1/workspaces/${ws}/workflow-credentials`, body)
    assert.equal(r.status, 201, r.text)
    return r.body as { id: number; details: Record<string, string> }
  }

  test('Google Sheets: a service account (RS256 JWT) appends a row; a sheet not shared with it takes Failure', async () => {
    const cred = await connect({
      kind: 'google_service_account',
      name: 'Sheets',
      key: google.keyFile,
      apiBaseUrl: google.url,
    })
    assert.equal(cred.details.clientEmail, google.keyFile.client_email)
    assert.ok(!JSON.stringify(cred).includes('PRIVATE KEY'), 'the key is never presented')
    const list = await owner.get(`/api/v1/workspaces/${ws}/workflow-credentials`)
    assert.ok(!list.text.includes('PRIVATE KEY'))
    const sheet = google.createSpreadsheet(['Leads'])
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'google_sheets',
          {
            credentialId: cred.id,
            spreadsheetId: sheet.id,
            range: 'Leads',
            columns: ['$contact.firstname', '$contact.email', '$trigger.plan|none'],
          },
          { id: 'row', branches: { failure: [] } },
        ),
      ]),
    )
    const contact = await buildContact(server, ws, { firstName: 'Lina', email: 'lina@x.test' })
    const run = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
    assert.equal(run.steps[0]!.branch, 'success', JSON.stringify(run.steps[0]))
    assert.deepEqual(sheet.sheets[0]!.rows, [['Lina', 'lina@x.test', 'none']])
    assert.equal(run.steps[0]!.output?.updatedRange, 'Leads!A1:C1')
    const closed = google.createSpreadsheet(['Leads'], false)
    const wf2 = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'google_sheets',
          { credentialId: cred.id, spreadsheetId: closed.id, range: 'Leads', columns: ['x'] },
          { id: 'row', branches: { failure: [] } },
        ),
      ]),
    )
    const run2 = await finished(owner, ws, await startOn(owner, ws, wf2, contact.id))
    assert.equal(run2.steps[0]!.branch, 'failure')
    assert.match(String(run2.steps[0]!.output?.error), /does not have permission/)
    assert.deepEqual(closed.sheets[0]!.rows, [])
  })

  test('Meta Conversions API: a business-messaging event with the stored click id; without one Meta refuses it', async () => {
    const cred = await connect({
      kind: 'meta_conversions',
      name: 'Dataset',
      datasetId: capi.datasetId,
      accessToken: capi.accessToken,
      whatsappBusinessAccountId: '102290129340398',
      apiBaseUrl: capi.url,
    })
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'shortcut', conditions: { form: [{ key: 'total', label: 'Total', type: 'number' }] } },
        [
          node(
            'meta_conversions',
            { credentialId: cred.id, eventName: 'Purchase', value: '$trigger.total', currency: 'SAR' },
            { id: 'capi', branches: { failure: [] } },
          ),
        ],
      ),
    )
    const contact = await buildContact(server, ws, {
      phone: '+966501112233',
      custom: {
        ctwa_clid:
          'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
      },
    })
    const runId = await startOn(owner, ws, wf, contact.id, { total: '150' })
    const run = await finished(owner, ws, runId)
    assert.equal(run.steps[0]!.branch, 'success', JSON.stringify(run.steps[0]))
    const event = capi.events.get(`Purchase:wf:${runId}:capi:1`)
    assert.ok(event, 'Meta received the event under the step’s idempotency key')
    assert.equal(event.action_source, 'business_messaging')
    assert.equal(event.messaging_channel, 'whatsapp')
    assert.equal(event.user_data?.ctwa_clid, contact.custom.ctwa_clid)
    assert.deepEqual(event.custom_data, { value: 150, currency: 'SAR' })
    assert.ok(!JSON.stringify(run).includes(capi.accessToken))
    const bare = await buildContact(server, ws, { phone: '+966501112244' })
    const run2 = await finished(owner, ws, await startOn(owner, ws, wf, bare.id))
    assert.equal(run2.steps[0]!.branch, 'failure')
    assert.equal(run2.steps[0]!.output?.code, 100)
  })

  test('TikTok Events API: hashed identifiers and the click id; a revoked token takes Failure', async () => {
    const cred = await connect({
      kind: 'tiktok_events',
      name: 'Pixel',
      eventSourceId: tiktok.pixelCode,
      accessToken: tiktok.accessToken,
      apiBaseUrl: tiktok.url,
    })
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'tiktok_events',
          { credentialId: cred.id, event: 'CompletePayment', value: '99.5', currency: 'USD' },
          { id: 'tt', branches: { failure: [] } },
        ),
      ]),
    )
    const contact = await buildContact(server, ws, {
      email: 'Buyer@X.test',
      custom: { ttclid: 'E.C.P.abc123' },
    })
    const runId = await startOn(owner, ws, wf, contact.id)
    const run = await finished(owner, ws, runId)
    assert.equal(run.steps[0]!.branch, 'success', JSON.stringify(run.steps[0]))
    const e = tiktok.events.get(`wf:${runId}:tt:1`)!
    assert.equal(e.user?.ttclid, 'E.C.P.abc123')
    assert.match(String(e.user?.email), /^[0-9a-f]{64}$/)
    assert.deepEqual(e.properties, { value: 99.5, currency: 'USD' })
    const bad = await connect({
      kind: 'tiktok_events',
      name: 'Revoked',
      eventSourceId: tiktok.pixelCode,
      accessToken: 'revoked-token-000',
      apiBaseUrl: tiktok.url,
    })
    const wf2 = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'tiktok_events',
          { credentialId: bad.id, event: 'SubmitForm' },
          { id: 'tt', branches: { failure: [] } },
        ),
      ]),
    )
    const run2 = await finished(owner, ws, await startOn(owner, ws, wf2, contact.id))
    assert.equal(run2.steps[0]!.branch, 'failure')
    assert.equal(run2.steps[0]!.output?.code, 40105)
  })
})
