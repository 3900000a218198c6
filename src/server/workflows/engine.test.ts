import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { definition, node, publishWorkflow, runsOf, waitForRun } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
let channel: Awaited<ReturnType<typeof connectCustomChannel>>
let destination: Awaited<ReturnType<typeof startDestination>>

describe('workflow engine', () => {
  before(async () => {
    server = await startTestServer()
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

  test('an inbound message opens a conversation, the workflow greets and assigns; the conversation is the bot’s until then', async () => {
    const agent = await buildUser(server, ws, 'agent')
    const wf = await publishWorkflow(
      owner,
      ws,
      definition({ type: 'conversation_opened', conditions: { sources: ['contact'] } }, [
        node(
          'send_message',
          { message: { type: 'text', text: 'Hello $contact.firstname|there, welcome!' } },
          { id: 'greet' },
        ),
        node('wait', { duration: { amount: 1, unit: 'seconds' } }, { id: 'pause' }),
        node('assign_to', { action: 'user', userId: agent.userId }, { id: 'assign' }),
      ]),
    )
    assert.equal(
      (await inbound(server, channel, { from: '+966500000001', text: 'hi', contact: { firstName: 'Sara' } }))
        .status,
      200,
    )
    const contactId = await waitFor(async () => {
      const r = await owner.get(`/api/v1/workspaces/${ws}/contacts?limit=5`)
      return r.body.contacts?.find((c: { phone: string }) => c.phone === '+966500000001')?.id as
        | number
        | undefined
    })
    const waiting = await waitForRun(owner, ws, wf, contactId, ['waiting'])
    assert.equal(waiting.waiting?.for, 'timer')
    const view = await owner.get(`/api/v1/workspaces/${ws}/contacts/${contactId}/conversation`)
    assert.equal(view.status, 200, view.text)
    assert.equal(view.body.conversation.handler, 'workflow')
    const done = await waitForRun(owner, ws, wf, contactId, ['completed'])
    assert.deepEqual(
      done.steps.map((s) => [s.stepId, s.status, s.branch]),
      [
        ['greet', 'done', 'success'],
        ['pause', 'done', 'next'],
        ['assign', 'done', 'next'],
      ],
    )
    const sent = await waitFor(async () =>
      destination.received.find((r) => r.body?.message?.text?.includes('Sara')),
    )
    assert.equal(sent.body.message.text, 'Hello Sara, welcome!')
    const after = await owner.get(`/api/v1/workspaces/${ws}/contacts/${contactId}/conversation`)
    assert.equal(after.body.conversation.handler, 'human')
    assert.equal(after.body.contact.assigneeUserId, agent.userId)
    assert.equal((await runsOf(owner, ws, wf)).length, 1)
  })
})

describe('timers falling due together', () => {
  let s: TestServer
  let o: Awaited<ReturnType<typeof setupOwner>>
  let dest: Awaited<ReturnType<typeof startDestination>>
  before(async () => {
    s = await startTestServer()
    o = await setupOwner(s)
    dest = await startDestination()
  })
  after(async () => {
    await s.close()
    await dest.close()
  })

  test('one tick moves every run waiting for that second, as one by one would: logs, ends, conversations back to humans', async () => {
    const ch = await connectCustomChannel(o.client, o.workspaceId, dest.url)
    const opened = { type: 'conversation_opened' as const, conditions: { sources: ['contact'] } }
    const pause = (id: string) => node('wait', { duration: { amount: 1, unit: 'seconds' } }, { id })
    // Two workflows for the same contacts, both ending at their Wait: the runs of one contact end
    // in the same batch, and only then is its conversation the humans' again (rule 93).
    const first = await publishWorkflow(o.client, o.workspaceId, definition(opened, [pause('p1')]))
    const second = await publishWorkflow(o.client, o.workspaceId, definition(opened, [pause('p2')]))
    const phones = ['+966500000101', '+966500000102', '+966500000103']
    for (const from of phones) assert.equal((await inbound(s, ch, { from, text: 'hi' })).status, 200)
    const contacts = await waitFor(async () => {
      const r = await o.client.get(`/api/v1/workspaces/${o.workspaceId}/contacts?limit=10`)
      const ids = (r.body.contacts as { id: number; phone: string }[])
        .filter((c) => phones.includes(c.phone))
        .map((c) => c.id)
      return ids.length === phones.length ? ids : undefined
    })
    for (const contactId of contacts) {
      for (const [wf, step] of [
        [first, 'p1'],
        [second, 'p2'],
      ] as const) {
        const run = await waitForRun(o.client, o.workspaceId, wf, contactId, ['completed'])
        assert.deepEqual(
          run.steps.map((x) => [x.stepId, x.status, x.branch, x.visit]),
          [[step, 'done', 'next', 1]],
        )
        assert.ok(run.steps[0]!.output?.waitedUntil, 'the Wait step says until when it waited')
        assert.equal(run.waiting, null)
      }
      const view = await o.client.get(
        `/api/v1/workspaces/${o.workspaceId}/contacts/${contactId}/conversation`,
      )
      assert.equal(view.body.conversation.handler, 'human')
    }
    const { rows } = await s.ctx.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_runs WHERE workspace_id = $1 AND (ended_at IS NULL OR resume IS NOT NULL OR wait_log_id IS NOT NULL)`,
      [o.workspaceId],
    )
    assert.equal(rows[0]!.n, 0, 'ended runs keep no wait or resume state')
  })
})
