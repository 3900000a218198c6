import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { after, before } from 'node:test'
import { type Browser, chromium, type Page } from 'playwright-core'
import { startTestServer, type TestServer } from '../src/server/test/harness'

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../.tmp/e2e')

/** Debian's Chromium through playwright-core; no browser download. Flags: see STACK.md gotcha 22. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
}

/**
 * Registers this test file's before/after hooks: a listening test server and a browser, started
 * once and closed at the end. Read them through the returned object once `before` has run.
 * `setup` runs once both are up: a file's own top-level `before` could run alongside this one.
 */
export function serverAndBrowser(setup?: () => Promise<void>): { server: TestServer; browser: Browser } {
  const e2e = {} as { server: TestServer; browser: Browser }
  before(async () => {
    e2e.server = await startTestServer({ listen: true })
    e2e.browser = await launchBrowser()
    await setup?.()
  })
  after(async () => {
    await e2e.browser?.close()
    await e2e.server?.close()
  })
  return e2e
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

/** The visible labels of the main navigation, in order. */
export async function navLabels(page: Page): Promise<string[]> {
  return page
    .locator('nav[aria-label] .nav-item')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.nav ?? ''))
}
