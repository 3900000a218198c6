import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, test } from 'node:test'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../src/server/test/custom-channel'
import { buildContact, buildUser, setupOwner, TEST_PASSWORD } from '../src/server/test/factories'
import { SCREENSHOTS, serverAndBrowser, shot } from './browser'

const DOCS = path.resolve(import.meta.dirname, '../docs/screenshots')

let destination: Awaited<ReturnType<typeof startDestination>>
let owner: Awaited<ReturnType<typeof setupOwner>>
const e2e = serverAndBrowser(async () => {
  destination = await startDestination()
  owner = await setupOwner(e2e.server)
})

async function signIn(email: string, locale = 'en-US') {
  const ctx = await e2e.browser.newContext({
    locale,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  })
  const page = await ctx.newPage()
  await page.goto(`${e2e.server.url}/login`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/w\/\d+\//)
  return { ctx, page }
}
after(async () => {
  await destination?.close()
})

test('an owner builds "conversation opened → send message → add tag" in the editor, publishes it, a contact writes in, the run shows in the run log; a test run shows the simulated path; English and Arabic', async () => {
  const ws = owner.workspaceId
  const tag = await owner.client.post(`/api/v1/workspaces/${ws}/tags`, { name: 'Welcomed' })
  assert.equal(tag.status, 201)
  const channel = await connectCustomChannel(owner.client, ws, destination.url)

  const { ctx, page } = await signIn('owner@acme.test')

  // The Workflows module is a link now (rule 60: owners and managers).
  await page.locator('a[data-nav="workflows"]').click()
  await page.getByRole('heading', { name: 'Workflows' }).waitFor()
  await page.getByRole('button', { name: 'Create workflow' }).click()
  await page.getByLabel('Name').fill('Welcome new conversations')
  await page.getByLabel('Trigger').selectOption('conversation_opened')
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  await page.waitForURL(`**/w/${ws}/workflows/*`)
  const workflowId = Number(/workflows\/(\d+)/.exec(page.url())![1])
  await page.getByRole('heading', { name: 'Welcome new conversations' }).waitFor()
  await page.getByText('Add at least one step.').waitFor()

  // Step 1: Send a Message, picked from the "Messaging" group; new, it is incomplete (rule 64).
  await page.getByRole('button', { name: 'Add a step after the trigger' }).click()
  const picker = page.getByRole('dialog', { name: 'Add a step' })
  await picker.getByRole('heading', { name: 'Messaging' }).waitFor()
  await picker.getByRole('button', { name: 'Send a Message' }).click()
  const send = page.locator('.wf-node[data-kind="send_message"]')
  await page.locator('.wf-node-invalid[data-kind="send_message"]').waitFor()
  await page.locator('.drawer').getByText('The message is required.').waitFor()
  const drawer = page.locator('.drawer')
  await drawer.getByLabel('Step name').fill('Greet')
  await drawer.getByLabel('Text', { exact: true }).fill('Hello ')
  await drawer.getByLabel('Insert a variable into Text').selectOption('$contact.firstname')
  assert.equal(await drawer.getByLabel('Text', { exact: true }).inputValue(), 'Hello $contact.firstname')
  await drawer.getByLabel('Text', { exact: true }).press('End')
  await drawer.getByLabel('Text', { exact: true }).pressSequentially(', welcome!')
  await drawer.getByRole('button', { name: 'Apply' }).click()
  await page.locator('.wf-node-invalid[data-kind="send_message"]').waitFor({ state: 'detached' })
  assert.equal(await send.locator('strong').textContent(), 'Greet')

  // Step 2: Update Contact Tag after it, with the tag chosen by name.
  await page.getByRole('button', { name: 'Add a step after Greet' }).click()
  await picker.getByRole('button', { name: 'Update Contact Tag' }).click()
  await drawer.getByLabel('Welcomed').first().check()
  await drawer.getByRole('button', { name: 'Apply' }).click()
  await page.getByText('Draft saved').waitFor()
  await page.locator('.wf-problems').waitFor({ state: 'detached' })
  const order = await page
    .locator('.wf-tree .wf-node[data-kind]')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.kind))
  assert.deepEqual(order, ['send_message', 'update_tag'])

  // Copy and paste (rule 65) adds a copy with fresh ids; deleting it leaves the two steps.
  await page.getByRole('button', { name: 'Copy Greet' }).click()
  await page.getByRole('button', { name: 'Paste here' }).last().click()
  await waitFor(async () => (await page.locator('.wf-tree .wf-node[data-kind]').count()) === 3)
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Delete Greet' }).last().click()
  await waitFor(async () => (await page.locator('.wf-tree .wf-node[data-kind]').count()) === 2)
  await page.getByText('Draft saved').waitFor()

  const stored = await owner.client.get(`/api/v1/workspaces/${ws}/workflows/${workflowId}`)
  assert.deepEqual(stored.body.problems, [])
  assert.deepEqual(
    stored.body.definition.steps.map((s: { kind: string; config: unknown }) => [s.kind, s.config]),
    [
      [
        'send_message',
        {
          channelId: null,
          message: { type: 'text', text: 'Hello $contact.firstname, welcome!' },
          channelResponses: [],
          failureBranch: false,
        },
      ],
      ['update_tag', { add: [tag.body.id], remove: [] }],
    ],
  )

  await page.getByRole('button', { name: 'Publish' }).click()
  await page.getByText('Published as version 1.').waitFor()
  await page.locator('.wf-meta').getByText('Published').waitFor()
  await page.getByRole('button', { name: 'Versions' }).click()
  await page.getByRole('dialog', { name: 'Versions' }).getByText('Version 1').waitFor()
  await page.getByRole('dialog', { name: 'Versions' }).getByRole('button', { name: 'Close' }).first().click()

  // A contact writes in through the custom channel: the conversation opens and the workflow runs.
  const sent = await inbound(e2e.server, channel, {
    from: '+966500000123',
    text: 'السلام عليكم',
    contact: { firstName: 'Salma' },
  })
  assert.equal(sent.status, 200, sent.body)
  await waitFor(() => Promise.resolve(destination.received.length > 0), 15_000, 'the greeting to be sent')
  assert.equal(destination.received[0]!.body.message.text, 'Hello Salma, welcome!')

  await page.getByRole('tab', { name: 'Run log' }).click()
  const run = page.locator('.run').first()
  await run.getByText('Completed').waitFor({ timeout: 15_000 })
  await run.locator('summary').first().click()
  await run.locator('tr[data-step]').first().waitFor()
  const rows = await run.locator('tr[data-step] td:first-child').allTextContents()
  assert.deepEqual(rows, ['Greet', 'Update Contact Tag'])
  assert.equal(await run.locator('tr[data-step]').nth(0).locator('td').nth(1).textContent(), 'Done')
  assert.equal(await run.locator('tr[data-step]').nth(0).locator('td').nth(2).textContent(), 'Success')
  // The run log filtered to the contact.
  await page.getByLabel('Search contacts').fill('Salma')
  await page.getByLabel('Contact', { exact: true }).selectOption({ label: 'Salma · +966500000123' })
  await page.locator('.run').first().getByText('Salma', { exact: true }).waitFor()

  // Test run: the same path, simulated; nothing is sent.
  await page.getByRole('tab', { name: 'Editor' }).click()
  await page.getByRole('button', { name: 'Test run' }).click()
  const dialog = page.getByRole('dialog', { name: 'Test run' })
  await dialog.getByLabel('Search contacts').fill('Salma')
  await dialog.getByLabel('Contact to test with').selectOption({ label: 'Salma · +966500000123' })
  await dialog.getByRole('button', { name: 'Run the test' }).click()
  await dialog.getByText('Simulated path: completed').waitFor()
  const simulated = await dialog.locator('.test-path > li strong').allTextContents()
  assert.deepEqual(simulated, ['Greet', 'Update Contact Tag'])
  const before = destination.received.length
  await dialog.getByRole('button', { name: 'Close' }).last().click()

  await page.locator('.wf-node[data-kind="send_message"] .wf-node-main').click()
  await page.locator('.drawer').waitFor()
  mkdirSync(DOCS, { recursive: true })
  await page.screenshot({ path: path.join(DOCS, 'workflow-builder-en.png') })
  await shot(page, 'workflow-builder-en')
  const treeEn = (await page.locator('.wf-scroll').boundingBox())!
  const drawerEn = (await page.locator('.drawer').boundingBox())!
  assert.ok(drawerEn.x > treeEn.x, 'the drawer sits at the inline end (right in English)')

  // Arabic: the layout mirrors (drawer on the left), labels are translated.
  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('button', { name: 'نشر' }).waitFor()
  await page.locator('.drawer').getByText('إرسال رسالة').waitFor()
  const treeAr = (await page.locator('.wf-scroll').boundingBox())!
  const drawerAr = (await page.locator('.drawer').boundingBox())!
  assert.ok(drawerAr.x < treeAr.x, 'mirrored in Arabic')
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  await page.screenshot({ path: path.join(DOCS, 'workflow-builder-ar.png') })
  await shot(page, 'workflow-builder-ar')
  assert.equal(destination.received.length, before, 'the test run sent nothing')
  // The language is the user's preference: back to English for the next test.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('button', { name: 'Publish' }).waitFor()
  // Stop: no new runs; the list says so.
  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'Stop' }).click()
  await page.locator('.wf-meta').getByText('Stopped').waitFor()
  await ctx.close()
})

