import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { signIn } from './inbox'

const e2e = serverAndBrowser()

const DOCS = path.resolve(import.meta.dirname, '../docs/screenshots')

const CSV = [
  'First Name,Last Name,Phone,Email,Plan',
  'Layla,Haddad,+966501234567,layla@example.com,Gold',
  'Omar,Saleh,0501234,omar@example.com,Silver',
  ',Nameless,+966500000001,,Gold',
  'Karim,Nasser,+201001234567,karim@example.com,Platinum',
  'فاطمة,الزهراني,+971501112233,fatima@example.com,Silver',
].join('\r\n')

test('an owner creates a custom field, imports a CSV with good and bad rows, filters, tags, edits the field inline, merges two contacts and creates, edits and deletes one', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  assert.equal(await page.locator('[data-nav="contacts"]').getAttribute('aria-disabled'), null)

  // A list field in Settings → Contact fields (rule 55).
  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('link', { name: 'Contact fields' }).click()
  await page.getByRole('button', { name: 'Add field' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Name').fill('Plan')
  assert.equal(await dialog.getByLabel('Key').inputValue(), 'plan')
  await dialog.getByLabel('Type').selectOption('list')
  await dialog.getByLabel('Options').fill('Gold\nSilver')
  await dialog.getByRole('button', { name: 'Save' }).click()
  await page.locator('[data-field-key="plan"]').waitFor()

  // Import: Upload → Mapping → Review → progress, with per-row reasons (rule 57).
  await owner.client.post(`/api/v1/workspaces/${ws}/tags`, { name: 'Imported' })
  await page.getByRole('link', { name: 'Contacts' }).click()
  await page.getByRole('link', { name: 'Import CSV' }).click()
  const file = path.join(tmpdir(), `contacts-${process.pid}.csv`)
  writeFileSync(file, CSV)
  await page.getByLabel('CSV file').setInputFiles(file)
  await page.getByText('5 rows').waitFor()
  assert.equal(await page.getByLabel('Map column Plan to').inputValue(), 'custom.plan')
  assert.equal(await page.getByLabel('Map column First Name to').inputValue(), 'firstName')
  await page.getByRole('group', { name: 'Tag every imported contact' }).getByLabel('Imported').check()
  await page.getByRole('button', { name: 'Review' }).click()
  await page.locator('[data-stat="create"] dd').getByText('2').waitFor()
  assert.equal(await page.locator('[data-stat="fail"] dd').textContent(), '3')
  const reviewErrors = page.getByRole('region', { name: 'Rows that will not be imported' })
  assert.match((await reviewErrors.locator('[data-row="3"]').textContent()) ?? '', /country code/)
  assert.match((await reviewErrors.locator('[data-row="4"]').textContent()) ?? '', /First Name is required/)
  assert.match(
    (await reviewErrors.locator('[data-row="5"]').textContent()) ?? '',
    /Plan: Must be one of: Gold, Silver/,
  )
  await page.getByRole('button', { name: 'Start import' }).click()
  await page.getByText('Import finished').waitFor({ timeout: 30_000 })
  assert.equal(await page.locator('[data-stat="created"] dd').textContent(), '2')
  assert.equal(await page.locator('[data-stat="failed"] dd').textContent(), '3')
  const failed = page.getByRole('region', { name: 'Rows that were not imported' })
  await failed.locator('[data-row="3"]').waitFor()
  assert.deepEqual(
    await failed.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.row)),
    ['3', '4', '5'],
  )
  const report = await page.getByRole('link', { name: /Download the row report/ }).getAttribute('href')
  const csv = await page.request.get(`${e2e.server.url}${report}`)
  assert.equal(csv.status(), 200)
  assert.match(await csv.text(), /failed/)
  await page.getByRole('link', { name: 'View contacts' }).click()
  await page.locator('[data-contact="Layla Haddad"]').waitFor()
  await page.locator('[data-contact="فاطمة الزهراني"]').getByText('Imported').waitFor()
  assert.equal(await page.locator('[data-contact="Omar Saleh"]').count(), 0)
  assert.equal(await page.locator('[data-contact="Karim Nasser"]').count(), 0)

  // Search is partial on names (rule 49); the column picker is remembered.
  await page.getByLabel('Search contacts').fill('ayl')
  await page.locator('[data-contact="فاطمة الزهراني"]').waitFor({ state: 'detached' })
  await page.locator('[data-contact="Layla Haddad"]').waitFor()
  await page.getByLabel('Search contacts').fill('')
  await page.locator('summary', { hasText: 'Columns' }).click()
  await page.getByRole('checkbox', { name: 'Plan' }).check()
  await page.getByRole('columnheader', { name: 'Plan' }).waitFor()
  await page.reload()
  await page.getByRole('columnheader', { name: 'Plan' }).waitFor()

  // Filters (rule 49): the assignee, by name.
  const fatima = (await owner.client.get(`/api/v1/workspaces/${ws}/contacts?q=fatima@example.com`)).body
    .contacts[0]
  const assigned = await owner.client.put(`/api/v1/workspaces/${ws}/contacts/${fatima.id}/assignee`, {
    userId: owner.userId,
  })
  assert.equal(assigned.status, 200)
  await page.reload()
  await page.getByRole('combobox', { name: 'Assignee' }).selectOption({ label: 'Olivia Owner' })
  await page.locator('[data-contact="Layla Haddad"]').waitFor({ state: 'detached' })
  await page.locator('[data-contact="فاطمة الزهراني"]').waitFor()
  await page.getByRole('combobox', { name: 'Assignee' }).selectOption({ label: 'Unassigned' })
  await page.locator('[data-contact="فاطمة الزهراني"]').waitFor({ state: 'detached' })
  await page.locator('[data-contact="Layla Haddad"]').waitFor()
  await page.getByRole('combobox', { name: 'Assignee' }).selectOption({ label: 'Any' })

  // Tag several contacts at once.
  await owner.client.post(`/api/v1/workspaces/${ws}/tags`, { name: 'Newsletter' })
  await page.reload()
  await page.getByLabel('Select Layla Haddad').check()
  await page.getByLabel('Select فاطمة الزهراني').check()
  await page.getByRole('status').getByText('2 contacts selected').waitFor()
  await page.getByLabel('Tag selected…').selectOption({ label: 'Newsletter' })
  await page.locator('[data-contact="فاطمة الزهراني"]').getByText('Newsletter').waitFor()
  await page.locator('[data-contact="Layla Haddad"]').getByText('Newsletter').waitFor()

  // Edit the custom field inline on the contact.
  await page.locator('[data-contact="Layla Haddad"]').getByRole('link').click()
  await page.getByRole('heading', { name: 'Layla Haddad', level: 1 }).waitFor()
  await page.getByRole('button', { name: 'Edit Plan' }).click()
  await page.getByLabel('Plan').selectOption('Silver')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.locator('[data-field="plan"]').getByText('Silver').waitFor()
  await shot(page, 'contact-detail-en')
  const layla = await owner.client.get(`/api/v1/workspaces/${ws}/contacts?q=Layla`)
  assert.equal(layla.body.contacts[0].custom.plan, 'Silver')
  const laylaId: number = layla.body.contacts[0].id

  // A duplicate with the same phone (rule 53), then the side-by-side merge review.
  const dup = await owner.client.post(`/api/v1/workspaces/${ws}/contacts`, {
    firstName: 'Leila',
    phone: '+966501234567',
    custom: { plan: 'Gold' },
  })
  assert.equal(dup.status, 201)
  const tag = await owner.client.post(`/api/v1/workspaces/${ws}/tags`, { name: 'VIP' })
  await owner.client.post(`/api/v1/workspaces/${ws}/contacts/${dup.body.id}/tags`, { add: [tag.body.id] })
  await page.goto(`${e2e.server.url}/w/${ws}/contacts/duplicates`)
  await page.locator('[data-duplicate="+966501234567"]').getByText('Leila').waitFor()
  await page.goto(`${e2e.server.url}/w/${ws}/contacts/${laylaId}`)
  await page.getByRole('link', { name: 'Review merge' }).click()
  await page.getByRole('heading', { name: 'Merge contacts' }).waitFor()
  // Keep Layla's record but take the duplicate's plan.
  await page.getByLabel("Keep Leila's Plan").check()
  await shot(page, 'merge-review-en')
  await page.getByRole('button', { name: 'Merge contacts' }).click()
  await page.waitForURL(`**/w/${ws}/contacts/${laylaId}`)
  await page.getByRole('heading', { name: 'Layla Haddad', level: 1 }).waitFor()
  await page.locator('[data-field="plan"]').getByText('Gold').waitFor()
  await page.locator('.tag-chip').getByText('VIP').waitFor()
  const gone = await owner.client.get(`/api/v1/workspaces/${ws}/contacts/${dup.body.id}`)
  assert.equal(gone.status, 404)

  // Create, edit and delete a contact (rule 56: deletion cannot be undone, so it asks first).
  await page.getByRole('link', { name: 'All contacts' }).click()
  await page.getByRole('button', { name: 'New contact' }).click()
  const form = page.getByRole('dialog')
  await form.getByLabel('First name').fill('Sara')
  await form.getByLabel('Phone').fill('0511111111')
  await form.getByRole('button', { name: 'Save' }).click()
  await form.getByText(/country code/).waitFor()
  await form.getByLabel('Phone').fill('+966511111111')
  await form.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('heading', { name: 'Sara', level: 1 }).waitFor()
  await page.getByRole('button', { name: 'Edit', exact: true }).click()
  await page.getByRole('dialog').getByLabel('Last name').fill('Ali')
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click()
  await page.getByRole('heading', { name: 'Sara Ali', level: 1 }).waitFor()
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Delete' }).click()
  await page.waitForURL(`**/w/${ws}/contacts`)
  assert.equal((await owner.client.get(`/api/v1/workspaces/${ws}/contacts?q=Sara`)).body.contacts.length, 0)

  // Screenshots of the list in both languages.
  await page.locator('[data-contact="Layla Haddad"]').waitFor()
  await page.screenshot({ path: path.join(DOCS, 'contacts-en.png') })
  await shot(page, 'contacts-en')
  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('heading', { name: 'جهات الاتصال', level: 1 }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  await page.screenshot({ path: path.join(DOCS, 'contacts-ar.png') })
  await page.context().close()
})
