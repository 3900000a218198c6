import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser } from './browser'
import { customerReceives, customerWrites, docShot, signIn } from './inbox'

const e2e = serverAndBrowser()

async function paneBoxes(page: Page) {
  const box = async (selector: string) => (await page.locator(selector).boundingBox())!
  return {
    list: await box('.inbox-list'),
    thread: await box('.inbox-thread'),
    contact: await box('.inbox-contact'),
  }
}

test('the inbox in Arabic: mirrored panes, an Arabic reply, and the template dialog', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)
  await customerWrites(owner, 'مرحبًا، متى يصل طلبي؟')

  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test', { locale: 'ar-SA', fakeClock: true })
  // The owner's profile language is English: switch (the choice is kept in the profile).
  if ((await page.evaluate(() => document.documentElement.dir)) !== 'rtl')
    await page.getByRole('button', { name: 'العربية' }).click()
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  await page.getByRole('region', { name: 'المحادثات' }).waitFor()
  await page.locator('.inbox-row', { hasText: 'متى يصل طلبي' }).click()
  await page.locator('.msg-in', { hasText: 'متى يصل طلبي' }).waitFor()
  const reply = page.getByRole('textbox', { name: 'اكتب ردًا' })
  await reply.fill('أهلًا! طلبك في الطريق وسيصل غدًا.')
  await reply.press('Enter')
  await page.locator('.msg-out', { hasText: 'سيصل غدًا' }).waitFor()
  await customerReceives(owner, 'سيصل غدًا')
  await page.getByRole('button', { name: 'المسؤول' }).getByText('Olivia Owner').waitFor()

  // Mirrored: the list pane at the right, the contact pane at the left; our bubbles at the inline end (left).
  const ar = await paneBoxes(page)
  assert.ok(ar.list.x > ar.thread.x && ar.thread.x > ar.contact.x, JSON.stringify(ar))
  const inAr = (await page.locator('.msg-in').first().boundingBox())!
  const outAr = (await page.locator('.msg-out').first().boundingBox())!
  assert.ok(inAr.x > outAr.x, 'the customer on the right, our replies on the left in Arabic')
  await docShot(page, 'inbox-ar')

  // The same screen in English is not mirrored.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('region', { name: 'Conversations' }).waitFor()
  const en = await paneBoxes(page)
  assert.ok(en.list.x < en.thread.x && en.thread.x < en.contact.x, JSON.stringify(en))
  assert.equal(Math.round(en.list.width), Math.round(ar.list.width))
  await docShot(page, 'inbox-en')

  // Back to Arabic; 24 hours later only a template may go out.
  await page.getByRole('button', { name: 'العربية' }).click()
  e2e.server.clock.advance(24 * 3600_000 + 60_000)
  await page.clock.fastForward(24 * 3600_000)
  await page.getByRole('button', { name: 'إرسال قالب رسالة' }).click()
  const dialog = page.getByRole('dialog', { name: 'إرسال قالب رسالة' })
  await dialog.getByRole('button', { name: 'جلب القوالب' }).click()
  const select = dialog.getByLabel('القالب', { exact: true })
  await select
    .locator('option', { hasText: 'order_update (ar)' })
    .waitFor({ state: 'attached', timeout: 15_000 })
  await select.selectOption({ label: 'order_update (ar)' })
  for (const input of await dialog.getByRole('textbox').all()) await input.fill('١٠٠١')
  await dialog.getByRole('region', { name: 'معاينة' }).waitFor()
  await docShot(page, 'composer-template-ar')
  await page.context().close()
})
