import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { customerReceives, customerWrites, signIn } from './inbox'

const e2e = serverAndBrowser()

test('an agent gets a WhatsApp message live, replies from the inbox and the customer receives it', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  assert.equal((await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)).status, 201)
  const snippet = await owner.client.post(`/api/v1/workspaces/${ws}/snippets`, {
    shortcut: 'thanks',
    body: 'Thank you for your patience!',
  })
  assert.equal(snippet.status, 201)
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.getByRole('region', { name: 'Conversations' }).waitFor()
  await page.getByText('No conversations here.').waitFor()

  // The customer writes while the inbox is open: the row appears without a reload (realtime).
  await customerWrites(owner, 'Hello, is my order on its way?')
  const row = page.locator('.inbox-row', { hasText: 'Hello, is my order on its way?' })
  await row.waitFor({ timeout: 10_000 })
  assert.equal(await row.locator('.dot').count(), 1, 'the blue dot marks the unread contact (rule 48)')
  await row.click()
  await page.locator('.msg-in', { hasText: 'Hello, is my order on its way?' }).waitFor()
  await page.locator('.window-badge[data-window="open"]').waitFor()

  // Enter sends; Shift+Enter makes a new line.
  const composer = page.getByRole('textbox', { name: 'Type a reply' })
  await composer.fill('Yes! It left our warehouse')
  await composer.press('Shift+Enter')
  await composer.pressSequentially('this morning.')
  assert.equal(await composer.inputValue(), 'Yes! It left our warehouse\nthis morning.')
  await composer.press('Enter')
  const out = page.locator('.msg-out', { hasText: 'this morning.' })
  await out.waitFor()
  assert.equal(await composer.inputValue(), '')
  await customerReceives(owner, 'this morning.')
  // Delivery status follows the provider's callbacks over the socket: sent → delivered → read.
  await out.locator('[data-status="read"]').waitFor({ timeout: 15_000 })
  // Rule 8: the first agent to reply is assigned.
  await page.getByRole('button', { name: 'Assignee' }).getByText('Olivia Owner').waitFor()

  // A second message from the customer arrives in the open thread.
  await customerWrites(owner, 'Great, thank you!')
  await page.locator('.msg-in', { hasText: 'Great, thank you!' }).waitFor({ timeout: 10_000 })
  // "/" lists snippets; Enter inserts the chosen one.
  await composer.pressSequentially('/tha')
  await page.getByRole('list', { name: 'Snippets' }).getByText('/thanks').waitFor()
  await composer.press('Enter')
  assert.equal(await composer.inputValue(), 'Thank you for your patience!')
  await composer.press('Enter')
  await customerReceives(owner, 'Thank you for your patience!')

  // An attachment goes through the files API and shows as a preview.
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  )
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: png })
  await page.getByText('receipt.png').waitFor()
  await composer.fill('Your receipt')
  await composer.press('Enter')
  const image = page.locator('.msg-out img.msg-image')
  await image.waitFor()
  assert.equal(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth), 1, 'the preview loads')
  await shot(page, 'inbox-reply')
  await page.context().close()
})