test('from a template: incomplete steps highlighted (rule 64), named branches drawn, move and delete with children (rule 65), export and import; agents have no Workflows (rule 60)', async () => {
  const ws = owner.workspaceId
  const { ctx, page } = await signIn('owner@acme.test')
  await page.goto(`${e2e.server.url}/w/${ws}/workflows`)
  await page.getByRole('button', { name: 'Create workflow' }).click()
  await page.getByLabel('Start from').selectOption({ label: 'Routing: VIP contacts' })
  assert.equal(await page.getByLabel('Name').inputValue(), 'Routing: VIP contacts')
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  await page.waitForURL(`**/w/${ws}/workflows/*`)
  const workflowId = Number(/workflows\/(\d+)/.exec(page.url())![1])
  const step = (id: string) => page.locator(`.wf-node[data-step="${id}"]`)

  // Rule 64: the steps the template leaves for you are highlighted, with the server's problems.
  for (const id of ['crm_lookup', 'assign_vip', 'assign_team', 'assign_after_retries'])
    await page.locator(`.wf-node-invalid[data-step="${id}"]`).waitFor()
  assert.equal(await step('thanks').getAttribute('class'), 'wf-node')
  // Outcomes drawn as named branches: a Branch step's own names, Else, Failure: Invalid.
  const labels = (id: string) =>
    page
      .locator(`.wf-item:has(> .wf-node[data-step="${id}"]) > .wf-branches > .wf-branch > .wf-branch-label`)
      .allTextContents()
  assert.deepEqual(await labels('email_exists'), ['Has email', 'Else'])
  assert.deepEqual(await labels('is_vip'), ['VIP', 'Else'])
  assert.deepEqual(await labels('ask_email'), ['Failure: Invalid'])
  assert.deepEqual(await labels('crm_lookup'), ['Failure'])
  // A Branch step always goes into a branch: nothing can be added after it, only inside.
  assert.equal(await page.getByRole('button', { name: 'Add a step after Email exists?' }).count(), 0)
  await page.getByRole('button', { name: 'Add a step at the start of Has email' }).waitFor()
  await page.getByRole('button', { name: 'Add a step after Ask for the email' }).waitFor()
  await shot(page, 'workflow-template-en')
  // The tree mirrors in Arabic: the first branch sits at the inline start (left, then right).
  const branchX = async (outcome: string) =>
    (await page
      .locator(
        `.wf-item:has(> .wf-node[data-step="email_exists"]) > .wf-branches > .wf-branch[data-outcome="${outcome}"]`,
      )
      .boundingBox())!.x
  assert.ok((await branchX('has_email')) < (await branchX('else')))
  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('button', { name: 'نشر' }).waitFor()
  assert.ok((await branchX('has_email')) > (await branchX('else')), 'branches mirrored in Arabic')
  await shot(page, 'workflow-template-ar')
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('button', { name: 'Publish' }).waitFor()
  await step('is_vip').locator('.wf-node-main').click()
  await page.locator('.drawer').waitFor()
  await page.locator('.drawer').screenshot({ path: path.join(SCREENSHOTS, 'drawer-branch.png') })
  await step('ask_email').locator('.wf-node-main').click()
  await page.locator('.drawer').screenshot({ path: path.join(SCREENSHOTS, 'drawer-ask.png') })
  await page.locator('.drawer').getByRole('button', { name: 'Cancel' }).click()

  // Complete the CRM lookup's URL with a variable; its highlight goes.
  await step('crm_lookup').locator('.wf-node-main').click()
  const drawer = page.locator('.drawer')
  await drawer.getByText('The URL is required.').waitFor()
  await drawer.getByLabel('URL', { exact: true }).fill('https://crm.example.com/customers?email=')
  await drawer.getByLabel('Insert a variable into URL').selectOption('$contact.email')
  await drawer.getByRole('button', { name: 'Apply' }).click()
  await page.locator('.wf-node-invalid[data-step="crm_lookup"]').waitFor({ state: 'detached' })

  // Move "VIP or regular contact" with its branches to the end of the Else branch; never into itself.
  await page.getByRole('button', { name: 'Move VIP or regular contact' }).click()
  assert.equal(
    await page.locator('.wf-item:has(> .wf-node[data-step="is_vip"]) > .wf-branches .wf-drop').count(),
    0,
    'no "Move here" inside its own branches',
  )
  await page
    .locator(
      '.wf-item:has(> .wf-node[data-step="email_exists"]) > .wf-branches > .wf-branch[data-outcome="else"] > .wf-seq > .wf-item > .wf-slot',
    )
    .last()
    .getByRole('button', { name: 'Move here' })
    .click()
  await page.getByText('Draft saved').waitFor()
  let saved = (await owner.client.get(`/api/v1/workspaces/${ws}/workflows/${workflowId}`)).body
  const elseSeq = saved.definition.steps[0].branches.else as {
    id: string
    branches?: Record<string, { id: string }[]>
  }[]
  assert.deepEqual(
    elseSeq.map((s) => s.id),
    ['ask_email', 'thanks', 'to_lookup', 'is_vip'],
  )
  assert.deepEqual(
    elseSeq[3]!.branches!.vip!.map((s) => s.id),
    ['assign_vip'],
  )
  assert.deepEqual(
    saved.definition.steps[0].branches.has_email.map((s: { id: string }) => s.id),
    ['crm_lookup'],
  )

  // Delete "Ask for the email": its Invalid branch goes with it (3 steps).
  let asked = ''
  page.once('dialog', (d) => {
    asked = d.message()
    void d.accept()
  })
  await page.getByRole('button', { name: 'Delete Ask for the email' }).click()
  await step('ask_again').waitFor({ state: 'detached' })
  assert.match(asked, /3 steps/)
  await page.getByText('Draft saved').waitFor()
  saved = (await owner.client.get(`/api/v1/workspaces/${ws}/workflows/${workflowId}`)).body
  const ids: string[] = []
  const walk = (seq: { id: string; branches?: Record<string, unknown[]> }[]) => {
    for (const s of seq) {
      ids.push(s.id)
      for (const b of Object.values(s.branches ?? {})) walk(b as typeof seq)
    }
  }
  walk(saved.definition.steps)
  assert.ok(!ids.includes('ask_email') && !ids.includes('ask_again') && !ids.includes('assign_after_retries'))
  assert.ok(ids.includes('thanks'))

  // A test run with assumptions: the CRM answers, or fails (its Failure branch jumps to a step
  // that is still incomplete, which the simulated path reports).
  await buildContact(e2e.server, ws, { firstName: 'Karim', phone: '+966511111111' })
  await page.getByRole('button', { name: 'Test run' }).click()
  const dialog = page.getByRole('dialog', { name: 'Test run' })
  await dialog.getByLabel('Search contacts').fill('Karim')
  await dialog.getByLabel('Contact to test with').selectOption({ label: 'Karim · +966511111111' })
  const crm = dialog.locator('[data-assume="crm_lookup"]')
  await crm.getByLabel('HTTP status of the response').fill('200')
  await crm.getByLabel('Response body').fill('{"customerType":"VIP"}')
  await dialog.getByRole('button', { name: 'Run the test' }).click()
  await dialog.getByText('Simulated path: completed').waitFor()
  assert.deepEqual(await dialog.locator('.test-path > li strong').allTextContents(), [
    'Email exists?',
    'Success message',
    'Go to the CRM lookup',
    'Get contact data from CRM',
  ])
  await crm.getByLabel('Outcome').selectOption({ label: 'Failure' })
  await dialog.getByRole('button', { name: 'Run the test' }).click()
  await dialog.getByText('Simulated path: failed').waitFor()
  assert.deepEqual((await dialog.locator('.test-path > li strong').allTextContents()).slice(3), [
    'Get contact data from CRM',
    'Route as a regular contact',
    'Assign round robin in the team',
  ])
  await dialog
    .locator('.test-path .text-danger')
    .getByText(/Incomplete/)
    .waitFor()
  await dialog.getByRole('button', { name: 'Close' }).last().click()

  // The trigger drawer: "Trigger once per contact" (rule 63).
  await page.locator('.wf-trigger').click()
  await drawer.getByLabel('Trigger once per contact').check()
  await drawer.getByRole('button', { name: 'Apply' }).click()
  await page.locator('.wf-trigger').getByText('Trigger once per contact').waitFor()

  // Export from the list, import the file back as a new draft.
  await page.getByRole('link', { name: 'Workflows' }).first().click()
  const row = page.locator('tr[data-workflow="Routing: VIP contacts"]')
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('button', { name: 'Export Routing: VIP contacts' }).click(),
  ])
  const file = await download.path()
  const exported = JSON.parse(readFileSync(file, 'utf8'))
  assert.equal(exported.format, 'tawasul.workflow')
  assert.equal(exported.definition.trigger.oncePerContact, true)
  await page.locator('input[type="file"]').setInputFiles(file)
  await page.waitForURL((u) => /\/workflows\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${workflowId}`))
  await page.getByRole('heading', { name: 'Routing: VIP contacts' }).waitFor()
  await step('thanks').waitFor()
  await page.getByRole('button', { name: 'Rename' }).click()
  await page.getByRole('dialog', { name: 'Rename' }).getByLabel('Name').fill('VIP routing (copy)')
  await page.getByRole('dialog', { name: 'Rename' }).getByRole('button', { name: 'Save' }).click()
  await page.getByRole('heading', { name: 'VIP routing (copy)' }).waitFor()
  await ctx.close()

  // Rule 60: an agent sees no Workflows item and cannot open the page.
  const agent = await buildUser(e2e.server, ws, 'agent')
  const a = await signIn(agent.email)
  assert.equal(await a.page.locator('[data-nav="workflows"]').count(), 0)
  await a.page.goto(`${e2e.server.url}/w/${ws}/workflows`)
  await a.page.getByRole('alert').waitFor()
  assert.equal(await a.page.getByRole('button', { name: 'Create workflow' }).count(), 0)
  await a.ctx.close()
})

test('rule 61: at 100 steps the editor says so instead of offering a 101st', async () => {
  const ws = owner.workspaceId
  const steps = Array.from({ length: 100 }, (_, i) => ({
    id: `s${i}`,
    kind: 'add_comment',
    name: `Note ${i + 1}`,
    config: { text: `Step ${i + 1}` },
  }))
  const created = await owner.client.post(`/api/v1/workspaces/${ws}/workflows`, {
    name: 'Hundred steps',
    definition: { version: 1, trigger: { type: 'manual', conditions: {}, oncePerContact: false }, steps },
  })
  assert.equal(created.status, 201, created.text)
  const { ctx, page } = await signIn('owner@acme.test')
  await page.goto(`${e2e.server.url}/w/${ws}/workflows/${created.body.id}`)
  await page.getByText('100 of 100 steps').waitFor()
  await page.getByRole('button', { name: 'Add a step after Note 50' }).click()
  await page.getByText('A workflow has at most 100 steps.').waitFor()
  assert.equal(await page.getByRole('dialog', { name: 'Add a step' }).count(), 0)
  await ctx.close()
})
