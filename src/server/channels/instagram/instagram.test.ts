import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { waitFor } from '../../test/custom-channel'
import { buildUser, setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import { connectMetaChannel, countRows, fixture, postSigned, startMetaFor } from '../../test/meta'

/** Fixtures: Meta's Instagram messaging webhook examples (see fixtures/SOURCES.md). */
const DIR = import.meta.dirname
const DAY = 24 * 3600_000

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: Awaited<ReturnType<typeof startMetaFor>>
let channel: Awaited<ReturnType<typeof connectMetaChannel>>
let ws: string
let seq = 0

before(async () => {
  server = await startTestServer({ listen: true })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  sim = await startMetaFor(server)
  channel = await connectMetaChannel(owner.client, server, owner.workspaceId, sim, 'instagram')
})
after(async () => {
  await sim.close()
  await server.close()
})

async function contactOf(igsid: string): Promise<number> {
  const { rows } = await server.ctx.database.query<{ contact_id: number }>(
    'SELECT contact_id FROM contact_channels WHERE workspace_id = $1 AND channel_id = $2 AND identifier = $3',
    [owner.workspaceId, channel.id, igsid],
  )
  return rows[0]!.contact_id
}
const message = async (id: number) => (await owner.client.get(`${ws}/messages/${id}`)).body
const lastSendApiBody = () =>
  [...sim.received].reverse().find((r) => r.product === 'instagram' && r.method === 'POST')

describe('Instagram messaging', () => {
  test('handshake, signature, malformed, and the example text message stored once', async () => {
    const ok = await server.app.inject({
      method: 'GET',
      url: `${channel.webhookPath}?hub.mode=subscribe&hub.challenge=42&hub.verify_token=${channel.verifyToken}`,
    })
    assert.deepEqual([ok.statusCode, ok.body], [200, '42'])
    const before = await countRows(server, 'messages', owner.workspaceId)
    assert.equal(
      (await postSigned(server, channel.webhookPath, fixture(DIR, 'text.json'), 'another-secret')).status,
      401,
    )
    assert.equal(
      (await postSigned(server, channel.webhookPath, { object: 'instagram', entry: 'x' }, sim.appSecret))
        .status,
      400,
    )
    assert.equal(await countRows(server, 'messages', owner.workspaceId), before)
    for (let i = 0; i < 2; i++)
      assert.equal(await sim.postWebhook('instagram', fixture(DIR, 'text.json')), 200)
    assert.equal(await countRows(server, 'messages', owner.workspaceId), before + 1)
    // A Messenger (object "page") webhook sent to an Instagram channel is not stored.
    const page = { ...fixture(DIR, 'text.json'), object: 'page' }
    assert.equal(await sim.postWebhook('instagram', page), 200)
    assert.equal(await countRows(server, 'messages', owner.workspaceId), before + 1)
  })

  test('replies go to graph.instagram.com-style /{ig-id}/messages; read receipts name the message', async () => {
    const igsid = String(1_143_517_523_000_000 + ++seq)
    await sim.messengerInbound({ from: igsid, text: 'Is this available?' }, 'instagram')
    const contactId = await contactOf(igsid)
    const res = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'Yes!' },
    })
    assert.equal(res.status, 201, res.text)
    const read = await waitFor(
      async () => (await message(res.body.id)).status === 'read' && (await message(res.body.id)),
      15_000,
      'read',
    )
    assert.ok(read.readAt)
    const post = lastSendApiBody()!
    assert.equal(post.path, `/v21.0/${sim.instagramId}/messages`)
    assert.deepEqual((post.body as any).recipient, { id: igsid })
    assert.equal((post.body as any).messaging_type, 'RESPONSE')
  })

  test('rule 17: HUMAN_AGENT between 24 h and 7 days; after 7 days nothing, and no message tags', async () => {
    const igsid = String(1_143_517_523_000_000 + ++seq)
    await sim.messengerInbound({ from: igsid, text: 'Hello' }, 'instagram')
    const contactId = await contactOf(igsid)
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const tagged = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'x' },
      messageTag: 'ACCOUNT_UPDATE',
    })
    assert.equal(tagged.status, 422)
    assert.equal(tagged.body.error.code, 'invalid_message_tag')
    server.clock.advance(3 * DAY)
    try {
      const human = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'Back now' },
      })
      assert.equal(human.status, 201, human.text)
      const m = await waitFor(
        async () => (await message(human.body.id)).status !== 'pending' && (await message(human.body.id)),
        15_000,
        'sent',
      )
      assert.notEqual(m.status, 'failed', JSON.stringify(m.error))
      const body = lastSendApiBody()!.body as any
      assert.deepEqual([body.messaging_type, body.tag], ['MESSAGE_TAG', 'HUMAN_AGENT'])
      server.clock.advance(5 * DAY)
      const late = await agent.client.post(`${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'Hi?' },
      })
      assert.equal(late.status, 422)
      assert.match(
        late.body.error.message,
        /Instagram window closed .* nothing can be sent until the contact writes again/,
      )
    } finally {
      server.clock.advance(-8 * DAY)
    }
  })
})
