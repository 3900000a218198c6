import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, test } from 'node:test'
import type { Page } from 'playwright-core'
import { waitFor } from '../src/server/test/custom-channel'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'

let site: Server
let sitePort: number
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string
let embed: string

/** A customer's website on another origin (localhost:<port>, the server is 127.0.0.1:<port>). */
function page(lang: 'en' | 'ar') {
  // The English page declares no charset at all: the widget must still render Arabic (gotcha 21).
  return lang === 'ar'
    ? `<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>متجر</title></head><body><h1>متجر الورد</h1>${embed}</body></html>`
    : `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Flower shop</h1>${embed}</body></html>`
}

const e2e = serverAndBrowser(async () => {
  site = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(page(req.url?.startsWith('/ar') ? 'ar' : 'en'))
  })
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r))
  sitePort = (site.address() as { port: number }).port
  owner = await setupOwner(e2e.server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  const res = await owner.client.post(`${ws}/channels`, {
    type: 'webchat',
    name: 'Flower shop website',
    config: {
      allowedOrigins: [`http://localhost:${sitePort}`],
      title: 'Flower shop help',
      greeting: 'Hi! How can we help?',
      preChat: { enabled: true, requireName: true, requireEmail: true },
    },
  })
  assert.equal(res.status, 201, res.text)
  assert.match(
    res.body.embedCode,
    /^<script src="http:\/\/localhost:\d+\/widget\.js" data-channel="[^"]+" charset="utf-8" async><\/script>$/,
  )
  // PUBLIC_URL is not the test server's port: point the snippet at the running server.
  embed = res.body.embedCode.replace(/^<script src="http:\/\/localhost:\d+/, `<script src="${e2e.server.url}`)
  assert.match(e2e.server.url, /^http:\/\/127\.0\.0\.1:/)
})
after(async () => {
  await new Promise<void>((r) => site?.close(() => r()))
})

const widget = (p: Page) => p.locator('#tawasul-chat')
const bubbles = (p: Page) =>
  p.locator('#tawasul-chat .msg:not(.greeting)').evaluateAll((els) => els.map((e) => e.textContent))
async function statusOf(messageId: number) {
  return (await owner.client.get(`${ws}/messages/${messageId}`)).body.status as string
}
async function agentReply(contactId: number, text: string) {
  const res = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
    message: { type: 'text', text },
  })
  assert.equal(res.status, 201, res.text)
  return res.body.id as number
}

test('widget.js is served as UTF-8 JavaScript', async () => {
  const res = await fetch(`${e2e.server.url}/widget.js`)
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'application/javascript; charset=utf-8')
  assert.match(await res.text(), /تحدّث معنا/)
})

test('a visitor on another site chats with an agent: pre-chat form, Arabic, realtime replies, unread badge, history after reload', async () => {
  const ctx = await e2e.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
  const p = await ctx.newPage()
  await p.goto(`http://localhost:${sitePort}/`)
  const open = p.getByRole('button', { name: 'Open chat' })
  await open.click()
  await p.getByText('Hi! How can we help?').waitFor()
  await p.getByRole('button', { name: 'Start chatting' }).click()
  await p.getByText('This field is required.').waitFor()
  await p.getByLabel('Name').fill('Sara')
  await p.getByLabel('Email').fill('sara@mail.example')
  await p.getByRole('button', { name: 'Start chatting' }).click()
  const composer = p.getByRole('textbox', { name: 'Type a message…' })
  await composer.fill('مرحبا، أريد تتبع طلبي')
  await composer.press('Enter')
  await composer.fill('Order 5512')
  await p.getByRole('button', { name: 'Send', exact: true }).click()

  const contactId = await waitFor(async () => {
    const { rows } = await e2e.server.ctx.database.query<{ id: number }>(
      'SELECT id FROM contacts WHERE workspace_id = $1 AND email = $2',
      [owner.workspaceId, 'sara@mail.example'],
    )
    return rows[0]?.id
  })
  const inbox = await waitFor(async () => {
    const r = await owner.client.get(`${ws}/contacts/${contactId}/messages`)
    return r.body.messages.length === 2 && r.body.messages
  })
  assert.deepEqual(
    inbox.map((m: any) => m.text),
    ['Order 5512', 'مرحبا، أريد تتبع طلبي'],
  )
  const conv = await owner.client.get(`${ws}/contacts/${contactId}/conversation`)
  assert.equal(conv.body.contact.displayName, 'Sara')
  assert.equal(conv.body.conversation.openedSource, 'contact')

  // The agent replies through the API; it appears in the open widget without a reload, and is read.
  const first = await agentReply(contactId, 'أهلًا سارة! طلبك في الطريق.')
  await p.getByText('أهلًا سارة! طلبك في الطريق.').waitFor({ timeout: 10_000 })
  await waitFor(async () => (await statusOf(first)) === 'read', 10_000, 'read receipt')
  await shot(p, 'webchat-open-en')

  // Closed widget: the next reply shows an unread badge and is only delivered.
  await p.getByRole('button', { name: 'Close chat' }).click()
  const second = await agentReply(contactId, 'Anything else?')
  const badge = widget(p).locator('.badge')
  await waitFor(async () => (await badge.isVisible()) && (await badge.textContent()) === '1', 10_000, 'badge')
  await waitFor(async () => (await statusOf(second)) === 'delivered', 10_000, 'delivered receipt')
  await shot(p, 'webchat-unread-badge')
  await open.click()
  await waitFor(async () => !(await badge.isVisible()), 5000, 'badge cleared')
  await waitFor(async () => (await statusOf(second)) === 'read', 10_000, 'read after opening')

  // Reload: the history is still there and the pre-chat form is not asked again.
  await p.reload()
  await p.getByRole('button', { name: 'Open chat' }).click()
  await p.getByText('Anything else?').waitFor()
  assert.deepEqual(await bubbles(p), [
    'مرحبا، أريد تتبع طلبي',
    'Order 5512',
    'أهلًا سارة! طلبك في الطريق.',
    'Anything else?',
  ])
  assert.equal(await p.getByRole('button', { name: 'Start chatting' }).isVisible(), false)
  // The customer's text carries dir="auto" (gotcha 20).
  assert.equal(await widget(p).locator('.msg.visitor').first().getAttribute('dir'), 'auto')
  await ctx.close()
})

