import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { buildContact, buildUser, setupOwner, TEST_PASSWORD } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'

/**
 * Issue 6 items 6–8: the notification centre (live over the realtime socket), the profile
 * (language, picture, availability), the PWA (manifest, service worker, offline page) and the
 * shell on a phone.
 */
let owner: Awaited<ReturnType<typeof setupOwner>>
let agent: Awaited<ReturnType<typeof buildUser>>
const DOCS = path.resolve(import.meta.dirname, '../docs/screenshots')

const e2e = serverAndBrowser(async () => {
  owner = await setupOwner(e2e.server)
  agent = await buildUser(e2e.server, owner.workspaceId, 'agent', {
    name: 'Sara Agent',
    email: 'sara@acme.test',
  })
  mkdirSync(DOCS, { recursive: true })
})

/** Keeps a screenshot of the viewport in docs/screenshots as well as a full page one in .tmp/e2e. */
async function docShot(page: Page, name: string) {
  await shot(page, name)
  await page.screenshot({ path: path.join(DOCS, `${name}.png`) })
}

async function signIn(
  email: string,
  opts: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  // Each test starts in English whatever an earlier one left in the profile.
  const client = email === agent.email ? agent.client : owner.client
  await client.patch('/api/v1/me', { locale: 'en', status: 'online' })
  const context = await e2e.browser.newContext({
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? { width: 1280, height: 800 },
  })
  const page = await context.newPage()
  await page.goto(`${e2e.server.url}/login`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`**/w/${owner.workspaceId}/**`)
  return { context, page }
}

const ws = () => `/api/v1/workspaces/${owner.workspaceId}`

test('a mention and an assignment appear live in the bell and the title; marking read clears them', async (t) => {
  const started = Date.now()
  const lap = (what: string) => t.diagnostic(`${what}: ${Date.now() - started} ms`)
  const { context, page } = await signIn(agent.email)
  try {
    await page.goto(`${e2e.server.url}/w/${owner.workspaceId}/profile`)
    await page.getByRole('heading', { name: 'Your profile' }).waitFor()
    const bell = page.getByTestId('notification-bell')
    await bell.waitFor()
    assert.equal((await page.title()).startsWith('('), false)
    assert.equal(await page.getByTestId('notification-count').count(), 0)
    // The realtime socket is subscribed before anything happens (else the test would only see a refetch).
    await page.waitForFunction(() => performance.getEntriesByType('resource').length > 0)
    await new Promise((r) => setTimeout(r, 500))

    const contact = await buildContact(e2e.server, owner.workspaceId, {
      firstName: 'Huda',
      lastName: 'Saleh',
    })
    lap('signed in and subscribed')
    const assignedAt = Date.now()
    const assigned = await owner.client.put(`${ws()}/contacts/${contact.id}/assignee`, {
      userId: agent.userId,
    })
    assert.equal(assigned.status, 200, assigned.text)
    await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 })
    await page.waitForFunction(() => document.title.startsWith('(1) '))
    t.diagnostic(`assignment → bell and title: ${Date.now() - assignedAt} ms`)

    const comment = await owner.client.post(`${ws()}/contacts/${contact.id}/comments`, {
      body: `Can you call her back? {{@user.${agent.userId}}}`,
    })
    assert.equal(comment.status, 201, comment.text)
    await page.getByTestId('notification-count').filter({ hasText: '2' }).waitFor({ timeout: 10_000 })
    await page.waitForFunction(() => document.title.startsWith('(2) '))
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications, 2 unread')

    await bell.click()
    const panel = page.locator('.bell-panel')
    await panel.waitFor()
    const items = panel.locator('li')
    assert.equal(await items.count(), 2)
    // Newest first; who did it comes from the teammates list; the link opens the conversation route.
    assert.match(
      (await items.nth(0).textContent()) ?? '',
      /Olivia Owner mentioned you.*Huda Saleh.*Can you call her back\? @Sara Agent/,
    )
    assert.match(
      (await items.nth(1).textContent()) ?? '',
      /Olivia Owner assigned a contact to you.*Huda Saleh/,
    )
    assert.equal(
      await items.nth(0).getByRole('link').getAttribute('href'),
      `/w/${owner.workspaceId}/inbox/${contact.id}`,
    )
    await docShot(page, 'notifications-en')
    lap('panel shown')

    // One read: the count and title drop; the server agrees.
    await items.nth(1).getByRole('button', { name: 'Mark as read' }).click()
    await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor()
    await page.waitForFunction(() => document.title.startsWith('(1) '))
    assert.equal((await agent.client.get(`${ws()}/notifications/unread-count`)).body.count, 1)

    await panel.getByRole('button', { name: 'Mark all as read' }).click()
    await page.getByTestId('notification-count').waitFor({ state: 'detached' })
    await page.waitForFunction(() => !document.title.startsWith('('))
    assert.equal((await agent.client.get(`${ws()}/notifications/unread-count`)).body.count, 0)
    assert.equal(await panel.locator('li.bell-unread').count(), 0)

    // Escape closes the panel and gives focus back to the bell.
    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })
    assert.equal(await bell.evaluate((el) => el === document.activeElement), true)

    lap('all read')
    // Clicking a notification goes to the conversation route.
    await owner.client.post(`${ws()}/contacts/${contact.id}/comments`, {
      body: `again {{@user.${agent.userId}}}`,
    })
    await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 })
    lap('third notification live')
    await bell.click()
    await panel.locator('li.bell-unread').getByRole('link').click()
    await page.waitForURL((u) => u.pathname === `/w/${owner.workspaceId}/inbox/${contact.id}`)
    // The inbox opens that contact's conversation: the comment that mentioned the agent is in it.
    await page
      .getByText(/again @Sara Agent/)
      .first()
      .waitFor({ timeout: 15_000 })
    await page.waitForFunction(() => !document.title.startsWith('('))
    lap('followed the link')
  } finally {
    await context.close()
    lap('closed')
  }
})

