import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let url: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  url = `/api/v1/workspaces/${owner.workspaceId}/business-hours`
})
after(() => server.close())

const nine = [{ from: '09:00', to: '17:00' }]
const valid = () => ({
  enabled: true,
  week: [nine, nine, nine, nine, nine, [], []],
  holidays: [{ date: '2025-09-23', name: 'اليوم الوطني' }],
})
const fieldsOf = (body: { error: { fields?: { path: string; message: string }[] } }) =>
  Object.fromEntries((body.error.fields ?? []).map((f) => [f.path, f.message]))

describe('workspace business hours', () => {
  test('defaults until saved, then a round trip with intervals sorted and holidays by date', async () => {
    const first = await owner.client.get(url)
    assert.equal(first.status, 200, first.text)
    assert.equal(first.body.enabled, false)
    assert.equal(first.body.week.length, 7)
    assert.deepEqual(first.body.holidays, [])
    const body = valid()
    body.week[0] = [
      { from: '13:00', to: '17:00' },
      { from: '08:00', to: '12:00' },
    ]
    body.holidays.unshift({ date: '2025-12-31', name: 'Year end' })
    const put = await owner.client.put(url, body)
    assert.equal(put.status, 200, put.text)
    const again = (await owner.client.get(url)).body
    assert.equal(again.enabled, true)
    assert.equal(again.timezone, put.body.timezone)
    assert.deepEqual(again.week[0], [
      { from: '08:00', to: '12:00' },
      { from: '13:00', to: '17:00' },
    ])
    assert.deepEqual(again.week[5], [])
    assert.deepEqual(
      again.holidays.map((h: { date: string }) => h.date),
      ['2025-09-23', '2025-12-31'],
    )
    const { rows } = await server.ctx.database.query<{ payload: { changes: string[] } }>(
      "SELECT payload FROM events WHERE workspace_id = $1 AND type = 'workspace.updated' ORDER BY id DESC LIMIT 1",
      [owner.workspaceId],
    )
    assert.deepEqual(rows[0]?.payload.changes, ['businessHours'])
  })

  test('precise field errors: time format, to before from, overlaps, duplicate holidays, limits', async () => {
    const body = valid() as { enabled: boolean; week: { from: string; to: string }[][]; holidays: unknown[] }
    body.week[0] = [{ from: '9:00', to: '17:00' }]
    body.week[1] = [{ from: '17:00', to: '09:00' }]
    body.week[2] = [
      { from: '09:00', to: '13:00' },
      { from: '12:00', to: '17:00' },
    ]
    body.week[3] = Array.from({ length: 5 }, (_, i) => ({ from: `0${i}:00`, to: `0${i}:30` }))
    body.holidays = [
      { date: '2025-09-23', name: 'National Day' },
      { date: '2025-09-23', name: 'Again' },
      { date: '2025-02-30' },
    ]
    const res = await owner.client.put(url, body)
    assert.equal(res.status, 400, res.text)
    const fields = fieldsOf(res.body)
    assert.match(fields['body.week.0.0.from'] ?? '', /HH:MM/)
    assert.match(fields['body.week.1.0.to'] ?? '', /after "From"/)
    assert.match(fields['body.week.2.1.from'] ?? '', /Overlaps 09:00–13:00/)
    assert.match(fields['body.week.3'] ?? '', /At most 4/)
    assert.match(fields['body.holidays.1.date'] ?? '', /already a holiday/)
    assert.match(fields['body.holidays.2.date'] ?? '', /YYYY-MM-DD/)
    assert.equal(fields['body.holidays.0.date'], undefined)
    const six = await owner.client.put(url, { ...valid(), week: valid().week.slice(0, 6) })
    assert.equal(six.status, 400)
    assert.ok(fieldsOf(six.body)['body.week'])
    const many = Array.from({ length: 101 }, (_, i) => ({ date: `2026-01-01`, name: String(i) }))
    assert.ok(fieldsOf((await owner.client.put(url, { ...valid(), holidays: many })).body)['body.holidays'])
    assert.equal((await owner.client.get(url)).body.holidays[0].date, '2025-09-23', 'nothing was saved')
  })

  test('agents read them but cannot change them; restricted managers neither; other workspaces are 404', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    const manager = await buildUser(server, owner.workspaceId, 'manager')
    assert.equal((await agent.client.get(url)).status, 200)
    assert.equal((await agent.client.put(url, valid())).status, 403)
    assert.equal((await restricted.client.put(url, valid())).status, 403)
    assert.equal((await manager.client.put(url, { ...valid(), enabled: false })).status, 200)
    const other = await buildWorkspace(server)
    const theirs = `/api/v1/workspaces/${other.workspaceId}/business-hours`
    assert.equal((await owner.client.get(theirs)).status, 404)
    assert.equal((await owner.client.put(theirs, valid())).status, 404)
    assert.equal((await other.owner.client.get(url)).status, 404)
    assert.equal((await other.owner.client.get(theirs)).body.enabled, false, 'untouched')
  })
})
