import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { WebSocketRoute } from 'playwright-core'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser } from './browser'
import { customerWrites, signIn } from './inbox'

const e2e = serverAndBrowser()

test('a dropped socket shows "connection lost", reconnects by itself and catches up on what was missed', async () => {
  const owner = await setupOwner(e2e.server)
  await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/sandbox`)
  await customerWrites(owner, 'First question')

  // The realtime socket goes through a route we can cut, like a flaky network would.
  let down = false
  const live: WebSocketRoute[] = []
  let connects = 0
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test', {
    prepare: (p) =>
      p.routeWebSocket(/\/api\/v1\/realtime$/, (ws) => {
        connects++
        if (down) return ws.close({ code: 1011, reason: 'network down' })
        ws.connectToServer()
        live.push(ws)
      }),
  })
  await page.locator('.inbox-row', { hasText: 'First question' }).click()
  await page.locator('.msg-in', { hasText: 'First question' }).waitFor()
  const banner = page.getByRole('status').filter({ hasText: 'Connection lost — reconnecting…' })
  assert.equal(await banner.count(), 0)

  down = true
  for (const ws of live.splice(0)) await ws.close({ code: 1011, reason: 'network down' })
  await banner.waitFor()
  // Missed while down: a new message in the open conversation.
  await customerWrites(owner, 'Are you still there?')
  await page.waitForTimeout(1500)
  assert.equal(await page.locator('.msg-in', { hasText: 'Are you still there?' }).count(), 0)
  const attemptsWhileDown = connects

  down = false
  await banner.waitFor({ state: 'detached', timeout: 20_000 })
  assert.ok(connects > attemptsWhileDown, 'the client reconnected by itself')
  // Catch-up replays the missed frame into the open thread; no reload.
  await page.locator('.msg-in', { hasText: 'Are you still there?' }).waitFor({ timeout: 10_000 })
  await page.context().close()
})
