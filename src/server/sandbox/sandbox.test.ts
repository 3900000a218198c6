import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { waitFor } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
})
after(() => server.close())

test('sandbox end to end: start, write as the customer, answer from the inbox, read the reply on the phone', async () => {
  const empty = await owner.client.get(`${ws}/sandbox`)
  assert.equal(empty.status, 200)
  assert.equal(empty.body.channel, null)

  const agent = await buildUser(server, owner.workspaceId, 'agent')
  assert.equal((await agent.client.post(`${ws}/sandbox`)).status, 403)

  const started = await owner.client.post(`${ws}/sandbox`)
  assert.equal(started.status, 201, started.text)
  assert.equal(started.body.channel.name, 'Sandbox')
  const channel = (await owner.client.get(`${ws}/channels/${started.body.channel.id}`)).body
  assert.equal(channel.type, 'whatsapp_cloud')
  assert.match(channel.config.apiBaseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.notEqual(channel.config.apiBaseUrl, 'http://127.0.0.1:9')
  const again = await owner.client.post(`${ws}/sandbox`)
  assert.equal(again.status, 200)
  assert.equal(again.body.channel.id, started.body.channel.id)

  // The user writes as the customer: a signed webhook through the real webhook route.
  const sent = await owner.client.post(`${ws}/sandbox/messages`, { text: 'Hi, is my order ready?' })
  assert.equal(sent.status, 201, sent.text)
  const { rows } = await server.ctx.database.query<{ id: number; first_name: string; phone: string }>(
    'SELECT id, first_name, phone FROM contacts WHERE workspace_id = $1 AND phone = $2',
    [owner.workspaceId, started.body.customerNumber],
  )
  assert.equal(rows.length, 1)
  assert.equal(rows[0]!.first_name, 'Olivia')
  const contactId = rows[0]!.id
  const inbox = await owner.client.get(`${ws}/contacts/${contactId}/messages`)
  assert.deepEqual(
    inbox.body.messages.map((m: any) => [m.direction, m.text, m.channelId]),
    [['in', 'Hi, is my order ready?', started.body.channel.id]],
  )

  // The agent answers from the inbox (the API the inbox uses); the send job speaks Cloud API to the simulator.
  const reply = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
    message: {
      type: 'interactive',
      interactive: {
        kind: 'buttons',
        body: 'Yes! Pick up or delivery?',
        buttons: [
          { id: 'pickup', title: 'Pick up' },
          { id: 'delivery', title: 'Delivery' },
        ],
      },
    },
  })
  assert.equal(reply.status, 201, reply.text)
  const phone = await waitFor(
    async () => {
      const v = (await owner.client.get(`${ws}/sandbox`)).body
      return v.lines.length === 2 && v.lines[1].status === 'read' && v
    },
    15_000,
    'reply read on the phone',
  )
  assert.deepEqual(
    phone.lines.map((l: any) => [l.from, l.text]),
    [
      ['customer', 'Hi, is my order ready?'],
      ['business', 'Yes! Pick up or delivery?\n[Pick up]\n[Delivery]'],
    ],
  )
  const stored = await waitFor(
    async () => {
      const m = (await owner.client.get(`${ws}/messages/${reply.body.id}`)).body
      return m.status === 'read' && m
    },
    15_000,
    'status read in the inbox',
  )
  assert.ok(stored.readAt)

  // Empty text is refused before anything is sent.
  assert.equal((await owner.client.post(`${ws}/sandbox/messages`, { text: '  ' })).status, 400)
})
