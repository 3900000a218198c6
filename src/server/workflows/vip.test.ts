import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, describe, test } from 'node:test'
import type { WorkflowDefinition } from '../../shared/workflow/definition'
import { configureStep, findStep } from '../../shared/workflow/tree'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { allowPrivateNetwork, runsOf, waitForRun } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
let channel: Awaited<ReturnType<typeof connectCustomChannel>>
let destination: Awaited<ReturnType<typeof startDestination>>
let crm: Server
let crmUrl: string
const lookups: string[] = []
const api = (p: string) => `/api/v1/workspaces/${ws}${p}`

/**
 * Seed 000, "Routing VIP contacts", end to end through a channel: the template, completed in the
 * builder's way (tree helpers on the JSON, one PUT), published, and driven by a contact writing.
 */
describe('VIP routing (seed 000) end to end', () => {
  let dedicated: { userId: number }
  let team: number
  let teamMembers: number[]
  let wf: number

  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    destination = await startDestination()
    channel = await connectCustomChannel(owner, ws, destination.url)
    crm = createServer((req, res) => {
      const email = new URL(req.url ?? '/', 'http://x').searchParams.get('email') ?? ''
      lookups.push(email)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ email, customerType: email.startsWith('vip') ? 'VIP' : 'Regular' }))
    })
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', r))
    crmUrl = `http://127.0.0.1:${(crm.address() as { port: number }).port}`
    await allowPrivateNetwork(owner, ws)
    dedicated = await buildUser(server, ws, 'agent', { name: 'VIP Desk' })
    team = (await owner.post(api('/teams'), { name: 'Front line' })).body.id
    teamMembers = []
    for (let i = 0; i < 2; i++)
      teamMembers.push((await buildUser(server, ws, 'agent', { teamId: team })).userId)

    const created = await owner.post(api('/workflows'), { name: 'VIP routing', templateKey: 'vip_routing' })
    assert.equal(created.status, 201)
    let def = created.body.definition as WorkflowDefinition
    const configure = (id: string, patch: Record<string, unknown>) => {
      def = configureStep(def, id, { ...findStep(def, id)!.config, ...patch })
    }
    configure('crm_lookup', { url: `${crmUrl}/customers?email=$contact.email` })
    configure('assign_vip', { userId: dedicated.userId })
    configure('assign_team', { teamId: team })
    configure('assign_after_retries', { teamId: team })
    const saved = await owner.put(api(`/workflows/${created.body.id}/draft`), { definition: def })
    assert.deepEqual(saved.body.problems, [])
    const published = await owner.post(api(`/workflows/${created.body.id}/publish`))
    assert.equal(published.status, 200, published.text)
    wf = created.body.id
  })
  after(async () => {
    await server.close()
    await destination.close()
    crm.close()
  })

  async function contactByPhone(phone: string): Promise<number> {
    return waitFor(async () => {
      const r = await owner.get(api(`/contacts?q=${encodeURIComponent(phone)}`))
      return (r.body.contacts as { id: number; phone: string }[]).find((c) => c.phone === phone)?.id
    })
  }
  const asked = (phone: string) =>
    destination.received.filter(
      (r) => r.body?.contactId === phone && /What is your email address/.test(r.body.message?.text ?? ''),
    ).length

  test('no email: asked, an invalid answer re-asks (Jump To), a VIP email is looked up and the contact goes to the dedicated agent', async () => {
    const phone = '+966505550001'
    await inbound(server, channel, {
      from: phone,
      text: 'Hello, I need help',
      contact: { firstName: 'Reem' },
    })
    const contactId = await contactByPhone(phone)
    await waitFor(async () => asked(phone) === 1 || undefined)
    assert.match(
      destination.received.find((r) => r.body?.contactId === phone)!.body.message.text,
      /^Hello Reem! What is your email address\?$/,
    )
    await inbound(server, channel, { from: phone, text: 'reem at example' })
    await waitFor(async () => asked(phone) === 2 || undefined)
    await inbound(server, channel, { from: phone, text: 'VIP.Reem@Example.com' })
    const run = await waitForRun(owner, ws, wf, contactId, ['completed'])
    assert.deepEqual(
      run.steps.map((s) => `${s.stepId}:${s.branch}`),
      [
        'email_exists:else',
        'ask_email:invalid',
        'ask_again:jump',
        'ask_email:success',
        'thanks:success',
        'to_lookup:jump',
        'crm_lookup:success',
        'is_vip:vip',
        'assign_vip:next',
      ],
    )
    assert.equal(lookups.at(-1), 'vip.reem@example.com')
    const contact = (await owner.get(api(`/contacts/${contactId}`))).body
    assert.equal(contact.email, 'vip.reem@example.com')
    assert.equal(contact.assigneeUserId, dedicated.userId)
    const view = (await owner.get(api(`/contacts/${contactId}/conversation`))).body
    assert.equal(view.conversation.handler, 'human')
    await waitFor(
      async () =>
        destination.received.some(
          (r) => r.body?.contactId === phone && /Thank you!/.test(r.body.message?.text ?? ''),
        ) || undefined,
    )
  })

  test('an email already known: straight to the lookup; a regular customer goes round robin in the team', async () => {
    const assigned: number[] = []
    for (const [i, phone] of ['+966505550002', '+966505550003'].entries()) {
      await inbound(server, channel, {
        from: phone,
        text: 'hi',
        contact: { firstName: `Regular${i}`, email: `regular${i}@example.com` },
      })
      const contactId = await contactByPhone(phone)
      const run = await waitForRun(owner, ws, wf, contactId, ['completed'])
      assert.deepEqual(
        run.steps.map((s) => `${s.stepId}:${s.branch}`),
        ['email_exists:has_email', 'crm_lookup:success', 'is_vip:else', 'assign_team:next'],
      )
      assigned.push((await owner.get(api(`/contacts/${contactId}`))).body.assigneeUserId)
      assert.equal(asked(phone), 0)
    }
    assert.deepEqual(assigned.sort(), [...teamMembers].sort(), 'each team member in turn')
  })

  test('four invalid answers: three re-asks (rule 79), then the jump is skipped and the contact goes to the team', async () => {
    const phone = '+966505550004'
    await inbound(server, channel, { from: phone, text: 'hi' })
    const contactId = await contactByPhone(phone)
    for (let i = 1; i <= 4; i++) {
      await waitFor(async () => asked(phone) === i || undefined)
      await inbound(server, channel, { from: phone, text: `no email ${i}` })
    }
    const run = await waitForRun(owner, ws, wf, contactId, ['completed'])
    const path = run.steps.map((s) => `${s.stepId}:${s.branch}`)
    assert.deepEqual(path.slice(-3), ['ask_email:invalid', 'ask_again:next', 'assign_after_retries:next'])
    assert.equal(path.filter((p) => p === 'ask_again:jump').length, 3)
    assert.equal(asked(phone), 4)
    assert.ok(teamMembers.includes((await owner.get(api(`/contacts/${contactId}`))).body.assigneeUserId))
    assert.equal((await runsOf(owner, ws, wf)).filter((r) => r.contactId === contactId).length, 1)
  })
})
