import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { definition, finished, node, publishWorkflow, runsOf, waitForRun } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
let channel: Awaited<ReturnType<typeof connectCustomChannel>>
let destination: Awaited<ReturnType<typeof startDestination>>
const api = (path: string) => `/api/v1/workspaces/${ws}${path}`

/** A workflow whose only step leaves a comment: the visible proof it ran, with its $trigger data. */
const marker = (text = 'ran') => [node('add_comment', { text }, { id: 'mark' })]

async function comments(contactId: number): Promise<string[]> {
  const r = await owner.get(api(`/contacts/${contactId}/comments`))
  return (r.body.comments as { body: string }[]).map((c) => c.body).reverse()
}

/** Lets the event consumer catch up, then returns the runs of a workflow for a contact. */
async function settledRuns(wf: number, contactId: number) {
  server.consumers.kick()
  await new Promise((r) => setTimeout(r, 600))
  await waitFor(
    async () => (await runsOf(owner, ws, wf)).every((r) => !['running'].includes(r.status)) || undefined,
  )
  return (await runsOf(owner, ws, wf)).filter((r) => r.contactId === contactId)
}

async function contactByPhone(phone: string): Promise<number> {
  return waitFor(async () => {
    const r = await owner.get(api(`/contacts?q=${encodeURIComponent(phone)}`))
    return (r.body.contacts as { id: number; phone: string }[]).find((c) => c.phone === phone)?.id
  })
}

async function tag(name: string): Promise<number> {
  const r = await owner.post(api('/tags'), { name })
  assert.equal(r.status, 201, r.text)
  return r.body.id
}

let phoneSeq = 100
const nextPhone = () => `+9665000${String(++phoneSeq).padStart(5, '0')}`

