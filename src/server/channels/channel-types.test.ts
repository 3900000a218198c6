import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { CHANNELS } from './registry'

let server: TestServer
before(async () => {
  server = await startTestServer()
})
after(() => server.close())

test('channel types list every registered adapter with its setup fields, for the connect wizard', async () => {
  const owner = await setupOwner(server)
  const res = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/channel-types`)
  assert.equal(res.status, 200)
  assert.deepEqual(
    res.body.map((t: { type: string }) => t.type),
    CHANNELS.map((c) => c.type),
  )
  const telegram = res.body.find((t: { type: string }) => t.type === 'telegram')
  assert.equal(telegram.label, 'Telegram')
  assert.equal(telegram.canTest, true)
  assert.deepEqual(
    telegram.setup.map((f: { key: string; in: string }) => `${f.in}.${f.key}`),
    ['secrets.botToken', 'secrets.secretToken', 'config.apiBaseUrl'],
  )
  assert.equal(telegram.setup[0].label, 'channels.telegram.botToken')
  for (const t of res.body as { type: string; canTest: boolean }[]) {
    const adapter = CHANNELS.find((c) => c.type === t.type)!
    assert.equal(t.canTest, Boolean(adapter.verifyCredentials || adapter.configureWebhook), t.type)
  }

  // Rule 104 row 11: a manager restricted from settings cannot open the wizard.
  const restricted = await buildUser(server, owner.workspaceId, 'manager', {
    restrictions: { restrictSettings: true },
  })
  const denied = await restricted.client.get(`/api/v1/workspaces/${owner.workspaceId}/channel-types`)
  assert.equal(denied.status, 403)
})