test('browser notifications: asked only from a button, shown for a background tab when the kind allows it', async () => {
  const { context, page } = await signIn(agent.email)
  try {
    // Stand-ins for the browser's own Notification and page-visibility, which headless Chromium cannot show.
    // A string, not a function: tsx would put its __name helper into a function's source.
    await page.addInitScript(`
      window.__shown = []
      window.__hidden = false
      window.__asked = 0
      let permission = 'default'
      class FakeNotification {
        static get permission() { return permission }
        static async requestPermission() { window.__asked++; permission = 'granted'; return permission }
        constructor(title, o) { this.onclick = null; window.__shown.push(title + ' | ' + o.body) }
        close() {}
      }
      Object.defineProperty(window, 'Notification', { value: FakeNotification })
      Object.defineProperty(document, 'visibilityState', { get: () => (window.__hidden ? 'hidden' : 'visible') })
    `)
    await page.goto(`${e2e.server.url}/w/${owner.workspaceId}/profile`)
    await page.getByRole('heading', { name: 'Notifications' }).waitFor()
    assert.equal(
      await page.evaluate(() => (window as unknown as { __asked: number }).__asked),
      0,
      'never asked on load',
    )
    await page.getByRole('button', { name: 'Turn on browser notifications' }).first().click()
    await page.getByText('Browser notifications are on for this browser.').waitFor()
    await new Promise((r) => setTimeout(r, 500))

    const contact = await buildContact(e2e.server, owner.workspaceId, { firstName: 'Omar' })
    await page.evaluate(() => {
      ;(window as unknown as { __hidden: boolean }).__hidden = true
    })
    await owner.client.post(`${ws()}/contacts/${contact.id}/comments`, {
      body: `hi {{@user.${agent.userId}}}`,
    })
    await page.waitForFunction(() => (window as unknown as { __shown: string[] }).__shown.length === 1)
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __shown: string[] }).__shown), [
      'Olivia Owner mentioned you | Omar',
    ])

    // Browser switched off for mentions in the profile: the bell still counts, no system notification.
    await page.getByLabel('Mentions in comments: Browser').uncheck()
    await page.waitForFunction(async () => {
      const s = await fetch('/api/v1/auth/session').then((r) => r.json())
      return s.user.notificationPrefs.mention.browser === false
    })
    await owner.client.post(`${ws()}/contacts/${contact.id}/comments`, {
      body: `hi again {{@user.${agent.userId}}}`,
    })
    await page.waitForFunction(() => document.title.startsWith('(2)'))
    assert.equal(await page.evaluate(() => (window as unknown as { __shown: string[] }).__shown.length), 1)
    await page.getByLabel('Mentions in comments: Browser').check()
    await agent.client.post(`${ws()}/notifications/read`, { all: true })
  } finally {
    await context.close()
  }
})

