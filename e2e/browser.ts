import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'

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

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

/** The visible labels of the main navigation, in order. */
export async function navLabels(page: Page): Promise<string[]> {
  return page
    .locator('nav[aria-label] .nav-item')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.nav ?? ''))
}
