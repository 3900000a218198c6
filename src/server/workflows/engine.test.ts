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
