import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildUser, setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { customerWrites, signIn } from './inbox'

const e2e = serverAndBrowser()

// A 1×1 PNG, so the image row shows a real thumbnail.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

test('Settings → Files: the owner uploads two files, renames one, deletes one, sends one from the composer; an agent has no Files (rule 104 row 15)', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const api = `/api/v1/workspaces/${ws}/library/files`
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.server.url })
  await page.goto(`${e2e.server.url}/w/${ws}/settings/general`)
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Files' }).click()
  await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor()
  await page.getByText('No files yet.').waitFor()

  // One file chosen with the file picker…
  await page.getByLabel('Choose files').setInputFiles({
    name: 'price list.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4 prices'),
  })
  await page.locator('[data-file="price list.pdf"]').waitFor()
  // …and one dropped on the drop zone.
  await page.evaluate(
    (bytes) => {
      const dt = new DataTransfer()
      dt.items.add(new File([new Uint8Array(bytes)], 'logo.png', { type: 'image/png' }))
      const zone = document.querySelector('.files-drop')!
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
    },
    [...PNG],
  )
  const logo = page.locator('[data-file="logo.png"]')
  await logo.waitFor()
  // Newest first, with an image thumbnail that really loaded, the size, the uploader and the date.
  assert.deepEqual(
    await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.file)),
    ['logo.png', 'price list.pdf'],
  )
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('[data-file="logo.png"] img')
    return img?.complete && img.naturalWidth === 1
  })
  const cells = await logo.locator('td').allInnerTexts()
  assert.deepEqual(cells[1]!.split('\n'), ['logo.png', 'image/png'])
  assert.match(cells[2]!, new RegExp(`^${PNG.length}\\s?byte`))
  assert.equal(cells[3], 'Olivia Owner', 'uploaded by')
  assert.match(cells[4]!, /2\d{3}/, 'a date')
  await shot(page, 'files-library')

  // Copy link: the copied link opens the file without a session.
  await logo.getByRole('button', { name: 'Copy link to logo.png' }).click()
  await logo.getByRole('button', { name: 'Copied' }).waitFor()
  const copied = new URL(await page.evaluate(() => navigator.clipboard.readText()))
  assert.match(copied.pathname, new RegExp(`^/files/${ws}/\\d+$`))
  // The link names the configured public URL; the test server listens elsewhere.
  const link = `${e2e.server.url}${copied.pathname}${copied.search}`
  const fetched = await fetch(link)
  assert.equal(fetched.status, 200)
  assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), PNG)

  // Rename.
  await page.getByRole('button', { name: 'Rename price list.pdf' }).click()
  const dialog = page.getByRole('dialog', { name: 'Rename file' })
  await dialog.getByLabel('Name').fill('Prices 2026.pdf')
  await dialog.getByRole('button', { name: 'Save' }).click()
  await page.locator('[data-file="Prices 2026.pdf"]').waitFor()

  // Filter by name, then clear.
  await page.getByLabel('Search by name').fill('prices')
  await page.locator('[data-file="logo.png"]').waitFor({ state: 'detached' })
  await page.getByLabel('Search by name').fill('')
  await logo.waitFor()

  // Delete, after confirming.
  page.once('dialog', (d) => {
    assert.match(d.message(), /Delete logo\.png/)
    void d.accept()
  })
  await logo.getByRole('button', { name: 'Delete logo.png' }).click()
  await page.getByText('logo.png was deleted.').waitFor()
  await logo.waitFor({ state: 'detached' })
  const left = await owner.client.get(api)
  assert.deepEqual(
    left.body.files.map((f: { fileName: string }) => f.fileName),
    ['Prices 2026.pdf'],
  )
  assert.equal((await fetch(link)).status, 404, 'the deleted file is gone from storage')

  // An agent: no Settings (so no Files entry), the page refuses, the API answers 403.
  const agent = await buildUser(e2e.server, ws, 'agent')
  const agentPage = await signIn(e2e.browser, e2e.server, agent.email)
  assert.equal(await agentPage.getByRole('link', { name: 'Files' }).count(), 0)
  await agentPage.goto(`${e2e.server.url}/w/${ws}/settings/files`)
  await agentPage.getByText('You do not have access to this page.').waitFor()
  assert.equal(await agentPage.locator('[data-file]').count(), 0)
  assert.equal((await agent.client.get(api)).status, 403)
  await agentPage.context().close()

  // A manager (not restricted) has the Files entry (⭕: allowed unless the owner restricts settings).
  const manager = await buildUser(e2e.server, ws, 'manager')
  const managerPage = await signIn(e2e.browser, e2e.server, manager.email)
  await managerPage.goto(`${e2e.server.url}/w/${ws}/settings/general`)
  await managerPage
    .getByRole('navigation', { name: 'Settings' })
    .getByRole('link', { name: 'Files' })
    .waitFor()
  await managerPage.context().close()

  // In Arabic the page mirrors: Arabic labels, right-to-left layout, sizes formatted by Intl in Arabic.
  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('heading', { name: 'الملفات', level: 1 }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  await page.getByText('تم حذف logo.png.').waitFor() // the notice follows the language
  const row = page.locator('[data-file="Prices 2026.pdf"]')
  await row.getByRole('button', { name: 'نسخ رابط Prices 2026.pdf' }).waitFor()
  // Intl's Arabic: the unit in Arabic (digits as the locale's default numbering system has them).
  assert.match((await row.locator('td').allInnerTexts())[2]!, /^[0-9٠-٩]+\s?بايت$/)
  const zone = (await page.locator('.files-drop').boundingBox())!
  const title = (await page.locator('.files-drop-title').boundingBox())!
  assert.ok(
    Math.abs(zone.x + zone.width - (title.x + title.width)) < 24,
    'the drop zone title starts at the right edge',
  )
  await shot(page, 'files-library-ar')
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor()

  // The composer sends a library file ("From library"); deleting it afterwards only unlists it,
  // so the sent message keeps its file.
  assert.equal((await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)).status, 201)
  await customerWrites(owner, 'Can I see your prices?')
  await page.goto(`${e2e.server.url}/w/${ws}/inbox`)
  await page.locator('.inbox-row', { hasText: 'Can I see your prices?' }).click()
  await page.getByRole('button', { name: 'From library' }).click()
  const picker = page.getByRole('dialog', { name: 'Send a file from the library' })
  await picker.getByRole('button', { name: /Prices 2026\.pdf/ }).click()
  await page.locator('.attachment-chip', { hasText: 'Prices 2026.pdf' }).waitFor()
  await page.getByRole('button', { name: 'Send', exact: true }).click()
  await page.locator('.msg-out', { hasText: 'Prices 2026.pdf' }).waitFor()
  const prices = left.body.files[0] as { id: number }
  const removed = await owner.client.delete(`${api}/${prices.id}`)
  assert.deepEqual(removed.body, { outcome: 'unlisted', messages: 1 })
  assert.equal((await owner.client.get(`/api/v1/workspaces/${ws}/files/${prices.id}`)).status, 200)
  await page.context().close()
})
