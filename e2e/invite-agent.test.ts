import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { navLabels, serverAndBrowser, shot } from './browser'

const e2e = serverAndBrowser()

const OWNER = { email: 'owner@acme.test', password: 'Strong-Admin-Pass-1' }

async function direction(page: Page) {
  return page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }))
}
async function sidebarSide(page: Page): Promise<'left' | 'right'> {
  const box = await page.locator('.sidebar').boundingBox()
  const width = page.viewportSize()!.width
  return box!.x + box!.width / 2 < width / 2 ? 'left' : 'right'
}

test('owner sets up and invites an agent; the agent accepts and sees only what an agent may see, in Arabic and English', async () => {
  const ownerCtx = await e2e.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
  const owner = await ownerCtx.newPage()
  await owner.goto(e2e.server.url)
  await owner.waitForURL('**/setup')
  assert.deepEqual(await direction(owner), { dir: 'ltr', lang: 'en' })
  await owner.getByLabel('Organization name').fill('Acme Trading')
  await owner.getByLabel('Workspace name').fill('Support')
  await owner.getByLabel('Name', { exact: true }).fill('Olivia Owner')
  await owner.getByLabel('Email').fill(OWNER.email)
  await owner.getByLabel('Password').fill('short')
  await owner.getByRole('button', { name: 'Create workspace' }).click()
  await owner.getByText('Password must be at least 10 characters.').waitFor()
  await owner.getByLabel('Password').fill(OWNER.password)
  await owner.getByRole('button', { name: 'Create workspace' }).click()
  // The Inbox is the first module, so everyone lands there.
  await owner.waitForURL('**/w/*/inbox')
  const workspaceId = Number(/\/w\/(\d+)\//.exec(owner.url())![1])
  assert.deepEqual(await navLabels(owner), [
    'inbox',
    'contacts',
    'workflows',
    'broadcasts',
    'reports',
    'settings',
  ])

  // Sign out and back in.
  await owner.getByRole('button', { name: 'Sign out' }).click()
  await owner.waitForURL('**/login')
  await owner.getByLabel('Email').fill(OWNER.email)
  await owner.getByLabel('Password').fill('Wrong-Password-123')
  await owner.getByRole('button', { name: 'Sign in' }).click()
  await owner.getByRole('alert').getByText('Email or password is incorrect.').waitFor()
  await owner.getByLabel('Password').fill(OWNER.password)
  await owner.getByRole('button', { name: 'Sign in' }).click()
  await owner.waitForURL(`**/w/${workspaceId}/inbox`)
  await owner.getByRole('link', { name: 'Settings' }).click()

  // Invite an agent who may only see their own contacts.
  await owner.getByRole('link', { name: 'Settings' }).click()
  await owner.getByRole('link', { name: 'Users' }).click()
  await owner.getByRole('button', { name: 'Invite user' }).click()
  const dialog = owner.getByRole('dialog')
  await dialog.getByLabel('Email').fill('sara@acme.test')
  assert.equal(await dialog.getByLabel('Access level').inputValue(), 'agent')
  await dialog.getByLabel('Contacts assigned to themselves only').check()
  await dialog.getByRole('button', { name: 'Send invitation' }).click()
  const link = await dialog.getByTestId('invite-link').inputValue()
  assert.match(link, /\/invite#token=inv_\d+_/)
  await shot(owner, 'owner-invite-link-en')
  await dialog.getByRole('button', { name: 'Done' }).click()
  await owner.locator('[data-invitation-email="sara@acme.test"]').waitFor()

  // The agent's browser prefers Arabic.
  const agentCtx = await e2e.browser.newContext({ locale: 'ar-SA', viewport: { width: 1280, height: 800 } })
  const agent = await agentCtx.newPage()
  await agent.goto(link.replace(/^http:\/\/localhost:\d+/, e2e.server.url))
  await agent.getByRole('heading', { name: 'انضم إلى فريقك' }).waitFor()
  assert.deepEqual(await direction(agent), { dir: 'rtl', lang: 'ar' })
  await agent.getByLabel('الاسم').fill('سارة العتيبي')
  await agent.getByLabel('اختر كلمة مرور').fill('Blue-Horizon-Pass-7')
  await agent.getByRole('button', { name: 'قبول الدعوة' }).click()
  await agent.waitForURL(`**/w/${workspaceId}/inbox`)
  await agent.getByRole('region', { name: 'المحادثات' }).waitFor()
  assert.deepEqual(await navLabels(agent), ['inbox'], 'an agent sees the Inbox only')
  assert.equal(await agent.getByRole('link', { name: 'الإعدادات' }).count(), 0)
  assert.equal(await sidebarSide(agent), 'right', 'the layout is mirrored in Arabic')
  await shot(agent, 'agent-home-ar')

  // Settings are refused even by URL.
  await agent.goto(`${e2e.server.url}/w/${workspaceId}/settings/users`)
  await agent.getByText('ليس لديك صلاحية الوصول إلى هذه الصفحة.').waitFor()

  // Switch to English: the layout flips and the choice is kept in the profile.
  await agent.goto(`${e2e.server.url}/w/${workspaceId}/profile`)
  await agent.getByRole('button', { name: 'English' }).click()
  await agent.getByRole('heading', { name: 'Your profile' }).waitFor()
  assert.deepEqual(await direction(agent), { dir: 'ltr', lang: 'en' })
  assert.equal(await sidebarSide(agent), 'left')
  assert.deepEqual(await navLabels(agent), ['inbox'])
  await shot(agent, 'agent-home-en')

  // The profile's forms: the name saves; a wrong current password is refused, the right one changes it.
  const card = (heading: string) =>
    agent.locator('form.card', { has: agent.getByRole('heading', { name: heading }) })
  const details = card('Details')
  await details.getByLabel('Name').fill('سارة العتيبي')
  await details.getByRole('button', { name: 'Save' }).click()
  await details.getByText('Saved').waitFor()
  const password = card('Change password')
  await password.getByLabel('Current password').fill('Not-My-Pass-0')
  await password.getByLabel('New password').fill('Green-Valley-Pass-8')
  await password.getByRole('button', { name: 'Change password' }).click()
  await password.getByRole('alert').waitFor()
  await password.getByLabel('Current password').fill('Blue-Horizon-Pass-7')
  await password.getByRole('button', { name: 'Change password' }).click()
  await password.getByText('Password changed. Your other sessions were signed out.').waitFor()
  assert.equal(await password.getByRole('alert').count(), 0, 'the refusal is gone')
  assert.equal(await password.getByLabel('Current password').inputValue(), '', 'the form is cleared')

  // Sign out and in again with the new password: still English, still agent-only.
  await agent.getByRole('button', { name: 'Sign out' }).click()
  await agent.waitForURL('**/login')
  await agent.getByLabel('Email').fill('sara@acme.test')
  await agent.getByLabel('Password').fill('Green-Valley-Pass-8') // the new password
  await agent.getByRole('button', { name: 'Sign in' }).click()
  await agent.waitForURL(`**/w/${workspaceId}/inbox`)
  assert.deepEqual(await direction(agent), { dir: 'ltr', lang: 'en' })
  assert.deepEqual(await navLabels(agent), ['inbox'])

  // The owner sees the new agent with the restriction.
  await owner.reload()
  const row = owner.locator('[data-user-email="sara@acme.test"]')
  await row.waitFor()
  assert.match((await row.textContent()) ?? '', /Agent[\s\S]*Own contacts only/)
  assert.equal(await owner.locator('[data-invitation-email="sara@acme.test"]').count(), 0)

  // The owner works in Arabic too: the same page mirrored.
  await owner.getByRole('button', { name: 'العربية' }).click()
  await owner.getByRole('heading', { name: 'المستخدمون' }).waitFor()
  assert.deepEqual(await direction(owner), { dir: 'rtl', lang: 'ar' })
  assert.equal(await sidebarSide(owner), 'right')
  assert.match(
    (await owner.locator('[data-user-email="sara@acme.test"]').textContent()) ?? '',
    /موظف[\s\S]*جهاته فقط/,
  )
  await shot(owner, 'owner-users-ar')
  await ownerCtx.close()
  await agentCtx.close()
})