describe('workflow triggers (rule 68)', () => {
  before(async () => {
    server = await startTestServer({ config: { workflowHookRateLimit: 5 } })
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    destination = await startDestination()
    channel = await connectCustomChannel(owner, ws, destination.url)
  })
  after(async () => {
    await server.close()
    await destination.close()
  })

  test('Conversation Opened: by default only conversations the contact opened (rule 4); other sources when chosen', async () => {
    const byContact = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'conversation_opened' }, marker('contact: $trigger.source')),
    )
    const byUser = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'conversation_opened', conditions: { sources: ['user', 'workflow'] } },
        marker('user: $trigger.source'),
      ),
    )
    const phone = nextPhone()
    await inbound(server, channel, { from: phone, text: 'hello' })
    const contactId = await contactByPhone(phone)
    await waitForRun(owner, ws, byContact, contactId, ['completed'])
    assert.deepEqual(await comments(contactId), ['contact: contact'])
    const closed = await owner.post(api(`/contacts/${contactId}/conversation/close`), {})
    assert.equal(closed.status, 200, closed.text)
    const opened = await owner.post(api(`/contacts/${contactId}/conversation/open`), {})
    assert.equal(opened.status, 201, opened.text)
    await waitForRun(owner, ws, byUser, contactId, ['completed'])
    assert.deepEqual(await comments(contactId), ['contact: contact', 'user: user'])
    assert.equal(
      (await settledRuns(byContact, contactId)).length,
      1,
      'a user opening it does not fire the default trigger',
    )
  })

  test('Conversation Closed: filters on who closed and the category', async () => {
    const cat = await owner.post(api('/closing-categories'), { name: 'Resolved' })
    assert.equal(cat.status, 201, cat.text)
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'conversation_closed', conditions: { closedBy: ['user'], categoryIds: [cat.body.id] } },
        marker('closed $trigger.summary'),
      ),
    )
    const contact = await buildContact(server, ws)
    await owner.post(api(`/contacts/${contact.id}/conversation/open`), {})
    await owner.post(api(`/contacts/${contact.id}/conversation/close`), {})
    assert.equal((await settledRuns(wf, contact.id)).length, 0, 'no category: not this trigger')
    await owner.post(api(`/contacts/${contact.id}/conversation/open`), {})
    await owner.post(api(`/contacts/${contact.id}/conversation/close`), {
      categoryId: cat.body.id,
      summary: 'all good',
    })
    await waitForRun(owner, ws, wf, contact.id, ['completed'])
    assert.deepEqual(
      (await comments(contact.id)).filter((c) => c.startsWith('closed')),
      ['closed all good'],
    )
  })

  test('Contact Tag Updated: the chosen tags, added or removed', async () => {
    const vip = await tag('VIP')
    const other = await tag('Other')
    const added = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'contact_tag_updated', conditions: { tagIds: [vip], action: 'added' } },
        marker('added $trigger.tag'),
      ),
    )
    const removed = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'contact_tag_updated', conditions: { tagIds: [vip], action: 'removed' } },
        marker('removed $trigger.tag'),
      ),
    )
    const contact = await buildContact(server, ws)
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [other] })
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [vip] })
    await waitForRun(owner, ws, added, contact.id, ['completed'])
    await owner.post(api(`/contacts/${contact.id}/tags`), { remove: [vip] })
    await waitForRun(owner, ws, removed, contact.id, ['completed'])
    assert.deepEqual(await comments(contact.id), ['added VIP', 'removed VIP'])
    assert.equal((await settledRuns(added, contact.id)).length, 1)
  })

  test('Contact Field Updated: the chosen field, optionally only for some values', async () => {
    await owner.post(api('/contact-fields'), { key: 'plan', name: 'Plan', type: 'text' })
    const email = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'contact_field_updated', conditions: { field: 'email' } },
        marker('email $trigger.value'),
      ),
    )
    const gold = await publishWorkflow(
      owner,
      ws,
      definition(
        {
          type: 'contact_field_updated',
          conditions: { field: 'plan', value: { operator: 'contains', value: 'gold' } },
        },
        marker('plan $trigger.value'),
      ),
    )
    const contact = await buildContact(server, ws)
    await owner.patch(api(`/contacts/${contact.id}`), { firstName: 'Renamed' })
    await owner.patch(api(`/contacts/${contact.id}`), { custom: { plan: 'silver' } })
    await owner.patch(api(`/contacts/${contact.id}`), { email: 'new@x.test' })
    await waitForRun(owner, ws, email, contact.id, ['completed'])
    await owner.patch(api(`/contacts/${contact.id}`), { custom: { plan: 'Gold yearly' } })
    await waitForRun(owner, ws, gold, contact.id, ['completed'])
    assert.deepEqual(await comments(contact.id), ['email new@x.test', 'plan Gold yearly'])
    assert.equal((await settledRuns(email, contact.id)).length, 1)
    assert.equal((await settledRuns(gold, contact.id)).length, 1)
  })

  test('Lifecycle Updated: from and to stages', async () => {
    const stages = (await owner.get(api('/lifecycle-stages'))).body as { id: number; name: string }[]
    const lead = stages.find((s) => s.name === 'New Lead')!.id
    const customer = stages.find((s) => s.name === 'Customer')!.id
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'lifecycle_updated', conditions: { fromStageIds: [lead], toStageIds: [customer] } },
        marker('became a customer'),
      ),
    )
    const contact = await buildContact(server, ws)
    await owner.put(api(`/contacts/${contact.id}/lifecycle`), { stageId: customer })
    assert.equal((await settledRuns(wf, contact.id)).length, 0, 'from no stage: no match')
    await owner.put(api(`/contacts/${contact.id}/lifecycle`), { stageId: lead })
    await owner.put(api(`/contacts/${contact.id}/lifecycle`), { stageId: customer })
    await waitForRun(owner, ws, wf, contact.id, ['completed'])
    assert.deepEqual(await comments(contact.id), ['became a customer'])
  })

  test('Shortcut: the form becomes $trigger.*; agents restricted from shortcuts cannot start it (rule 51)', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        {
          type: 'shortcut',
          conditions: {
            form: [
              { key: 'order', label: 'Order number', type: 'number', required: true },
              { key: 'reason', label: 'Reason', type: 'select', options: ['Refund', 'Exchange'] },
            ],
          },
        },
        marker('order $trigger.order: $trigger.reason|none'),
      ),
    )
    const agent = await buildUser(server, ws, 'agent')
    const hidden = await buildUser(server, ws, 'agent', { restrictions: { hideShortcuts: true } })
    const own = await buildUser(server, ws, 'agent', { restrictions: { contactVisibility: 'own' } })
    const contact = await buildContact(server, ws)
    const listed = await agent.client.get(api('/shortcuts'))
    assert.equal(listed.status, 200)
    const item = listed.body.find((s: { workflowId: number }) => s.workflowId === wf)
    assert.deepEqual(
      item.form.map((f: { key: string }) => f.key),
      ['order', 'reason'],
      'listed with its live version form',
    )
    assert.equal((await hidden.client.get(api('/shortcuts'))).status, 403)
    const start = (c: TestClient, values: Record<string, unknown>) =>
      c.post(api(`/contacts/${contact.id}/shortcuts/${wf}`), { values })
    assert.equal((await start(hidden.client, { order: 1 })).status, 403)
    assert.equal((await start(own.client, { order: 1 })).status, 404, 'a contact the agent cannot see')
    const missing = await start(agent.client, { reason: 'Refund' })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.error.fields[0].path, 'values.order')
    assert.equal((await start(agent.client, { order: '12', reason: 'Nope' })).status, 400)
    const ok = await start(agent.client, { order: '12', reason: 'Refund' })
    assert.equal(ok.status, 201, ok.text)
    await finished(owner, ws, ok.body.id)
    assert.deepEqual(await comments(contact.id), ['order 12: Refund'])
  })

  test('Incoming Webhook: secret in the URL or a header, the contact matched or created, the body as $trigger.*, rate-limited', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'incoming_webhook', conditions: { identifyBy: 'phone', path: 'customer.phone' } },
        marker('order $trigger.order.id for $trigger.customer.name'),
      ),
    )
    const detail = (await owner.get(api(`/workflows/${wf}`))).body
    const hook = new URL(detail.webhook.url).pathname
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      server.app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(body),
      })
    const body = { order: { id: 'A-1' }, customer: { phone: '+966 50 111 2222', name: 'Huda' } }
    const r = await post(hook, body)
    assert.equal(r.statusCode, 202, r.body)
    const out = JSON.parse(r.body)
    assert.equal(out.contactCreated, true)
    await finished(owner, ws, out.runId)
    assert.deepEqual(await comments(out.contactId), ['order A-1 for Huda'])
    const contact = (await owner.get(api(`/contacts/${out.contactId}`))).body
    assert.equal(contact.contact?.phone ?? contact.phone, '+966501112222')
    // The same contact again, with the secret in a header this time.
    const base = hook.slice(0, hook.lastIndexOf('/'))
    const again = await post(
      base,
      { ...body, order: { id: 'A-2' } },
      { 'x-webhook-secret': detail.webhook.secret },
    )
    assert.equal(again.statusCode, 202, again.body)
    assert.equal(JSON.parse(again.body).contactId, out.contactId)
    assert.equal((await post(`${base}/wrong-secret`, body)).statusCode, 404)
    assert.equal((await post(hook, { customer: { phone: 'not a phone' } })).statusCode, 422)
    // Five requests a minute per workflow and route in this test server, then 429.
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await post(hook, body)).statusCode)
    assert.equal(statuses.at(-1), 429, statuses.join(','))
    assert.ok(statuses.filter((s) => s !== 429).length <= 3, statuses.join(','))
  })

  test('Manual: only a Trigger Another Workflow step starts it; the contact also continues in the first workflow (rule 82)', async () => {
    const target = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'manual' }, marker('manual from $trigger.workflowId')),
    )
    const starter = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'shortcut', conditions: { form: [] } }, [
        node('trigger_workflow', { workflowId: target }, { id: 'go' }),
        node('add_comment', { text: 'starter continued' }, { id: 'after' }),
      ]),
    )
    const contact = await buildContact(server, ws)
    const started = await owner.post(api(`/contacts/${contact.id}/shortcuts/${starter}`), { values: {} })
    const run = await finished(owner, ws, started.body.id)
    assert.equal(run.steps[0]!.output?.started, true)
    await waitForRun(owner, ws, target, contact.id, ['completed'])
    assert.deepEqual(
      (await comments(contact.id)).sort(),
      [`manual from ${starter}`, 'starter continued'].sort(),
    )
    const child = (await runsOf(owner, ws, target))[0]!
    assert.equal((child as unknown as { parentRunId: number }).parentRunId, started.body.id)
    assert.equal((child as unknown as { depth: number }).depth, 1)
  })

  test('rule 63: with "once per contact" a contact enrolled before — even while the toggle was off — never runs again', async () => {
    const t = await tag('Once')
    const def = (once: boolean) =>
      definition(
        { type: 'contact_tag_updated', conditions: { tagIds: [t] }, oncePerContact: once },
        marker('once'),
      )
    const wf = await publishWorkflow(owner, ws, def(false))
    const early = await buildContact(server, ws)
    const late = await buildContact(server, ws)
    await owner.post(api(`/contacts/${early.id}/tags`), { add: [t] })
    await waitForRun(owner, ws, wf, early.id, ['completed'])
    // Turn the toggle on: a new version.
    assert.equal((await owner.put(api(`/workflows/${wf}/draft`), { definition: def(true) })).status, 200)
    assert.equal((await owner.post(api(`/workflows/${wf}/publish`))).status, 200)
    for (const c of [early, late]) {
      await owner.post(api(`/contacts/${c.id}/tags`), { remove: [t] })
      await owner.post(api(`/contacts/${c.id}/tags`), { add: [t] })
    }
    await waitForRun(owner, ws, wf, late.id, ['completed'])
    await owner.post(api(`/contacts/${late.id}/tags`), { remove: [t] })
    await owner.post(api(`/contacts/${late.id}/tags`), { add: [t] })
    assert.equal((await settledRuns(wf, early.id)).length, 1, 'enrolled while the toggle was off: skipped')
    assert.equal((await settledRuns(wf, late.id)).length, 1, 'once, then never again')
  })

  test('rule 67: a second trigger while the contact is still in the workflow is skipped; after it ends, it runs again', async () => {
    const t = await tag('Again')
    const wf = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'contact_tag_updated', conditions: { tagIds: [t], action: 'any' } }, [
        // Long enough that the second trigger surely comes while the run still waits (a loaded machine).
        node('wait', { duration: { amount: 8, unit: 'seconds' } }, { id: 'hold' }),
      ]),
    )
    const contact = await buildContact(server, ws)
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [t] })
    await waitForRun(owner, ws, wf, contact.id, ['waiting'])
    await owner.post(api(`/contacts/${contact.id}/tags`), { remove: [t] })
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [t] })
    assert.equal((await settledRuns(wf, contact.id)).length, 1)
    await waitForRun(owner, ws, wf, contact.id, ['completed'], 30_000)
    await owner.post(api(`/contacts/${contact.id}/tags`), { remove: [t] })
    await waitFor(async () =>
      (await runsOf(owner, ws, wf)).filter((r) => r.contactId === contact.id).length === 2 ? true : undefined,
    )
  })

  test('a workflow never triggers itself; workflows triggering each other stop at the chain cap', async () => {
    const a = await tag('Ping')
    const b = await tag('Pong')
    const self = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'contact_tag_updated', conditions: { tagIds: [a], action: 'any' } }, [
        node('update_tag', { remove: [a] }, { id: 'untag' }),
      ]),
    )
    const contact = await buildContact(server, ws)
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [a] })
    await waitForRun(owner, ws, self, contact.id, ['completed'])
    assert.equal(
      (await settledRuns(self, contact.id)).length,
      1,
      'its own "removed" event did not start it again',
    )
    // Ping adds Pong, Pong adds Ping…: each run is one level deeper; at the cap the chain stops.
    const ping = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'contact_tag_updated', conditions: { tagIds: [b], action: 'added' } }, [
        node('update_tag', { remove: [b], add: [a] }, { id: 'p1' }),
      ]),
    )
    const pong = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'contact_tag_updated', conditions: { tagIds: [a], action: 'added' } }, [
        node('update_tag', { remove: [a], add: [b] }, { id: 'p2' }),
      ]),
    )
    const other = await buildContact(server, ws)
    await owner.post(api(`/contacts/${other.id}/tags`), { add: [b] })
    await new Promise((r) => setTimeout(r, 4000))
    const runs = [...(await settledRuns(ping, other.id)), ...(await settledRuns(pong, other.id))]
    const depths = runs.map((r) => (r as unknown as { depth: number }).depth).sort((x, y) => x - y)
    assert.ok(
      runs.length >= 5 && runs.length <= 7,
      `the chain stopped (${runs.length} runs, depths ${depths.join(',')})`,
    )
    assert.equal(Math.max(...depths), 5)
  })

  test('a stopped workflow does not trigger; publishing again restarts it', async () => {
    const t = await tag('Stopped')
    const wf = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'contact_tag_updated', conditions: { tagIds: [t] } }, marker()),
    )
    assert.equal((await owner.post(api(`/workflows/${wf}/stop`))).status, 200)
    const contact = await buildContact(server, ws)
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [t] })
    assert.equal((await settledRuns(wf, contact.id)).length, 0)
    const again = await owner.post(api(`/workflows/${wf}/publish`))
    assert.equal(again.body.status, 'published')
    assert.equal(again.body.lastVersion, 1, 'no new version: the draft did not change')
    await owner.post(api(`/contacts/${contact.id}/tags`), { remove: [t] })
    await owner.post(api(`/contacts/${contact.id}/tags`), { add: [t] })
    await waitForRun(owner, ws, wf, contact.id, ['completed'])
  })
})
