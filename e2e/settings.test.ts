import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { signIn } from './inbox'

const e2e = serverAndBrowser()

let receiver: Server
const received: { id: string; type: string }[] = []
before(async () => {
  // A webhook receiver on loopback (allowed once the workspace allows private networks).
  receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      const json = JSON.parse(body) as { id: string; type?: string; event?: string }
      received.push({ id: json.id, type: json.type ?? json.event ?? '' })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
})
after(async () => {
  await new Promise((resolve) => receiver?.close(resolve))
})

const DOCS = path.resolve(import.meta.dirname, '../docs/screenshots')

test('settings round-trip: tags, closing-note mode and auto-close, a webhook with its delivery log and replay, a channel from the wizard', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.goto(`${e2e.server.url}/w/${ws}/settings/general`)
  const nav = page.getByRole('navigation', { name: 'Settings' })
  for (const name of [
    'Channels',
    'Contact fields',
    'Tags',
    'Lifecycle stages',
    'Closing notes & auto-close',
    'Snippets',
    'Webhooks',
  ])
    await nav.getByRole('link', { name }).waitFor()

  // Tags: add, rename, and they reach the API.
  await nav.getByRole('link', { name: 'Tags' }).click()
  await page.getByLabel('New tag').fill('VIP')
  await page.getByRole('button', { name: 'Add tag' }).click()
  await page.locator('[data-tag="VIP"]').waitFor()
  await page.getByLabel('New tag').fill('vip')
  await page.getByRole('button', { name: 'Add tag' }).click()
  await page.getByRole('alert').waitFor() // names are unique ignoring case
  await page.locator('[data-tag="VIP"]').getByRole('button', { name: 'Rename' }).click()
  await page.getByLabel('New name for VIP').fill('Gold customer')
  await page.locator('[data-tag="VIP"]').getByRole('button', { name: 'Save' }).click()
  await page.locator('[data-tag="Gold customer"]').waitFor()
  const tags = await owner.client.get(`/api/v1/workspaces/${ws}/tags`)
  assert.deepEqual(
    tags.body.map((t: { name: string }) => t.name),
    ['Gold customer'],
  )

  // Lifecycle: the default stage moves (rule 58).
  await nav.getByRole('link', { name: 'Lifecycle stages' }).click()
  await page.locator('[data-stage="Hot Lead"]').getByRole('button', { name: 'Make default' }).click()
  await page.locator('[data-stage="Hot Lead"]').getByText('Default').waitFor()
  await page.locator('[data-stage="Payment"]').getByRole('button', { name: 'Rename' }).click()
  await page.getByLabel('New name of the stage').fill('Invoice sent')
  await page.locator('[data-stage="Payment"]').getByRole('button', { name: 'Save' }).click()
  await page.locator('[data-stage="Invoice sent"]').waitFor()
  // ↑ swaps a stage with the one above it and the server keeps the order; the first cannot go up.
  const stageNames = async () =>
    ((await owner.client.get(`/api/v1/workspaces/${ws}/lifecycle-stages`)).body as { name: string }[]).map(
      (s) => s.name,
    )
  const before = await stageNames()
  const at = before.indexOf('Invoice sent')
  assert.ok(at > 0, 'the renamed stage is not the first')
  assert.equal(await page.getByRole('button', { name: `Move ${before[0]} up` }).isDisabled(), true)
  await page.getByRole('button', { name: 'Move Invoice sent up' }).click()
  await page.locator(`.stage-list > li:nth-child(${at})[data-stage="Invoice sent"]`).waitFor()
  const expected = [...before]
  ;[expected[at - 1], expected[at]] = [before[at]!, before[at - 1]!]
  assert.deepEqual(await stageNames(), expected)

  // Closing notes: mode (rule 36), auto-close in hours (rule 39), a category (rule 38).
  await nav.getByRole('link', { name: 'Closing notes & auto-close' }).click()
  await page.getByLabel('Category and summary required').check()
  await page.getByLabel('Close conversations when the contact does not reply').check()
  await page.getByLabel('After', { exact: true }).fill('10')
  await page.getByLabel('Unit').selectOption('minutes')
  await page.getByRole('button', { name: 'Save' }).click()
  // Rule 39: at least 30 minutes; the server's message shows under the field.
  await page.locator('.field-invalid').getByRole('alert').waitFor()
  assert.equal(
    (await owner.client.get(`/api/v1/workspaces/${ws}`)).body.workspace.autoCloseMinutes,
    null,
    'nothing was saved',
  )
  await page.getByLabel('After', { exact: true }).fill('6')
  await page.getByLabel('Unit').selectOption('hours')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved.').waitFor()
  await page.getByLabel('Category name').fill('Refund')
  await page.getByLabel('Description', { exact: true }).fill('The customer asked for their money back')
  await page.getByRole('button', { name: 'Add category' }).click()
  await page.locator('[data-category="Refund"]').waitFor()
  // The description is edited in a dialog; the server's limit shows under the field.
  await page.locator('[data-category="Refund"]').getByRole('button', { name: 'Edit description' }).click()
  const describe = page.getByRole('dialog', { name: 'Description of Refund' })
  await describe.getByLabel('Description').fill('x'.repeat(501))
  await describe.getByRole('button', { name: 'Save' }).click()
  await describe.locator('.field-invalid').getByRole('alert').waitFor()
  await describe.getByLabel('Description').fill('المبلغ أُعيد إلى العميل')
  await describe.getByRole('button', { name: 'Save' }).click()
  await describe.waitFor({ state: 'detached' })
  await page.locator('[data-category="Refund"]').getByText('المبلغ أُعيد إلى العميل').waitFor()
  const view = await owner.client.get(`/api/v1/workspaces/${ws}`)
  assert.equal(view.body.workspace.closingNotesMode, 'category_and_summary_required')
  assert.equal(view.body.workspace.autoCloseMinutes, 360)
  await page.reload()
  assert.equal(await page.getByLabel('Category and summary required').isChecked(), true)
  assert.equal(await page.getByLabel('After', { exact: true }).inputValue(), '6')

  // Snippets: a saved reply with an Arabic body.
  await nav.getByRole('link', { name: 'Snippets' }).click()
  await page.getByRole('button', { name: 'Add snippet' }).click()
  await page.getByRole('dialog').getByLabel('Shortcut').fill('thanks')
  await page.getByRole('dialog').getByLabel('Text').fill('شكرًا لتواصلك معنا!')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await page.locator('[data-snippet="thanks"]').getByText('شكرًا لتواصلك معنا!').waitFor()

  // Webhooks: private network on, an endpoint, the secret once, a test delivery and a replay.
  await nav.getByRole('link', { name: 'Webhooks' }).click()
  const privateSaved = page.waitForResponse(
    (r) => r.url().endsWith('/webhooks/settings') && r.request().method() === 'PUT',
  )
  await page.getByLabel('Allow private network addresses').check()
  assert.equal((await privateSaved).status(), 200)
  await page.getByRole('button', { name: 'Add webhook' }).click()
  const dialog = page.getByRole('dialog')
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
  await dialog.getByLabel('URL').fill(url)
  await dialog.getByRole('checkbox', { name: /contact\.tag_updated/ }).check()
  await dialog.getByRole('button', { name: 'Save' }).click()
  const secret = await page.getByTestId('secret').inputValue()
  assert.match(secret, /^whsec_/)
  await page.getByRole('button', { name: 'Done' }).click()
  const card = page.locator(`[data-webhook="${url}"]`)
  await card.waitFor()
  assert.equal(await page.getByTestId('secret').count(), 0, 'the secret is not shown again')
  await card.getByRole('button', { name: 'Send test event' }).click()
  await card.getByRole('button', { name: 'Delivery log' }).click()
  const row = card.locator('[data-delivery="webhook.test"]')
  await row.and(card.locator('[data-status="delivered"]')).waitFor({ timeout: 20_000 })
  assert.equal(received.length, 1)
  await row.getByRole('button', { name: 'Details' }).click()
  const detail = card.getByRole('region', { name: 'Details' })
  await detail.locator('.payload').getByText(received[0]!.id, { exact: false }).waitFor()
  await detail.getByRole('cell', { name: '200' }).waitFor()
  await row.getByRole('button', { name: 'Replay' }).click()
  const deadline = Date.now() + 20_000
  while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  assert.equal(received.length, 2, 'the replay reached the receiver')
  assert.equal(received[1]!.id, received[0]!.id, 'a replay keeps the delivery id')

  // Channels: the wizard shows each type's fields from the server; a custom channel connects.
  await nav.getByRole('link', { name: 'Channels' }).click()
  await page.getByRole('button', { name: 'Connect channel' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Telegram' }).click()
  await page.getByRole('dialog').getByLabel('Bot token').waitFor()
  await page.getByRole('dialog').getByRole('button', { name: 'Back' }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Custom channel' }).click()
  await page.getByRole('dialog').getByLabel('Channel name').fill('Website form')
  await page.getByRole('dialog').getByLabel('Contact ID type').selectOption('custom')
  await page.getByRole('dialog').getByLabel('Destination URL').fill('https://crm.example.com/tawasul')
  await page.getByRole('dialog').getByRole('button', { name: 'Connect channel' }).click()
  await page.getByRole('heading', { name: 'Website form is connected' }).waitFor()
  const webhookUrl = await page.getByRole('dialog').getByLabel('Webhook URL').inputValue()
  assert.match(webhookUrl, /^http/)
  // The generated API token is shown once, next to the webhook URL.
  assert.ok((await page.getByRole('dialog').getByLabel('API token').inputValue()).length >= 32)
  await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click()
  await page.locator('[data-channel="Website form"]').getByText('Active').waitFor()
  await page.screenshot({ path: path.join(DOCS, 'settings-channels-en.png') })
  await shot(page, 'settings-channels-en')

  // The same page in Arabic is mirrored.
  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('heading', { name: 'القنوات', level: 1 }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  const box = (await page.locator('.settings-nav').boundingBox())!
  assert.ok(box.x > 640, 'the settings navigation sits on the right in Arabic')
  await shot(page, 'settings-channels-ar')
  await page.context().close()
})
