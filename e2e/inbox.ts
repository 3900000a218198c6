import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import type { TestClient } from '../src/server/test/client'
import { TEST_PASSWORD } from '../src/server/test/factories'
import type { TestServer } from '../src/server/test/harness'

const DOCS = path.resolve(import.meta.dirname, '../docs/screenshots')

type Owner = { client: TestClient; workspaceId: number }

/** Signs in through the login page and waits for the inbox (everyone's first module). */
export async function signIn(
  browser: Browser,
  server: TestServer,
  email: string,
  opts: {
    locale?: string
    viewport?: { width: number; height: number }
    fakeClock?: boolean
    /** Runs before the first navigation (e.g. to route the realtime socket). */
    prepare?: (page: Page) => Promise<void>
  } = {},
): Promise<Page> {
  const ctx = await browser.newContext({
    locale: opts.locale ?? 'en-US',
    viewport: opts.viewport ?? { width: 1280, height: 800 },
  })
  const page = await ctx.newPage()
  page.on('pageerror', (err) => console.error('page error:', err))
  // The page's own clock, so a test can run the window countdown forward (time still flows).
  if (opts.fakeClock) await page.clock.install()
  await opts.prepare?.(page)
  await page.goto(`${server.url}/login`)
  await page.locator('input[type=email]').fill(email)
  await page.locator('input[type=password]').fill(TEST_PASSWORD)
  await page.locator('form button[type=submit]').click()
  await page.waitForURL('**/inbox**')
  return page
}

/** The sandbox customer writes to the business (through the simulator's signed webhook). */
export async function customerWrites(owner: Owner, text: string) {
  const res = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/sandbox/messages`, { text })
  if (res.status !== 201) throw new Error(`sandbox send failed: ${res.status}`)
}

/** Waits until the sandbox customer's phone shows a message from the business. */
export async function customerReceives(owner: Owner, text: string, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const res = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/sandbox`)
    const lines = (res.body as { lines: { from: string; text: string }[] }).lines
    if (lines.some((l) => l.from === 'business' && l.text.includes(text))) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the customer never received "${text}"`)
}

/** A screenshot for the docs: the viewport only, PNG, kept small. */
export async function docShot(page: Page, name: string) {
  await page.screenshot({ path: path.join(DOCS, `${name}.png`) })
}
