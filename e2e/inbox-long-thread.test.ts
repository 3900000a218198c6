import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildContact, buildMessages, setupOwner } from '../src/server/test/factories'
import { serverAndBrowser } from './browser'
import { signIn } from './inbox'

const e2e = serverAndBrowser()

test('a 5,000-message thread is virtualized, keeps its place while older pages load, and j/k move between conversations', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const sandbox = await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)
  const channelId = sandbox.body.channel.id as number
  const inbox = { inboxStatus: 'open' as const, lastMessageDirection: 'in' as const }
  const quiet = await buildContact(e2e.server, ws, {
    ...inbox,
    firstName: 'Quiet',
    lastMessageAt: new Date(Date.now() - 3600_000),
    lastMessagePreview: 'older',
  })
  const heavy = await buildContact(e2e.server, ws, {
    ...inbox,
    firstName: 'Heavy',
    lastMessageAt: new Date(),
    lastMessagePreview: 'Message 5000',
  })
  await buildMessages(e2e.server.ctx.db, ws, { contactId: heavy.id, channelId, count: 5000 })

  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.locator('.inbox-row', { hasText: 'Heavy' }).click()
  const thread = page.getByRole('log', { name: 'Messages' })
  const newest = thread.locator('.msg', { hasText: 'Message 5000' })
  await newest.waitFor()
  // The newest message is in view at the bottom.
  const box = (await thread.boundingBox())!
  const last = (await newest.boundingBox())!
  assert.ok(last.y + last.height <= box.y + box.height + 1 && last.y >= box.y, 'newest message visible')
  const rendered = () => thread.locator('.vlist-row').count()
  assert.ok((await rendered()) < 60, `only visible rows are in the DOM (${await rendered()})`)

  // Scrolling to the top loads older pages; the row in view stays in view.
  await thread.evaluate((el) => {
    el.scrollTop = 0
  })
  await thread.locator('.msg', { hasText: 'Message 4900' }).waitFor({ state: 'attached' })
  const anchor = thread.locator('.msg', { hasText: 'Message 4901' })
  const a = (await anchor.boundingBox())!
  assert.ok(a.y >= box.y - a.height && a.y <= box.y + box.height, 'the first row seen stays in place')

  // All the way up: every page loads, the DOM stays small.
  for (let i = 0; i < 80; i++) {
    if (await thread.locator('.msg', { hasText: 'Message 1 —' }).count()) break
    await thread.evaluate((el) => {
      el.scrollTop = 0
    })
    await page.waitForTimeout(150)
  }
  await thread.locator('.msg', { hasText: 'Message 1 —' }).waitFor()
  assert.ok((await rendered()) < 60, `still only visible rows with 5,000 loaded (${await rendered()})`)

  // j / k: next and previous conversation in the list.
  await page.locator('.thread-title h2').click()
  // The row below Heavy: Quiet, unless the sandbox's welcome conversation landed in between.
  const names = await page.locator('.inbox-row').allInnerTexts()
  const below = names.findIndex((n) => n.includes('Heavy')) + 1
  const next = names[below]?.includes('Quiet') ? quiet.id : null
  const away = (u: URL) =>
    next ? u.pathname.endsWith(`/inbox/${next}`) : !u.pathname.endsWith(`/inbox/${heavy.id}`)
  await page.keyboard.press('j')
  await page.waitForURL(away)
  await page.keyboard.press('k')
  await page.waitForURL(`**/inbox/${heavy.id}**`)
  await page.keyboard.press('Alt+ArrowDown')
  await page.waitForURL(away)
  await page.context().close()
})