test('a dropped realtime socket says so, reconnects, and catches up on what was missed', async () => {
  // Independent of what earlier tests left unread.
  await agent.client.post(`${ws()}/notifications/read`, { all: true })
  const { context, page } = await signIn(agent.email)
  try {
    // The socket goes through a route we can cut, as a flaky network would.
    let cut = false
    let routes: { close: (o: { code: number; reason: string }) => Promise<void> }[] = []
    await page.routeWebSocket('**/api/v1/realtime', (ws) => {
      if (cut) return void ws.close({ code: 4000, reason: 'network down (test)' })
      ws.connectToServer()
      routes.push(ws)
    })
    await page.goto(`${e2e.server.url}/w/${owner.workspaceId}/profile`)
    await page.getByRole('heading', { name: 'Your profile' }).waitFor()
    await new Promise((r) => setTimeout(r, 800))
    assert.equal(await page.getByText('Live updates paused: reconnecting…').count(), 0)

    cut = true
    for (const r of routes) await r.close({ code: 4000, reason: 'network down (test)' })
    routes = []
    await page.getByText('Live updates paused: reconnecting…').waitFor()

    // Missed while down: a mention.
    const contact = await buildContact(e2e.server, owner.workspaceId, { firstName: 'Rana' })
    await owner.client.post(`${ws()}/contacts/${contact.id}/comments`, {
      body: `missed {{@user.${agent.userId}}}`,
    })
    await new Promise((r) => setTimeout(r, 500))
    assert.equal(await page.getByTestId('notification-count').count(), 0)

    cut = false
    await page.getByText('Live updates paused: reconnecting…').waitFor({ state: 'detached', timeout: 15_000 })
    await page.getByTestId('notification-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 })
    await page.waitForFunction(() => document.title.startsWith('(1) '))
    await agent.client.post(`${ws()}/notifications/read`, { all: true })
  } finally {
    await context.close()
  }
})

test('profile: language switches UI and direction at once and is stored; picture and availability', async () => {
  const { context, page } = await signIn(agent.email)
  try {
    await page.goto(`${e2e.server.url}/w/${owner.workspaceId}/profile`)
    await page.getByRole('heading', { name: 'Your profile' }).waitFor()
    await page.getByLabel('Language', { exact: true }).selectOption('ar')
    await page.getByRole('heading', { name: 'ملفك الشخصي' }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar')
    await page.waitForFunction(async () => {
      const s = await fetch('/api/v1/auth/session').then((r) => r.json())
      return s.user.locale === 'ar'
    })
    await page.reload()
    await page.getByRole('heading', { name: 'ملفك الشخصي' }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
    // Stored in the profile, not only in this browser: without local storage it is still Arabic.
    await page.evaluate(() => localStorage.clear())
    await page.reload()
    await page.getByRole('heading', { name: 'ملفك الشخصي' }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')

    // Availability: away shows on the chip and in presence at once.
    await page.getByLabel('بعيد').check()
    await page.locator('.user-chip .presence-away').waitFor()
    const presence = await owner.client.get(`${ws()}/assignable-users`)
    assert.equal(presence.body.find((u: { userId: number }) => u.userId === agent.userId).presence, 'away')
    await page.getByLabel('متصل').check()
    await page.locator('.user-chip .presence-online').waitFor()

    // Picture: upload, shown in the top bar; then removed.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    )
    await page.getByLabel('رفع صورة').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png })
    await page.locator('.user-chip img.avatar').waitFor()
    const src = await page.locator('.user-chip img.avatar').getAttribute('src')
    assert.match(src ?? '', new RegExp(`^/api/v1/users/${agent.userId}/avatar\\?v=`))
    assert.equal(
      await page.locator('.user-chip img.avatar').evaluate((img) => (img as HTMLImageElement).naturalWidth),
      1,
    )
    await page.getByRole('button', { name: 'إزالة الصورة' }).click()
    await page.locator('.user-chip img.avatar').waitFor({ state: 'detached' })

    await page.getByLabel('اللغة', { exact: true }).selectOption('en')
    await page.getByRole('heading', { name: 'Your profile' }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'ltr')
  } finally {
    await context.close()
  }
})

for (const width of [390, 360]) {
  test(`at ${width} px the navigation is a bottom bar and a menu, with no sideways scrolling`, async () => {
    const { context, page } = await signIn('owner@acme.test', { viewport: { width, height: 844 } })
    try {
      const nav = page.getByRole('navigation', { name: 'Main navigation' })
      await nav.waitFor()
      const box = (await nav.boundingBox())!
      assert.ok(Math.abs(box.y + box.height - 844) <= 1, `bottom bar at the bottom: ${JSON.stringify(box)}`)
      assert.ok(box.width >= width - 1)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.equal(overflow, 0, 'no horizontal scrolling')
      // The buttons of the top bar are big enough to tap and inside the screen.
      for (const name of ['Menu', 'Notifications']) {
        const b = (await page.getByRole('button', { name, exact: true }).boundingBox())!
        assert.ok(
          b.width >= 40 && b.height >= 40 && b.x >= 0 && b.x + b.width <= width,
          `${name}: ${JSON.stringify(b)}`,
        )
      }

      await nav.getByRole('link', { name: 'Settings' }).click()
      await page.waitForURL('**/settings/**')
      await page.getByRole('button', { name: 'Menu', exact: true }).click()
      const menu = page.locator('#shell-menu')
      await menu.waitFor()
      await menu.getByRole('link', { name: 'Your profile' }).click()
      await page.waitForURL('**/profile')
      await menu.waitFor({ state: 'detached' })
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0)
      if (width === 390) await docShot(page, 'mobile-en')

      // Arabic: the bar mirrors (menu button at the left edge), still no sideways scrolling.
      await page.getByRole('button', { name: 'Menu', exact: true }).click()
      await menu.getByRole('button', { name: 'العربية' }).click()
      await page.getByRole('heading', { name: 'ملفك الشخصي' }).waitFor()
      await menu.waitFor({ state: 'detached' })
      const menuButton = (await page.getByRole('button', { name: 'القائمة' }).boundingBox())!
      assert.ok(menuButton.x < width / 2, 'menu button on the left in RTL')
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), 0)
      if (width === 390) {
        await page.getByRole('button', { name: 'القائمة' }).click()
        await menu.waitFor()
        await docShot(page, 'mobile-ar')
        await page.getByRole('button', { name: 'القائمة' }).click()
        await menu.waitFor({ state: 'detached' })
      }
      await page.getByRole('button', { name: 'القائمة' }).click()
      await menu.getByRole('button', { name: 'English' }).click()
      await page.getByRole('heading', { name: 'Your profile' }).waitFor()
    } finally {
      await context.close()
    }
  })
}

