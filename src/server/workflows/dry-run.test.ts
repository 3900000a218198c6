import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { allowPrivateNetwork, definition, node, runsOf } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
const api = (p: string) => `/api/v1/workspaces/${ws}${p}`

describe('test runs: the whole workflow simulated on a contact, nothing kept', () => {
  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
  })
  after(() => server.close())

  test('each step reports what it would do; no message, assignment, tag, event, job, run or outside call remains', async () => {
    let calls = 0
    const crm = createServer((_req, res) => {
      calls++
      res.end('{}')
    })
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', r))
    const destination = await startDestination()
    try {
      await allowPrivateNetwork(owner, ws)
      const channel = await connectCustomChannel(owner, ws, destination.url)
      const agent = await buildUser(server, ws, 'agent')
      const tag = (await owner.post(api('/tags'), { name: 'Tested' })).body.id
      await inbound(server, channel, { from: '+966507770001', text: 'hi', contact: { firstName: 'Dana' } })
      const contactId = await waitFor(
        async () =>
          (await owner.get(api('/contacts?q=%2B966507770001'))).body.contacts[0]?.id as number | undefined,
      )
      const before = {
        messages: (await owner.get(api(`/contacts/${contactId}/messages`))).body.messages.length,
        timeline: (await owner.get(api(`/contacts/${contactId}/timeline`))).body.events.length,
        sent: destination.received.length,
      }
      const port = (crm.address() as { port: number }).port
      const wf = await owner.post(api('/workflows'), {
        name: 'Draft under test',
        definition: definition({ type: 'conversation_opened' }, [
          node('send_message', { message: { type: 'text', text: 'Hi $contact.firstname' } }, { id: 'greet' }),
          node(
            'ask_question',
            { question: 'Email?', type: 'email', saveTo: { kind: 'field', field: 'email' } },
            { id: 'ask', branches: { invalid: [] } },
          ),
          node('wait', { duration: { amount: 2, unit: 'hours' } }, { id: 'pause' }),
          node(
            'http_request',
            {
              url: `http://127.0.0.1:${port}/lookup?e=$contact.email`,
              mappings: [{ path: '$.customerType', variable: 'CustomerType' }],
            },
            { id: 'crm', branches: { failure: [] } },
          ),
          node(
            'branch',
            {
              branches: [
                {
                  id: 'vip',
                  name: 'VIP',
                  conditions: [
                    { category: 'variable', variable: 'CustomerType', operator: 'is', value: 'VIP' },
                  ],
                },
              ],
            },
            {
              id: 'route',
              branches: {
                vip: [
                  node('update_tag', { add: [tag] }, { id: 'tag' }),
                  node('assign_to', { action: 'user', userId: agent.userId }, { id: 'assign' }),
                ],
                else: [],
              },
            },
          ),
        ]),
      })
      assert.equal(wf.status, 201, wf.text)
      const run = await owner.post(api(`/workflows/${wf.body.id}/test-run`), {
        contactId,
        choices: {
          ask: { answer: 'dana@x.test' },
          crm: { response: { status: 200, body: { customerType: 'VIP' } } },
        },
      })
      assert.equal(run.status, 200, run.text)
      assert.equal(run.body.status, 'completed')
      assert.deepEqual(
        run.body.steps.map((s: { stepId: string; outcome: string }) => `${s.stepId}:${s.outcome}`),
        ['greet:success', 'ask:success', 'pause:next', 'crm:success', 'route:vip', 'tag:next', 'assign:next'],
      )
      const step = (id: string) => run.body.steps.find((s: { stepId: string }) => s.stepId === id)
      assert.deepEqual(step('greet').output.message, { type: 'text', text: 'Hi Dana' })
      assert.equal(step('ask').output.value, 'dana@x.test')
      // The wait moved the simulated clock two hours; the HTTP request shows the email the answer saved.
      assert.equal(Date.parse(step('crm').at) - Date.parse(step('pause').at), 2 * 3600_000)
      assert.match(step('crm').output.request.url, /e=dana%40x.test$/)
      assert.deepEqual(step('assign').output, { assigned: agent.userId })
      assert.equal(run.body.variables.CustomerType, 'VIP')

      // Nothing stayed.
      assert.equal(calls, 0, 'no HTTP call was made')
      const contact = (await owner.get(api(`/contacts/${contactId}`))).body
      assert.equal(contact.email, null)
      assert.equal(contact.assigneeUserId, null)
      assert.deepEqual(contact.tags, [])
      assert.equal(
        (await owner.get(api(`/contacts/${contactId}/messages`))).body.messages.length,
        before.messages,
      )
      assert.equal(
        (await owner.get(api(`/contacts/${contactId}/timeline`))).body.events.length,
        before.timeline,
      )
      assert.deepEqual(await runsOf(owner, ws, wf.body.id), [])
      await new Promise((r) => setTimeout(r, 700))
      assert.equal(destination.received.length, before.sent, 'no send job ran')

      // Without an answer the test run stops at the question; a chosen failure takes the branch.
      const stopped = await owner.post(api(`/workflows/${wf.body.id}/test-run`), { contactId })
      assert.equal(stopped.body.status, 'waiting')
      assert.equal(stopped.body.steps.at(-1).stepId, 'ask')
      assert.deepEqual(stopped.body.steps.at(-1).waited, { for: 'reply', until: null })
      const failing = await owner.post(api(`/workflows/${wf.body.id}/test-run`), {
        contactId,
        choices: { ask: { answer: 'nope' } },
      })
      assert.deepEqual(
        failing.body.steps.map((s: { stepId: string; outcome: string }) => `${s.stepId}:${s.outcome}`),
        ['greet:success', 'ask:invalid'],
      )
    } finally {
      crm.close()
      await destination.close()
    }
  })
})
