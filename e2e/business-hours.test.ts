import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setupOwner } from '../src/server/test/factories'
import { serverAndBrowser, shot } from './browser'
import { signIn } from './inbox'

const e2e = serverAndBrowser()

test('business hours: Sunday–Thursday 09:00–17:00 with a Friday–Saturday weekend and a holiday, a bad interval, Arabic', async () => {
  const owner = await setupOwner(e2e.server)
  const ws = owner.workspaceId
  const page = await signIn(e2e.browser, e2e.server, 'owner@acme.test')
  await page.goto(`${e2e.server.url}/w/${ws}/settings/general`)
  await page
    .getByRole('navigation', { name: 'Settings' })
    .getByRole('link', { name: 'Business hours' })
    .click()
  await page.getByRole('heading', { name: 'Business hours', level: 1 }).waitFor()
  // English lists the week from Monday.
  assert.deepEqual(await page.locator('.hours-day > legend').allTextContents(), [
    'Monday',
    'Tuesday',
    'Wednesday',
    'Thursday',
    'Friday',
    'Saturday',
    'Sunday',
  ])
  const day = (n: number) => page.locator(`.hours-day[data-day="${n}"]`)

  await page.getByLabel('Use business hours').check()
  // Sunday 09:00–17:00 everywhere, then Friday and Saturday closed.
  await day(0).getByLabel('From', { exact: true }).fill('09:00')
  await day(0).getByLabel('To', { exact: true }).fill('17:00')
  await page.getByRole('button', { name: 'Copy Sunday to all days' }).click()
  await page.getByRole('button', { name: 'Remove Friday 09:00–17:00' }).click()
  await page.getByRole('button', { name: 'Remove Saturday 09:00–17:00' }).click()
  await day(5).getByText('Closed').waitFor()
  await page.getByLabel('Date', { exact: true }).fill('2026-09-23')
  await page.getByLabel('Holiday name').fill('اليوم الوطني')
  await page.getByRole('button', { name: 'Add holiday' }).click()
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved.').waitFor()

  const saved = (await owner.client.get(`/api/v1/workspaces/${ws}/business-hours`)).body
  assert.equal(saved.enabled, true)
  const nine = [{ from: '09:00', to: '17:00' }]
  assert.deepEqual(saved.week, [nine, nine, nine, nine, nine, [], []])
  assert.deepEqual(saved.holidays, [{ date: '2026-09-23', name: 'اليوم الوطني' }])

  await page.reload()
  assert.equal(await page.getByLabel('Use business hours').isChecked(), true)
  assert.equal(await day(0).getByLabel('To', { exact: true }).inputValue(), '17:00')
  await day(6).getByText('Closed').waitFor()
  await page.locator('[data-holiday="2026-09-23"]').getByText('اليوم الوطني').waitFor()
  assert.equal(await page.locator('[data-holiday="2026-09-23"] [dir="auto"]').count(), 1)

  // "To" before "From": the server's message shows under that field and nothing is saved.
  await day(3).getByLabel('To', { exact: true }).fill('08:00')
  await page.getByRole('button', { name: 'Save' }).click()
  const invalid = day(3).locator('.field-invalid')
  await invalid.getByRole('alert').waitFor()
  assert.match((await invalid.getByRole('alert').textContent()) ?? '', /after "From"/)
  assert.equal(await invalid.getByLabel('To', { exact: true }).inputValue(), '08:00')
  assert.deepEqual(
    (await owner.client.get(`/api/v1/workspaces/${ws}/business-hours`)).body.week[3],
    nine,
    'nothing was saved',
  )
  await shot(page, 'business-hours')

  // Arabic: mirrored, the week from Saturday, day names in Arabic.
  await page.reload()
  await page.getByRole('button', { name: 'العربية' }).click()
  await page.getByRole('heading', { name: 'ساعات العمل', level: 1 }).waitFor()
  assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl')
  const names = await page.locator('.hours-day > legend').allTextContents()
  assert.deepEqual([names[0], names[6]], ['السبت', 'الجمعة'])
  await day(6).getByText('مغلق').waitFor()
  // Mirrored: the day's actions sit at the inline start of the intervals, i.e. to their left.
  const from = (await day(0).getByLabel('من', { exact: true }).boundingBox())!
  const actions = (await day(0).locator('.cell-actions').boundingBox())!
  assert.ok(actions.x + actions.width <= from.x, `${JSON.stringify(actions)} left of ${JSON.stringify(from)}`)
  await shot(page, 'business-hours-ar')
})