test('keyboard: the skip link is the first stop and moves focus to the content', async () => {
  const { context, page } = await signIn('owner@acme.test')
  try {
    await page.waitForURL('**/inbox')
    // On a wide screen the sidebar is the navigation: no phone menu button.
    assert.equal(await page.getByRole('button', { name: 'Menu', exact: true }).isVisible(), false)
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isVisible(), true)
    await page.keyboard.press('Tab')
    const skip = page.getByRole('link', { name: 'Skip to content' })
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true)
    const visible = await skip.evaluate((el) => el.getBoundingClientRect().left >= 0)
    assert.equal(visible, true, 'the focused skip link is on screen')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => document.activeElement?.id === 'main')
  } finally {
    await context.close()
  }
})

test('PWA: manifest, service worker, offline page, and API responses never cached', async () => {
  const manifestRes = await fetch(`${e2e.server.url}/manifest.webmanifest`)
  assert.equal(manifestRes.status, 200)
  const manifest = (await manifestRes.json()) as Record<string, unknown> & {
    icons: { src: string; sizes: string; type: string; purpose: string }[]
  }
  assert.equal(manifest.name, 'Tawasul')
  assert.equal(manifest.short_name, 'Tawasul')
  assert.equal(manifest.display, 'standalone')
  assert.equal(manifest.start_url, '/')
  assert.match(String(manifest.theme_color), /^#[0-9a-f]{6}$/)
  for (const size of ['192x192', '512x512']) {
    assert.ok(
      manifest.icons.some((i) => i.sizes === size && i.purpose === 'any'),
      `icon ${size}`,
    )
  }
  const maskable = manifest.icons.find((i) => i.purpose === 'maskable')
  assert.ok(maskable)
  for (const icon of manifest.icons) {
    const res = await fetch(`${e2e.server.url}${icon.src}`)
    assert.equal(res.status, 200, icon.src)
    assert.equal(res.headers.get('content-type')?.split(';')[0], icon.type, icon.src)
  }

  const { context, page } = await signIn('owner@acme.test')
  try {
    assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/manifest.webmanifest')
    const scriptURL = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready
      return reg.active?.scriptURL
    })
    assert.equal(scriptURL, `${e2e.server.url}/sw.js`)
    // The shell is cached (hashed assets, offline page); nothing under /api/ is.
    await page.waitForFunction(async () => {
      const keys = await caches.keys()
      return keys.length === 1 && (await (await caches.open(keys[0]!)).match('/offline.html')) !== undefined
    })
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys()
      const cache = await caches.open(keys[0]!)
      return (await cache.keys()).map((r) => new URL(r.url).pathname)
    })
    assert.ok(
      cached.some((p) => /^\/assets\/index-[\w-]+\.js$/.test(p)),
      JSON.stringify(cached),
    )
    assert.ok(cached.includes('/offline.html'))
    assert.equal(cached.filter((p) => p.startsWith('/api/')).length, 0)

    await context.setOffline(true)
    await page.reload()
    await page.getByRole('heading', { name: 'You are offline' }).waitFor()
    await page.getByRole('heading', { name: 'أنت غير متصل بالإنترنت' }).waitFor()
    await shot(page, 'offline')
    await context.setOffline(false)
    await page.getByRole('link', { name: 'Try again' }).click()
    await page.waitForURL(`**/w/${owner.workspaceId}/**`)
  } finally {
    await context.close()
  }
})
