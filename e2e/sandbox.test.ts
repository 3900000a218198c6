import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setupOwner, TEST_PASSWORD } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'

const e2e = serverAndBrowser()

test('an owner opens the WhatsApp sandbox from Settings, writes as the customer and sees the reply, in English and Arabic', async () => {
  const owner = await setupOwner(e2e.server)
  const ctx = await e2e.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })
  const page = await ctx.newPage()
  await page.goto(`${e2e.server.url}/login`)
  await page.getByLabel('Email').fill('owner@acme.test')
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Signed in (the session cookie is set) before going anywhere else.
  await page.waitForURL(`**/w/${owner.workspaceId}/**`)
  await page.goto(`${e2e.server.url}/w/${owner.workspaceId}/settings`)
  await page.getByRole('link', { name: 'WhatsApp sandbox' }).click()
  await page.waitForURL(`**/w/${owner.workspaceId}/sandbox`)
  await page.getByRole('button', { name: 'Start the sandbox' }).click()

  const composer = page.getByLabel('Message as the customer')
  await composer.fill('Hello, do you deliver to Jeddah?')
  await page.getByRole('button', { name: 'Send' }).click()
  await page.locator('.bubble-customer').getByText('Hello, do you deliver to Jeddah?').waitFor()

  // The reply comes from the inbox API, as an agent would send it.
  const { rows } = await e2e.server.ctx.database.query<{ id: number }>(
    'SELECT id FROM contacts WHERE workspace_id = $1 ORDER BY id DESC LIMIT 1',
    [owner.workspaceId],
  )
  const sent = await owner.client.post(
    `/api/v1/workspaces/${owner.workspaceId}/contacts/${rows[0]!.id}/messages`,
    {
      message: { type: 'text', text: 'نعم، نوصل إلى جدة خلال يومين.' },
    },
  )
  assert.equal(sent.status, 201)
  await page
    .locator('.bubble-business')
    .getByText('نعم، نوصل إلى جدة خلال يومين.')
    .waitFor({ timeout: 15_000 })
  await page.locator('.bubble-business').getByText('read').waitFor({ timeout: 15_000 })
  await shot(page, 'sandbox-en')
  const customer = await page.locator('.bubble-customer').boundingBox()
  const business = await page.locator('.bubble-business').boundingBox()
  assert.ok(customer!.x > business!.x, "the customer's own bubble sits at the inline end (right in English)")

  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('heading', { name: 'تجربة واتساب' }).waitFor()
  const customerAr = await page.locator('.bubble-customer').boundingBox()
  const businessAr = await page.locator('.bubble-business').boundingBox()
  assert.ok(customerAr!.x < businessAr!.x, 'mirrored in Arabic')
  await shot(page, 'sandbox-ar')
  await ctx.close()
})
