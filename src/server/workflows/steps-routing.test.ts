import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DateTime } from 'luxon'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { definition, finished, node, publishWorkflow, SHORTCUT, startOn, waiting } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ownerId: number
let ws: number
const api = (path: string) => `/api/v1/workspaces/${ws}${path}`

async function notes(contactId: number): Promise<string[]> {
  const r = await owner.get(api(`/contacts/${contactId}/comments?limit=100`))
  return (r.body.comments as { body: string }[]).map((c) => c.body).reverse()
}
async function assigneeOf(contactId: number): Promise<number | null> {
  const r = await owner.get(api(`/contacts/${contactId}`))
  return r.body.assigneeUserId
}
async function timeline(contactId: number): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const r = await owner.get(api(`/contacts/${contactId}/timeline`))
  return r.body.events
}
/** A contact with an open conversation (so it counts as an open contact once assigned). */
async function openContact(): Promise<number> {
  const c = await buildContact(server, ws)
  assert.equal((await owner.post(api(`/contacts/${c.id}/conversation/open`), {})).status, 201)
  // The owner opening it is not an assignment; the contact starts unassigned.
  await owner.put(api(`/contacts/${c.id}/assignee`), { userId: null })
  return c.id
}
const setStatus = async (client: TestClient, status: 'online' | 'away') =>
  assert.equal((await client.patch('/api/v1/me', { status })).status, 200)

