import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildUser, setupOwner } from '../src/server/test/factories'
import { definition, node, publishWorkflow } from '../src/server/test/workflows'
import { serverAndBrowser, shot } from './browser'
import { customerWrites, signIn } from './inbox'

const e2e = serverAndBrowser()

test('run a shortcut from the inbox: its form feeds $trigger.*, its step tags the contact; hidden for restricted agents (rules 51, 68)', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const api = (p: string) => `/api/v1/workspaces/${ws}${p}`
  const tag = await owner.client.post(api('/tags'), { name: 'Refund requested' })
  assert.equal(tag.status, 201, tag.text)
  const wf = await publishWorkflow(
    owner.client,
    ws,
    definition(
      {
        type: 'shortcut',
        conditions: { form: [{ key: 'reason', label: 'Refund reason', type: 'text', required: true }] },
      },
      [
        node('update_tag', { add: [tag.body.id] }, { id: 'tag' }),
        node('add_comment', { text: 'Refund because: $trigger.reason' }, { id: 'note' }),
      ],
    ),
    'Request refund',
  )
  // A restricted agent (rule 51) and an unrestricted one, both able to see every contact.
  const hidden = await buildUser(e2e.server, ws, 'agent', { restrictions: { hideShortcuts: true } })
  await owner.client.post(api('/sandbox'))
  await customerWrites(owner, 'I want my money back')

  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.locator('.inbox-row', { hasText: 'I want my money back' }).click()
  await page.locator('.msg-in', { hasText: 'I want my money back' }).waitFor()
  const contact = page.getByRole('complementary', { name: 'Contact details' })
  const tagged = contact.locator('.tag-list .tag', { hasText: 'Refund requested' })
  await contact.locator('.tag-list').waitFor({ state: 'attached' })
  assert.equal(await tagged.count(), 0, 'not tagged yet')

  await page.getByRole('button', { name: 'Shortcuts' }).click()
  await page.getByRole('button', { name: 'Request refund' }).click()
  const dialog = page.getByRole('dialog', { name: 'Request refund' })
  const reason = dialog.getByRole('textbox', { name: 'Refund reason' })
  await reason.waitFor()
  // The field is required: nothing starts without it.
  await dialog.getByRole('button', { name: 'Run shortcut' }).click()
  assert.equal(await reason.evaluate((el) => (el as HTMLInputElement).validity.valueMissing), true)
  assert.equal(await dialog.isVisible(), true)
  const before = await owner.client.get(api(`/workflows/${wf}/runs`))
  assert.equal(before.body.runs.length, 0, 'no run without the required field')

  await reason.fill('Parcel lost')
  await dialog.getByRole('button', { name: 'Run shortcut' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.getByText('Shortcut “Request refund” started.').waitFor()
  // The step's tag reaches the contact pane (realtime), and the form value reached $trigger.reason.
  await tagged.waitFor()
  await page
    .getByRole('complementary', { name: 'Internal comment' })
    .getByText('Refund because: Parcel lost')
    .waitFor()
  const runs = await owner.client.get(api(`/workflows/${wf}/runs`))
  assert.equal(runs.body.runs.length, 1)
  await shot(page, 'inbox-shortcut-run')
  await page.context().close()

  // In Arabic the menu and the dialog mirror; the shortcut's own name and labels stay as written.
  const ar = await signIn(e2e.browser, e2e.server, 'owner@acme.test', { locale: 'ar-SA' })
  if ((await ar.evaluate(() => document.documentElement.dir)) !== 'rtl')
    await ar.getByRole('button', { name: 'العربية' }).click()
  await ar.locator('.inbox-row', { hasText: 'I want my money back' }).click()
  await ar.getByRole('button', { name: 'الاختصارات' }).click()
  await ar.getByRole('button', { name: 'Request refund' }).click()
  const arDialog = ar.getByRole('dialog', { name: 'Request refund' })
  await arDialog.getByRole('button', { name: 'تشغيل الاختصار' }).waitFor()
  assert.equal(await arDialog.evaluate((el) => getComputedStyle(el).direction), 'rtl')
  await shot(ar, 'inbox-shortcut-dialog-ar')
  await ar.context().close()

  // Rule 51: the restricted agent sees the same conversation but no Shortcuts button.
  const agent = await signIn(e2e.browser, e2e.server, hidden.email)
  await agent.locator('.inbox-views [data-view=all]').click()
  await agent.locator('.inbox-row', { hasText: 'I want my money back' }).click()
  await agent.locator('.msg-in', { hasText: 'I want my money back' }).waitFor()
  await agent.getByRole('button', { name: 'Block', exact: true }).waitFor()
  assert.equal(await agent.getByRole('button', { name: 'Shortcuts' }).count(), 0)
  await agent.context().close()
})
