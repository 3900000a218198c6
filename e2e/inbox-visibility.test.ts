import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildContact, buildUser, setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { customerWrites, signIn } from './inbox'

const e2e = serverAndBrowser()

test('an agent restricted to own contacts sees only Mine (rule 44), live, and the phone layout stacks the panes', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const rami = await buildUser(e2e.server, ws, 'agent', {
    name: 'Rami Agent',
    restrictions: { contactVisibility: 'own' },
  })
  await buildContact(e2e.server, ws, {
    firstName: 'Someone Else',
    inboxStatus: 'open',
    lastMessageAt: new Date(),
    lastMessagePreview: 'Not for Rami',
    lastMessageDirection: 'in',
  })
  await owner.client.post(`/api/v1/workspaces/${ws}/sandbox`)
  await customerWrites(owner, 'I need help with my invoice')
  const { rows } = await e2e.server.ctx.database.query<{ id: number }>(
    "SELECT id FROM contacts WHERE workspace_id = $1 AND first_name <> 'Someone Else'",
    [ws],
  )
  const contactId = rows[0]!.id
  const assign = (userId: number | null) =>
    owner.client.put(`/api/v1/workspaces/${ws}/contacts/${contactId}/assignee`, { userId })
  assert.equal((await assign(rami.userId)).status, 200)

  // A phone-sized screen: list → conversation → contact as stacked screens.
  const page = await signIn(e2e.browser, e2e.server, rami.email, { viewport: { width: 390, height: 800 } })
  const views = page.getByRole('navigation', { name: 'Inbox views' })
  await views.getByRole('button', { name: 'Mine' }).waitFor()
  assert.equal(await views.getByRole('button', { name: 'All' }).count(), 0)
  assert.equal(await views.getByRole('button', { name: 'Unassigned' }).count(), 0)
  const row = page.locator('.inbox-row', { hasText: 'I need help with my invoice' })
  await row.waitFor()
  assert.equal(await page.locator('.inbox-row', { hasText: 'Not for Rami' }).count(), 0)
  assert.equal(await page.locator('.inbox-row').count(), 1)

  const thread = page.getByRole('region', { name: /^Conversation with/ })
  const list = page.getByRole('region', { name: 'Conversations' })
  await row.click()
  await thread.waitFor()
  assert.equal(await list.isVisible(), false, 'the list gives way to the conversation on a phone')
  await page.getByRole('button', { name: 'Contact details' }).click()
  const contact = page.getByRole('complementary', { name: 'Contact details' })
  await contact.waitFor()
  assert.equal(await thread.isVisible(), false)
  await shot(page, 'inbox-phone-contact')
  await contact.getByRole('button', { name: 'Back to the conversation' }).click()
  await page.getByRole('button', { name: 'Back to conversations' }).click()
  await list.waitFor()

  // Asking for All by URL is refused by the server, and the UI says so.
  await page.goto(`${e2e.server.url}/w/${ws}/inbox?view=all`)
  await page.getByRole('alert').waitFor()
  await page.goto(`${e2e.server.url}/w/${ws}/inbox`)
  await row.waitFor()

  // Reassigned away: the row leaves Rami's Mine live (the realtime frame drops it).
  assert.equal((await assign(owner.userId)).status, 200)
  await row.waitFor({ state: 'detached', timeout: 10_000 })
  await page.getByText('No conversations here.').waitFor()
  await page.context().close()
})