describe('routing steps (rules 72–81)', () => {
  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ownerId = o.userId
    ws = o.workspaceId
  })
  after(() => server.close())

  describe('Assign To (rules 24–28)', () => {
    let team: number
    let agents: { client: TestClient; userId: number }[]
    before(async () => {
      team = (await owner.post(api('/teams'), { name: 'Support' })).body.id
      agents = []
      for (let i = 0; i < 3; i++) agents.push(await buildUser(server, ws, 'agent', { teamId: team }))
    })

    test('a specific user, then unassign; a person now handles the conversation', async () => {
      const wf = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [node('assign_to', { action: 'user', userId: agents[0]!.userId }, { id: 'a' })]),
      )
      const contactId = await openContact()
      await finished(owner, ws, await startOn(owner, ws, wf, contactId))
      assert.equal(await assigneeOf(contactId), agents[0]!.userId)
      const view = (await owner.get(api(`/contacts/${contactId}/conversation`))).body
      assert.equal(view.conversation.handler, 'human')
      const un = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [node('assign_to', { action: 'unassign' }, { id: 'u' })]),
      )
      await finished(owner, ws, await startOn(owner, ws, un, contactId))
      assert.equal(await assigneeOf(contactId), null)
    })

    test('round robin in a team: each new contact to the next member in turn, across runs', async () => {
      const wf = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [
          node('assign_to', { action: 'team', teamId: team, logic: 'round_robin' }, { id: 'rr' }),
        ]),
      )
      const picked: (number | null)[] = []
      for (let i = 0; i < 4; i++) {
        const c = await buildContact(server, ws)
        await finished(owner, ws, await startOn(owner, ws, wf, c.id))
        picked.push(await assigneeOf(c.id))
      }
      const ids = agents.map((a) => a.userId).sort((a, b) => a - b)
      assert.deepEqual(picked, [ids[0], ids[1], ids[2], ids[0]])
    })

    test('least open contacts, only online users, only users under a cap', async () => {
      const [a, b, c] = agents
      // a: 2 open contacts, b: 1, c: 0
      for (const [who, n] of [
        [a!, 2],
        [b!, 1],
      ] as const) {
        for (let i = 0; i < n; i++)
          await owner.put(api(`/contacts/${await openContact()}/assignee`), { userId: who.userId })
      }
      const least = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [
          node('assign_to', { action: 'team', teamId: team, logic: 'least_open' }, { id: 'l' }),
        ]),
      )
      let contactId = await openContact()
      await finished(owner, ws, await startOn(owner, ws, least, contactId))
      assert.equal(await assigneeOf(contactId), c!.userId)
      // c is away now: only online users count.
      await setStatus(c!.client, 'away')
      const online = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [
          node(
            'assign_to',
            { action: 'team', teamId: team, logic: 'least_open', onlineOnly: true },
            { id: 'o' },
          ),
        ]),
      )
      contactId = await openContact()
      await finished(owner, ws, await startOn(owner, ws, online, contactId))
      assert.equal(await assigneeOf(contactId), b!.userId)
      // b now has 2, a has 2: with "fewer than 2 open contacts" nobody online qualifies.
      const capped = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [
          node(
            'assign_to',
            { action: 'team', teamId: team, onlineOnly: true, maxOpenContacts: 2 },
            { id: 'cap' },
          ),
          node('add_comment', { text: 'went on unassigned' }, { id: 'next' }),
        ]),
      )
      contactId = await openContact()
      const run = await finished(owner, ws, await startOn(owner, ws, capped, contactId))
      assert.equal(run.steps[0]!.output?.reason, 'all_at_capacity')
      assert.equal(await assigneeOf(contactId), null, 'rule 28: stays unassigned')
      assert.deepEqual(await notes(contactId), ['went on unassigned'])
      const failed = (await timeline(contactId)).find((e) => e.type === 'conversation.assignment_failed')
      assert.ok(failed, 'a Failed to Assign event is logged')
      assert.equal(failed.payload.reason, 'all_at_capacity')
      await setStatus(c!.client, 'online')
    })

    test('with a timeout the step keeps trying: assigned when someone comes online, else the Timeout branch', async () => {
      for (const a of agents) await setStatus(a.client, 'away')
      await setStatus(owner, 'away')
      const wf = await publishWorkflow(
        owner,
        ws,
        definition(SHORTCUT, [
          node(
            'assign_to',
            { action: 'workspace', onlineOnly: true, timeout: { amount: 4, unit: 'seconds' } },
            { id: 'try', branches: { timeout: [node('add_comment', { text: 'nobody came' }, { id: 't' })] } },
          ),
          node('add_comment', { text: 'assigned' }, { id: 'ok' }),
        ]),
      )
      const first = await openContact()
      const runId = await startOn(owner, ws, wf, first)
      assert.equal((await waiting(owner, ws, runId)).waiting?.for, 'assignment')
      await setStatus(agents[1]!.client, 'online')
      const run = await finished(owner, ws, runId, 20_000)
      assert.deepEqual(
        run.steps.map((s) => [s.stepId, s.branch]),
        [
          ['try', 'next'],
          ['ok', 'next'],
        ],
      )
      assert.equal(await assigneeOf(first), agents[1]!.userId)
      await setStatus(agents[1]!.client, 'away')
      const second = await openContact()
      const run2 = await finished(owner, ws, await startOn(owner, ws, wf, second), 20_000)
      assert.deepEqual(
        run2.steps.map((s) => [s.stepId, s.branch]),
        [
          ['try', 'timeout'],
          ['t', 'next'],
        ],
      )
      assert.ok((await timeline(second)).some((e) => e.type === 'conversation.assignment_failed'))
      for (const a of agents) await setStatus(a.client, 'online')
      await setStatus(owner, 'online')
    })
  })

  test('Branch: categories, AND/OR, first match wins, else (rule 73)', async () => {
    await owner.post(api('/contact-fields'), { key: 'city', name: 'City', type: 'text' })
    const vip = (await owner.post(api('/tags'), { name: 'VIP' })).body.id as number
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        { type: 'shortcut', conditions: { form: [{ key: 'amount', label: 'Amount', type: 'number' }] } },
        [
          node(
            'branch',
            {
              branches: [
                {
                  id: 'b1',
                  name: 'VIP in Jeddah',
                  op: 'and',
                  conditions: [
                    { category: 'contact_field', field: 'city', operator: 'is', value: 'jeddah' },
                    { category: 'tag', operator: 'is', tagId: vip },
                  ],
                },
                {
                  id: 'b2',
                  name: 'Big or refund',
                  op: 'or',
                  conditions: [
                    { category: 'variable', variable: '$trigger.amount', operator: 'greater', value: '100' },
                    { category: 'last_incoming_message', operator: 'contains', value: 'refund' },
                  ],
                },
                {
                  id: 'b3',
                  name: 'Unassigned',
                  op: 'and',
                  conditions: [
                    { category: 'assignee_status', operator: 'is', value: 'unassigned' },
                    { category: 'inbox', operator: 'is', teamId: null },
                  ],
                },
              ],
            },
            {
              id: 'route',
              branches: {
                b1: [node('add_comment', { text: 'b1' }, { id: 'n1' })],
                b2: [node('add_comment', { text: 'b2' }, { id: 'n2' })],
                b3: [node('add_comment', { text: 'b3' }, { id: 'n3' })],
                else: [node('add_comment', { text: 'else' }, { id: 'n4' })],
              },
            },
          ),
        ],
      ),
    )
    const destination = await startDestination()
    const channel = await connectCustomChannel(owner, ws, destination.url)
    try {
      const c1 = await buildContact(server, ws, { custom: { city: 'Jeddah' } })
      await owner.post(api(`/contacts/${c1.id}/tags`), { add: [vip] })
      const c2 = await buildContact(server, ws, { custom: { city: 'Jeddah' } })
      await inbound(server, channel, { from: '+966501234999', text: 'I want a REFUND please' })
      const c3 = await waitFor(async () => {
        const r = await owner.get(api(`/contacts?q=${encodeURIComponent('+966501234999')}`))
        return (r.body.contacts as { id: number; phone: string }[]).find((c) => c.phone === '+966501234999')
          ?.id
      })
      const c4 = await buildContact(server, ws)
      const c5 = await buildContact(server, ws, { assigneeUserId: ownerId })
      const cases: [number, string, string][] = [
        [c1.id, '500', 'b1'],
        [c2.id, '150', 'b2'],
        [c3, '10', 'b2'],
        [c4.id, '10', 'b3'],
        [c5.id, '10', 'else'],
      ]
      for (const [contactId, amount, expected] of cases) {
        const run = await finished(owner, ws, await startOn(owner, ws, wf, contactId, { amount }))
        assert.equal(run.steps[0]!.branch, expected, `contact ${contactId}`)
        assert.deepEqual(await notes(contactId), [expected])
      }
    } finally {
      await destination.close()
    }
  })

  test('Jump To (rule 79): at most N jumps, then the jump is skipped and the contact goes on; the count restarts in a new run', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node('add_comment', { text: 'visit' }, { id: 'top' }),
        node('jump_to', { targetStepId: 'top', maxJumps: 3 }, { id: 'loop' }),
        node('add_comment', { text: 'after the jumps' }, { id: 'after' }),
      ]),
    )
    const contact = await buildContact(server, ws)
    const run = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
    assert.deepEqual(
      run.steps.map((s) => `${s.stepId}:${s.branch}`),
      [
        'top:next',
        'loop:jump',
        'top:next',
        'loop:jump',
        'top:next',
        'loop:jump',
        'top:next',
        'loop:next',
        'after:next',
      ],
    )
    assert.equal(run.steps[7]!.output?.jumped, false)
    assert.deepEqual(await notes(contact.id), ['visit', 'visit', 'visit', 'visit', 'after the jumps'])
    // The contact exits and enters again: the counter starts at zero.
    const again = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
    assert.equal(again.steps.filter((s) => s.branch === 'jump').length, 3)
    // A jump with nothing after it exits once the maximum is reached.
    const tail = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node('add_comment', { text: 'tail' }, { id: 'x' }),
        node('jump_to', { targetStepId: 'x', maxJumps: 1 }, { id: 'j' }),
      ]),
    )
    const end = await finished(owner, ws, await startOn(owner, ws, tail, contact.id))
    assert.equal(end.status, 'completed')
    assert.deepEqual(
      end.steps.map((s) => `${s.stepId}:${s.branch}`),
      ['x:next', 'j:jump', 'x:next', 'j:next'],
    )
  })

  test('Date & Time (rule 81): inside goes on, outside takes Failure; an empty Failure branch ends the workflow', async () => {
    const all = { from: '00:00', to: '00:00' }
    const hours = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [all]]))
    const open = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'date_time',
          { timezone: 'Asia/Riyadh', mode: 'business_hours', hours },
          { id: 'dt', branches: { failure: [] } },
        ),
        node('add_comment', { text: 'open' }, { id: 'in' }),
      ]),
    )
    const past = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'date_time',
          {
            timezone: 'Asia/Riyadh',
            mode: 'date_range',
            range: { start: '2020-01-01T00:00', end: '2020-12-31T23:59' },
          },
          { id: 'dt', branches: { failure: [] } },
        ),
        node('add_comment', { text: 'never' }, { id: 'in' }),
      ]),
    )
    const contact = await buildContact(server, ws)
    const a = await finished(owner, ws, await startOn(owner, ws, open, contact.id))
    assert.deepEqual(
      a.steps.map((s) => s.branch),
      ['success', 'next'],
    )
    const b = await finished(owner, ws, await startOn(owner, ws, past, contact.id))
    assert.equal(b.status, 'completed')
    assert.deepEqual(
      b.steps.map((s) => s.branch),
      ['failure'],
    )
    assert.deepEqual(await notes(contact.id), ['open'])
  })
  test("Date & Time in the workspace's business hours: its time zone, weekdays and holidays; off means open", async () => {
    assert.equal((await owner.patch(api(''), { timezone: 'Asia/Riyadh' })).status, 200)
    // The day's last minute cannot be inside an interval that ends before 24:00.
    let now = DateTime.fromJSDate(server.clock.now(), { zone: 'Asia/Riyadh' })
    if (now.toFormat('HH:mm') >= '23:57') server.clock.advance(4 * 60_000)
    now = DateTime.fromJSDate(server.clock.now(), { zone: 'Asia/Riyadh' })
    const today = now.weekday % 7
    const allDay = (day: number) =>
      Array.from({ length: 7 }, (_, d) => (d === day ? [{ from: '00:00', to: '23:59' }] : []))
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'date_time',
          { mode: 'workspace_hours' },
          { id: 'dt', branches: { failure: [node('add_comment', { text: 'closed' }, { id: 'out' })] } },
        ),
        node('add_comment', { text: 'open' }, { id: 'in' }),
      ]),
    )
    const check = async (hours: Record<string, unknown>, expected: string) => {
      assert.equal((await owner.put(api('/business-hours'), hours)).status, 200)
      const contact = await buildContact(server, ws)
      const run = await finished(owner, ws, await startOn(owner, ws, wf, contact.id))
      assert.equal(run.status, 'completed')
      assert.deepEqual(await notes(contact.id), [expected], JSON.stringify(hours))
      return run
    }
    const run = await check({ enabled: true, week: allDay(today), holidays: [] }, 'open')
    assert.equal(
      run.steps[0]!.output?.localTime,
      `${now.toFormat("yyyy-MM-dd'T'HH:mm")} ${now.toFormat('ccc')}`,
    )
    await check({ enabled: true, week: allDay((today + 1) % 7), holidays: [] }, 'closed')
    const holiday = { date: now.toISODate(), name: 'Eid' }
    await check({ enabled: true, week: allDay(today), holidays: [holiday] }, 'closed')
    await check({ enabled: false, week: allDay((today + 1) % 7), holidays: [holiday] }, 'open')
  })
})
