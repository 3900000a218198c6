import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildUser, setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { customerWrites, signIn } from './inbox'

const e2e = serverAndBrowser()

test('assign (keyboard and list), @mention comment, snooze, inline edit, mandatory closing note, reopen by sending, block', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const sara = await buildUser(e2e.server, ws, 'agent', { name: 'Sara Agent' })
  // Rule 36 mode 2: the category is mandatory.
  assert.equal(
    (await owner.client.patch(`/api/v1/workspaces/${ws}`, { closingNotesMode: 'category_required' })).status,
    200,
  )
  const category = await owner.client.post(`/api/v1/workspaces/${ws}/closing-categories`, {
    name: 'Delivery question',
    description: 'Where is my order, delivery times',
  })
  assert.equal(category.status, 201)
  await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)
  await customerWrites(owner, 'My parcel has not arrived')

  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.locator('.inbox-row', { hasText: 'My parcel has not arrived' }).click()
  await page.locator('.msg-in', { hasText: 'My parcel has not arrived' }).waitFor()
  const assignee = page.getByRole('button', { name: 'Assignee' })
  await assignee.getByText('Unassigned').waitFor()

  // Keyboard: "m" assigns the contact to me.
  await page.locator('.thread-title h2').click()
  await page.keyboard.press('m')
  await assignee.getByText('Olivia Owner').waitFor()

  // Reassign from the searchable list.
  await assignee.click()
  // Presence: I am connected, Sara is not.
  await page.getByRole('button', { name: 'Assign to Olivia Owner' }).getByText('Online').waitFor()
  await page.getByRole('button', { name: 'Assign to Sara Agent' }).getByText('Offline').waitFor()
  await page.getByRole('searchbox', { name: 'Search agents' }).fill('sar')
  assert.equal(await page.getByRole('button', { name: 'Assign to Olivia Owner' }).count(), 0, 'filtered')
  await page.getByRole('button', { name: 'Assign to Sara Agent' }).click()
  await assignee.getByText('Sara Agent').waitFor()
  await page.locator('.event', { hasText: 'assigned the contact to Sara Agent' }).waitFor()

  // An internal comment mentioning Sara: pick her from the @ list.
  await page.getByRole('button', { name: 'Comment', exact: true }).click()
  const box = page.getByRole('textbox', { name: 'Write an internal comment; @ to mention' })
  await box.pressSequentially('Please call the courier @Sa')
  await page.getByRole('list', { name: 'Mention a teammate' }).getByText('Sara Agent').waitFor()
  await box.press('Enter')
  assert.equal(await box.inputValue(), 'Please call the courier @Sara Agent ')
  await box.pressSequentially('today')
  await box.press('Enter')
  const note = page.getByRole('complementary', { name: 'Internal comment' })
  await note.getByText('Please call the courier @Sara Agent today').waitFor()
  // Rule 50: the mentioned teammate is notified.
  const inbox = await sara.client.get(`/api/v1/workspaces/${ws}/notifications`)
  assert.equal(inbox.status, 200)
  assert.ok(
    inbox.body.notifications.some((n: { kind: string }) => n.kind === 'mention'),
    JSON.stringify(inbox.body.notifications),
  )

  // Snooze with a preset, then end it.
  const badges = page.locator('.thread-badges')
  await page.getByRole('button', { name: 'Snooze' }).click()
  await page.getByRole('button', { name: /^In 1 hour/ }).click()
  await badges.getByText('Snoozed', { exact: true }).waitFor()
  await page.locator('.event', { hasText: 'snoozed the conversation until' }).waitFor()
  await page.getByRole('button', { name: 'Unsnooze' }).click()
  await badges.getByText('Snoozed', { exact: true }).waitFor({ state: 'detached' })

  // Contact fields are edited inline in the contact pane.
  const contact = page.getByRole('complementary', { name: 'Contact details' })
  await contact.getByRole('button', { name: 'Edit Last name' }).click()
  await contact.getByRole('textbox', { name: 'Last name' }).fill('Haddad')
  await contact.getByRole('textbox', { name: 'Last name' }).press('Enter')
  await page.getByRole('heading', { name: 'Olivia Haddad', level: 2 }).first().waitFor()

  // Close: the mandatory mode opens the closing-note dialog; nothing closes without a category.
  await page.getByRole('button', { name: 'Close', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Closing note' })
  await dialog.getByRole('button', { name: 'Close conversation' }).click()
  assert.equal(await dialog.isVisible(), true, 'the category is required')
  await dialog.getByLabel('Conversation category').selectOption({ label: 'Delivery question' })
  await dialog.getByText('Where is my order, delivery times').waitFor()
  await dialog.getByLabel('Summary (optional)').fill('Courier will call back.')
  await dialog.getByRole('button', { name: 'Close conversation' }).click()
  await dialog.waitFor({ state: 'hidden' })
  await page.locator('.event', { hasText: 'Conversation closed by Olivia Owner' }).waitFor()
  await page.locator('.thread-badges').getByText('Closed', { exact: true }).waitFor()
  // It leaves the Open list (realtime move) and shows under Closed.
  await page.locator('.inbox-row', { hasText: 'parcel' }).waitFor({ state: 'detached' })
  await page.getByLabel('Conversation status').selectOption('closed')
  await page.locator('.inbox-row').first().waitFor()

  // Rule 9: sending reopens it (the window is still open).
  await page.getByRole('button', { name: 'Reply', exact: true }).click()
  const reply = page.getByRole('textbox', { name: 'Type a reply' })
  await reply.fill('The courier is on the way again.')
  await reply.press('Enter')
  await page.locator('.thread-badges').getByText('Open', { exact: true }).waitFor()
  await page.locator('.event', { hasText: 'Conversation opened by Olivia Owner' }).waitFor()

  // Rule 12: a blocked contact's conversation can be neither closed nor opened until unblocked.
  await page.getByRole('button', { name: 'Block', exact: true }).click()
  await badges.getByText('Blocked', { exact: true }).waitFor()
  assert.equal(await page.getByRole('button', { name: 'Close', exact: true }).count(), 0)
  await page.getByRole('button', { name: 'Unblock' }).click()
  await page.getByRole('button', { name: 'Close', exact: true }).waitFor()
  await shot(page, 'inbox-actions')
  await page.context().close()
})