test('on an Arabic page the widget speaks Arabic and is laid out right-to-left', async () => {
  const ctx = await e2e.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
  const p = await ctx.newPage()
  await p.goto(`http://localhost:${sitePort}/ar`)
  const open = p.getByRole('button', { name: 'افتح المحادثة' })
  await open.click()
  const root = widget(p).locator('.root')
  assert.equal(await root.getAttribute('dir'), 'rtl')
  assert.equal(await root.evaluate((e) => getComputedStyle(e).direction), 'rtl')
  // position "end" is the left corner in Arabic.
  const box = (await open.boundingBox())!
  assert.ok(box.x + box.width / 2 < 640, `launcher at x=${box.x} should be on the left`)
  await p.getByLabel('الاسم').fill('نورة')
  await p.getByLabel('البريد الإلكتروني').fill('noura@mail.example')
  await p.getByRole('button', { name: 'ابدأ المحادثة' }).click()
  const composer = p.getByRole('textbox', { name: 'اكتب رسالة…' })
  await composer.fill('السلام عليكم')
  await p.getByRole('button', { name: 'إرسال', exact: true }).click()
  await waitFor(async () => (await bubbles(p)).includes('السلام عليكم'))
  const panel = (await widget(p).locator('.panel').boundingBox())!
  assert.ok(panel.x < 640, 'the panel opens on the left')
  await shot(p, 'webchat-open-ar')
  await ctx.close()
})

test('a site that is not an allowed origin gets no widget', async () => {
  const ctx = await e2e.browser.newContext()
  const p = await ctx.newPage()
  const configRequests: string[] = []
  const warnings: string[] = []
  // Refused with 403 and no CORS header: the browser reports the request as failed.
  p.on('requestfailed', (r) => {
    if (r.url().includes('/widget/v1/')) configRequests.push(`failed ${r.url()}`)
  })
  p.on('response', (r) => {
    if (r.url().includes('/widget/v1/')) configRequests.push(`${r.status()} ${r.url()}`)
  })
  p.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text())
  })
  // Same page, other origin: 127.0.0.1 instead of localhost.
  await p.goto(`http://127.0.0.1:${sitePort}/`)
  await waitFor(async () => warnings.some((w) => w.includes('not available on this site')), 5000, 'warning')
  assert.equal(configRequests.length, 1, configRequests.join('\n'))
  assert.match(configRequests[0]!, /\/config$/)
  assert.equal(await widget(p).count(), 0)
  const log = e2e.server
    .logs()
    .split('\n')
    .filter((l) => l.includes('"statusCode":403'))
  assert.ok(log.length > 0, 'the server refused it with 403')
  await ctx.close()
})

