import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'

const SITE = 'https://shop.example'
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string
let key: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  const tz = await owner.client.patch(ws, { timezone: 'Asia/Riyadh' })
  assert.equal(tz.status, 200, tz.text)
  const res = await owner.client.post(`${ws}/channels`, {
    type: 'webchat',
    name: 'Website',
    config: { allowedOrigins: [SITE] },
  })
  assert.equal(res.status, 201, res.text)
  key = /data-channel="([^"]+)"/.exec(res.body.embedCode)![1]!
})
after(() => server?.close())

/** The server's clock at this instant (the test clock runs on from it, well within the minute). */
const setNow = (iso: string) => {
  server.clock.offsetMs = Date.parse(iso) - Date.now()
}
async function config() {
  const res = await server.app.inject({
    method: 'GET',
    url: `/widget/v1/${key}/config`,
    headers: { origin: SITE },
  })
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.headers['cache-control'], 'no-store')
  return res.json()
}
const nine = [{ from: '09:00', to: '17:00' }]
async function saveHours(enabled: boolean, holidays: { date: string; name: string }[] = []) {
  const res = await owner.client.put(`${ws}/business-hours`, {
    enabled,
    week: [nine, nine, nine, nine, nine, [], []],
    holidays,
  })
  assert.equal(res.status, 200, res.text)
}

describe('the widget config tells whether the team is in business hours', () => {
  test('business hours off (the default): no availability, the widget shows no away notice', async () => {
    setNow('2025-06-06T07:00:00Z') // Friday 10:00 in Riyadh: closed, were the hours on
    const body = await config()
    assert.equal(body.availability, null)
    assert.equal(body.title, '')
    await saveHours(false)
    assert.equal((await config()).availability, null)
  })

  test('open: Thursday 10:00 in Riyadh, Sunday–Thursday 09:00–17:00', async () => {
    await saveHours(true)
    setNow('2025-06-05T07:00:00Z')
    assert.deepEqual((await config()).availability, { open: true, nextOpenAt: null })
  })

  test('closed: Thursday 18:00 opens Sunday 09:00 Riyadh time; a Sunday holiday moves it to Monday', async () => {
    await saveHours(true)
    setNow('2025-06-05T15:00:00Z')
    assert.deepEqual((await config()).availability, { open: false, nextOpenAt: '2025-06-08T06:00:00.000Z' })
    await saveHours(true, [{ date: '2025-06-08', name: 'Eid' }])
    assert.deepEqual((await config()).availability, { open: false, nextOpenAt: '2025-06-09T06:00:00.000Z' })
    // A holiday today closes a working day: Sunday 10:00 is closed too.
    setNow('2025-06-08T07:00:00Z')
    assert.deepEqual((await config()).availability, { open: false, nextOpenAt: '2025-06-09T06:00:00.000Z' })
  })

  test('the origin check still comes first', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/widget/v1/${key}/config`,
      headers: { origin: 'https://evil.example' },
    })
    assert.equal(res.statusCode, 403)
  })
})
