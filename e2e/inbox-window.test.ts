import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser } from './browser'
import { customerReceives, customerWrites, docShot, signIn } from './inbox'

const e2e = serverAndBrowser()

const HOUR = 3600_000

test('the WhatsApp window counts down, then the composer becomes "Send message template" (rule 15)', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)
  await customerWrites(owner, 'Where is order 1001?')
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test', { fakeClock: true })
  await page.locator('.inbox-row', { hasText: 'Where is order 1001?' }).click()

  // A live countdown from 24 hours.
  const timer = page.getByRole('timer', { name: 'Time left in the messaging window' })
  const first = await timer.textContent()
  assert.match(first ?? '', /^23:59:\d\d$/)
  await page.clock.fastForward(61_000)
  assert.match((await timer.textContent()) ?? '', /^23:58:\d\d$/)

  // 24 hours pass on both clocks: the server's (windows are evaluated there) and the page's.
  e2e.server.clock.advance(24 * HOUR + 60_000)
  await page.clock.fastForward(24 * HOUR)
  await page.getByText('Window closed').waitFor()
  assert.equal(await page.getByRole('textbox', { name: 'Type a reply' }).count(), 0, 'no free-form composer')
  await page.getByText('Only an approved WhatsApp template can be sent').waitFor()

  await page.getByRole('button', { name: 'Send message template' }).click()
  const dialog = page.getByRole('dialog', { name: 'Send message template' })
  // No templates synced yet: fetch them from the provider (the sandbox simulator).
  await dialog.getByRole('button', { name: 'Fetch templates' }).click()
  const select = dialog.getByLabel('Template', { exact: true })
  await select
    .locator('option', { hasText: 'order_update (en)' })
    .waitFor({ state: 'attached', timeout: 15_000 })
  await select.selectOption({ label: 'order_update (en)' })

  await dialog.getByRole('textbox', { name: 'Header variable 1' }).fill('#1001')
  // Body {{1}} comes from the contact's first name; {{2}} is free text.
  await dialog.getByLabel('Value for Body variable 1').selectOption('firstName')
  await dialog.getByRole('textbox', { name: 'Body variable 2' }).fill('on its way')
  await dialog.getByRole('textbox', { name: 'Button link variable' }).fill('1001')
  const preview = dialog.getByRole('region', { name: 'Preview' })
  await preview.getByText('Order #1001').waitFor()
  await preview.getByText('Hi Olivia, your order is on its way.').waitFor()
  await docShot(page, 'composer-template-en')

  await dialog.getByRole('button', { name: 'Send template' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.locator('.msg-out').first().waitFor()
  await customerReceives(owner, 'order_update')
  await page.clock.fastForward(5000)
  await page
    .locator('.msg-out [data-status="delivered"], .msg-out [data-status="read"]')
    .first()
    .waitFor({ timeout: 15_000 })

  // The customer answers: the window opens again and the composer is back, without a reload.
  await customerWrites(owner, 'Thanks!')
  await page.getByRole('textbox', { name: 'Type a reply' }).waitFor({ timeout: 10_000 })
  await page.locator('.window-badge[data-window="open"]').waitFor()
  await page.context().close()
})