test('out of business hours the widget says when the team is back (English and Arabic), and sending still works', async () => {
  const hoursUrl = `${ws}/business-hours`
  const current = await owner.client.get(hoursUrl)
  assert.equal(current.body.enabled, false)
  const timezone = current.body.timezone as string
  const away = (p: Page) => widget(p).locator('[data-tawasul="away"]')

  // Business hours off: no notice.
  const plain = await e2e.browser.newContext({ locale: 'en-US', timezoneId: timezone })
  const p0 = await plain.newPage()
  await p0.goto(`http://localhost:${sitePort}/`)
  await p0.getByRole('button', { name: 'Open chat' }).click()
  await p0.getByText('Hi! How can we help?').waitFor()
  assert.equal(await away(p0).isVisible(), false)
  await plain.close()

  // Open only the day after tomorrow (workspace time), 10:00–11:00: closed now, deterministically.
  const weekdayIn = (d: Date) =>
    ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(
      new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: timezone }).format(d),
    )
  const opening = new Date(Date.now() + 2 * 24 * 3600_000)
  const week: { from: string; to: string }[][] = [[], [], [], [], [], [], []]
  week[weekdayIn(opening)] = [{ from: '10:00', to: '11:00' }]
  const put = await owner.client.put(hoursUrl, { enabled: true, week, holidays: [] })
  assert.equal(put.status, 200, put.text)
  const dayName = (locale: string) =>
    new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: timezone }).format(opening)

  try {
    const en = await e2e.browser.newContext({ locale: 'en-US', timezoneId: timezone })
    const p = await en.newPage()
    await p.goto(`http://localhost:${sitePort}/`)
    await p.getByRole('button', { name: 'Open chat' }).click()
    await away(p).waitFor()
    const text = (await away(p).textContent())!
    assert.match(text, /^We're away right now\. We'll reply when we're back — /)
    assert.ok(text.includes(dayName('en-US')), text)
    assert.match(text, /10:00\s?AM\.$/, text)
    // The visitor still writes: the message is stored for the team.
    await p.getByLabel('Name').fill('Omar')
    await p.getByLabel('Email').fill('omar@mail.example')
    await p.getByRole('button', { name: 'Start chatting' }).click()
    assert.equal(await away(p).isVisible(), true, 'the notice stays above the composer')
    const composer = p.getByRole('textbox', { name: 'Type a message…' })
    await composer.fill('Are you open on Friday?')
    await composer.press('Enter')
    const stored = await waitFor(async () => {
      const { rows } = await e2e.server.ctx.database.query<{ text: string }>(
        `SELECT m.text FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
          WHERE c.workspace_id = $1 AND c.email = $2 AND m.direction = 'in'`,
        [owner.workspaceId, 'omar@mail.example'],
      )
      return rows[0]?.text
    })
    assert.equal(stored, 'Are you open on Friday?')
    assert.equal(await widget(p).locator('.msg.failed').count(), 0)
    await shot(p, 'webchat-away-en')
    await en.close()

    const ar = await e2e.browser.newContext({ locale: 'ar-SA', timezoneId: timezone })
    const q = await ar.newPage()
    await q.goto(`http://localhost:${sitePort}/ar`)
    await q.getByRole('button', { name: 'افتح المحادثة' }).click()
    await away(q).waitFor()
    const arText = (await away(q).textContent())!
    assert.ok(arText.startsWith('فريقنا غير متاح الآن. سنردّ عليك عند عودتنا — '), arText)
    assert.ok(arText.includes(dayName('ar-SA')), arText)
    await q.getByLabel('الاسم').fill('ليلى')
    await q.getByLabel('البريد الإلكتروني').fill('layla@mail.example')
    await q.getByRole('button', { name: 'ابدأ المحادثة' }).click()
    await q.getByRole('textbox', { name: 'اكتب رسالة…' }).fill('هل أنتم متاحون غدًا؟')
    await q.getByRole('button', { name: 'إرسال', exact: true }).click()
    await waitFor(async () => {
      const { rows } = await e2e.server.ctx.database.query<{ text: string }>(
        `SELECT m.text FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
          WHERE c.workspace_id = $1 AND c.email = $2 AND m.direction = 'in'`,
        [owner.workspaceId, 'layla@mail.example'],
      )
      return rows[0]?.text === 'هل أنتم متاحون غدًا؟'
    })
    assert.equal(await widget(q).locator('.msg.failed').count(), 0)
    await shot(q, 'webchat-away-ar')
    await ar.close()
  } finally {
    await owner.client.put(hoursUrl, { enabled: false, week, holidays: [] })
  }
})
