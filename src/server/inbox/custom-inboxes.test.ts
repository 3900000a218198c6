import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { connectCustomChannel, startDestination } from '../test/custom-channel'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let dest: Awaited<ReturnType<typeof startDestination>>
let owner: Awaited<ReturnType<typeof setupOwner>>
let agent: Awaited<ReturnType<typeof buildUser>>
let teammate: Awaited<ReturnType<typeof buildUser>>
let ownOnly: Awaited<ReturnType<typeof buildUser>>
let base: string
let ws: number
let ch1: number
let ch2: number
let teamId: number
const tag: Record<string, number> = {}
const stage: Record<string, number> = {}
const contact: Record<string, number> = {}
const WEIRD_KEY = `we'ird"key; --`

const q = <T = any>(text: string, params: unknown[] = []) => server.ctx.database.query<T>(text, params)
const ago = (ms: number) => new Date(Date.now() - ms)

before(async () => {
  server = await startTestServer()
  dest = await startDestination()
  owner = await setupOwner(server)
  ws = owner.workspaceId
  base = `/api/v1/workspaces/${ws}`
  teamId = (await owner.client.post(`${base}/teams`, { name: 'Sales' })).body.id
  agent = await buildUser(server, ws, 'agent', { teamId })
  teammate = await buildUser(server, ws, 'agent', { teamId })
  ownOnly = await buildUser(server, ws, 'agent', { restrictions: { contactVisibility: 'own' } })
  ch1 = (await connectCustomChannel(owner.client, ws, dest.url)).id
  ch2 = (await connectCustomChannel(owner.client, ws, dest.url)).id
  for (const [key, type] of [
    ['plan', 'list'],
    ['score', 'number'],
    ['vip', 'checkbox'],
    ['renewal', 'date'],
    [WEIRD_KEY, 'text'],
  ]) {
    await q('INSERT INTO custom_fields (workspace_id, key, name, type) VALUES ($1, $2, $2, $3)', [
      ws,
      key,
      type,
    ])
  }
  for (const name of ['VIP', 'Churn risk']) {
    const { rows } = await q<{ id: number }>(
      'INSERT INTO tags (workspace_id, name) VALUES ($1, $2) RETURNING id',
      [ws, name],
    )
    tag[name] = Number(rows[0]!.id)
  }
  const { rows: stages } = await q<{ id: number; name: string }>(
    'SELECT id, name FROM lifecycle_stages WHERE workspace_id = $1',
    [ws],
  )
  for (const s of stages) stage[s.name] = Number(s.id)

  const make = async (
    key: string,
    values: Parameters<typeof buildContact>[2],
    o: { channels: number[]; tags?: string[] },
  ) => {
    const c = await buildContact(server, ws, {
      firstName: key,
      inboxStatus: 'open',
      lastMessageAt: ago(Object.keys(contact).length * 1000),
      ...values,
    })
    contact[key] = c.id
    for (const channelId of o.channels) {
      await q(
        'INSERT INTO contact_channels (workspace_id, contact_id, channel_id, identifier) VALUES ($1, $2, $3, $4)',
        [ws, c.id, channelId, `${key}-${channelId}`],
      )
    }
    for (const t of o.tags ?? [])
      await q('INSERT INTO contact_tags (workspace_id, contact_id, tag_id) VALUES ($1, $2, $3)', [
        ws,
        c.id,
        tag[t],
      ])
  }
  await make(
    'Layla',
    {
      email: 'layla@example.test',
      custom: { plan: 'gold', score: 90, vip: true, renewal: '2026-12-01' },
      lastInteractedChannelId: ch1,
      lastIncomingAt: ago(10 * 60_000),
      lifecycleStageId: stage.Customer!,
      assigneeUserId: agent.userId,
      assigneeTeamId: teamId,
    },
    { channels: [ch1], tags: ['VIP'] },
  )
  await make(
    'Omar',
    {
      custom: { plan: ['silver', 'gold'], score: 40 },
      lastInteractedChannelId: ch2,
      lastIncomingAt: ago(3 * 86_400_000),
      lifecycleStageId: stage['New Lead']!,
    },
    { channels: [ch2, ch1], tags: ['Churn risk'] },
  )
  await make(
    'Sara 100%_off',
    { custom: { score: 'n/a' }, lastInteractedChannelId: ch2, assigneeUserId: owner.userId },
    { channels: [ch2] },
  )
  await make(
    'Zaid',
    { custom: { [WEIRD_KEY]: "x'y", vip: false }, assigneeUserId: ownOnly.userId },
    { channels: [] },
  )
})
after(async () => {
  await server.close()
  await dest.close()
})

const nameOf = (id: number) => Object.entries(contact).find(([, c]) => c === id)?.[0]

/** Saves the filter as a custom inbox, lists it as `viewer`, and deletes it again. */
async function matching(filter: unknown, viewer: TestClient = owner.client, shareWith: number[] = []) {
  const created = await owner.client.post(`${base}/custom-inboxes`, {
    name: 'probe',
    filter,
    sharedUserIds: shareWith,
  })
  assert.equal(created.status, 201, created.text)
  const page = await viewer.get(`${base}/inbox?view=custom:${created.body.id}`)
  assert.equal(page.status, 200, page.text)
  await owner.client.delete(`${base}/custom-inboxes/${created.body.id}`)
  return page.body.rows.map((r: any) => nameOf(r.contactId)).sort()
}
const one = (condition: Record<string, unknown>) => ({ op: 'and', conditions: [condition] })
const field = (key: string, operator: string, value?: unknown) =>
  one({ field: 'contact_field', key, operator, ...(value === undefined ? {} : { value }) })

describe('custom inbox conditions (rule 46)', () => {
  test('contact fields, standard and custom, by type', async () => {
    assert.deepEqual(
      await matching(field('plan', 'is', 'gold')),
      ['Layla', 'Omar'],
      'list: one value or several',
    )
    assert.deepEqual(await matching(field('score', 'greater_than', 50)), ['Layla'])
    assert.deepEqual(await matching(field('score', 'less_than', 50)), ['Omar'], 'non-numbers never compare')
    assert.deepEqual(await matching(field('score', 'is', '40')), ['Omar'])
    assert.deepEqual(await matching(field('vip', 'is', true)), ['Layla'])
    assert.deepEqual(await matching(field('vip', 'is_not', true)), ['Omar', 'Sara 100%_off', 'Zaid'])
    assert.deepEqual(await matching(field('renewal', 'greater_than', '2026-11-01')), ['Layla'])
    assert.deepEqual(await matching(field('firstName', 'starts_with', 'LA')), ['Layla'], 'case-insensitive')
    assert.deepEqual(await matching(field('firstName', 'contains', '100%')), ['Sara 100%_off'])
    assert.deepEqual(await matching(field('firstName', 'contains', '%')), ['Sara 100%_off'], '% is literal')
    assert.deepEqual(await matching(field('firstName', 'contains', '_')), ['Sara 100%_off'], '_ is literal')
    assert.deepEqual(await matching(field('firstName', 'not_contains', 'a')), [])
    assert.deepEqual(await matching(field('email', 'exists')), ['Layla'])
    assert.deepEqual(await matching(field('email', 'is', 'LAYLA@example.test')), ['Layla'])
    assert.deepEqual(await matching(field('email', 'not_exists')), ['Omar', 'Sara 100%_off', 'Zaid'])
  })

  test('a custom field key and a value full of quotes are data, not SQL', async () => {
    assert.deepEqual(await matching(field(WEIRD_KEY, 'is', "x'y")), ['Zaid'])
    assert.deepEqual(await matching(field(WEIRD_KEY, 'contains', "'")), ['Zaid'])
    const res = await owner.client.post(`${base}/custom-inboxes`, {
      name: 'evil',
      filter: field("x') OR 1=1; DROP TABLE contacts; --", 'is', 'a'),
    })
    assert.equal(res.status, 422)
    assert.equal(res.body.error.fields[0].path, 'filter.conditions.0.key')
    const { rows } = await q<{ n: number }>(
      'SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1',
      [ws],
    )
    assert.equal(rows[0]!.n, 4)
  })

  test('channels, tags, last interacted channel, time since the last incoming message', async () => {
    assert.deepEqual(await matching(one({ field: 'channel', operator: 'is', value: ch1 })), ['Layla', 'Omar'])
    assert.deepEqual(await matching(one({ field: 'channel', operator: 'is_not', value: ch1 })), [
      'Sara 100%_off',
      'Zaid',
    ])
    assert.deepEqual(await matching(one({ field: 'tag', operator: 'has', value: tag.VIP })), ['Layla'])
    assert.deepEqual(await matching(one({ field: 'tag', operator: 'has_not', value: tag.VIP })), [
      'Omar',
      'Sara 100%_off',
      'Zaid',
    ])
    assert.deepEqual(await matching(one({ field: 'last_interacted_channel', operator: 'is', value: ch2 })), [
      'Omar',
      'Sara 100%_off',
    ])
    const since = (operator: string, amount: number, unit: string) =>
      matching(one({ field: 'time_since_last_incoming', operator, value: { amount, unit } }))
    assert.deepEqual(await since('more_than', 1, 'days'), ['Omar'])
    assert.deepEqual(await since('less_than', 1, 'hours'), ['Layla'])
    assert.deepEqual(await since('more_than', 5, 'minutes'), ['Layla', 'Omar'], 'never wrote: no match')
  })

  test('lifecycle and assignee, with "me" meaning whoever looks', async () => {
    assert.deepEqual(await matching(one({ field: 'lifecycle', operator: 'is', value: stage.Customer })), [
      'Layla',
    ])
    assert.deepEqual(await matching(one({ field: 'lifecycle', operator: 'not_exists' })), [
      'Sara 100%_off',
      'Zaid',
    ])
    assert.deepEqual(await matching(one({ field: 'assignee', operator: 'not_exists' })), ['Omar'])
    assert.deepEqual(await matching(one({ field: 'assignee', operator: 'is', value: agent.userId })), [
      'Layla',
    ])
    const me = one({ field: 'assignee', operator: 'is', value: 'me' })
    assert.deepEqual(await matching(me), ['Sara 100%_off'])
    assert.deepEqual(await matching(me, agent.client, [agent.userId]), ['Layla'])
  })

  test('nested AND / OR groups', async () => {
    const nested = {
      op: 'and',
      conditions: [
        {
          op: 'or',
          conditions: [
            { field: 'tag', operator: 'has', value: tag.VIP },
            {
              op: 'and',
              conditions: [
                { field: 'channel', operator: 'is', value: ch2 },
                { field: 'contact_field', key: 'score', operator: 'less_than', value: 50 },
              ],
            },
          ],
        },
        { field: 'lifecycle', operator: 'exists' },
      ],
    }
    assert.deepEqual(await matching(nested), ['Layla', 'Omar'])
    const either = {
      op: 'or',
      conditions: [
        field('firstName', 'is', 'zaid'),
        { op: 'and', conditions: [field('plan', 'is', 'silver')] },
      ],
    }
    assert.deepEqual(await matching(either), ['Omar', 'Zaid'])
  })

  test('restricted agents see only their own contacts in any custom inbox (rule 102)', async () => {
    assert.deepEqual(await matching(field('firstName', 'exists'), ownOnly.client, [ownOnly.userId]), ['Zaid'])
  })
})

describe('custom inbox validation', () => {
  const create = (body: unknown) => owner.client.post(`${base}/custom-inboxes`, body)

  test('schema problems are 400 and name the place', async () => {
    const unknownField = await create({ name: 'x', filter: one({ field: 'mood', operator: 'is', value: 1 }) })
    assert.equal(unknownField.status, 400)
    assert.equal(unknownField.body.error.fields[0].path, 'body.filter.conditions.0')
    assert.match(unknownField.body.error.fields[0].message, /Unknown condition field/)
    const noValue = await create({ name: 'x', filter: field('firstName', 'is') })
    assert.equal(noValue.status, 400)
    assert.match(noValue.body.error.message, /"is" needs a value/)
    const deep = await create({
      name: 'x',
      filter: { op: 'and', conditions: [{ op: 'or', conditions: [{ field: 'tag', operator: 'has' }] }] },
    })
    assert.equal(deep.status, 400)
    assert.match(deep.body.error.message, /conditions\.0: value/)
    const empty = await create({ name: 'x', filter: { op: 'and', conditions: [] } })
    assert.match(empty.body.error.message, /at least one condition/)
    const extra = await create({ name: 'x', filter: field('firstName', 'exists'), owner: 1 })
    assert.equal(extra.body.error.fields[0].path, 'body.owner')
  })

  test('meaning problems are 422 with the path of each', async () => {
    const res = await create({
      name: 'x',
      filter: {
        op: 'and',
        conditions: [
          field('score', 'contains', '9').conditions[0],
          field('vip', 'is', 'yes').conditions[0],
          { field: 'channel', operator: 'is', value: 999_999 },
          { op: 'or', conditions: [{ field: 'assignee', operator: 'is', value: 999_999 }] },
        ],
      },
    })
    assert.equal(res.status, 422)
    assert.equal(res.body.error.code, 'invalid_filter')
    assert.deepEqual(
      res.body.error.fields.map((f: any) => f.path),
      [
        'filter.conditions.0.operator',
        'filter.conditions.1.value',
        'filter.conditions.2.value',
        'filter.conditions.3.conditions.0.value',
      ],
    )
    let deep: any = field('firstName', 'exists')
    for (let i = 0; i < 4; i++) deep = { op: 'and', conditions: [deep] }
    const tooDeep = await create({ name: 'x', filter: deep })
    assert.equal(tooDeep.status, 422)
    assert.match(tooDeep.body.error.message, /at most 4 levels/)
    const share = await create({ name: 'x', filter: field('firstName', 'exists'), sharedUserIds: [999_999] })
    assert.equal(share.status, 422)
    assert.equal(share.body.error.code, 'invalid_share')
  })
})

describe('custom inbox sharing and ownership (rule 46)', () => {
  test('private by default, shared with users or teams, edited only by its creator', async () => {
    const created = await owner.client.post(`${base}/custom-inboxes`, {
      name: 'Gold customers',
      filter: field('plan', 'is', 'gold'),
    })
    assert.equal(created.status, 201)
    const id = created.body.id
    const item = `${base}/custom-inboxes/${id}`
    assert.equal(created.body.view, `custom:${id}`)

    // Private: invisible to others, as if it did not exist.
    assert.equal((await agent.client.get(item)).status, 404)
    assert.equal((await agent.client.get(`${base}/inbox?view=custom:${id}`)).status, 404)
    assert.deepEqual((await agent.client.get(`${base}/custom-inboxes`)).body, [])
    const ownerViews = (await owner.client.get(`${base}/inbox/views`)).body.custom
    assert.deepEqual(
      ownerViews.byMe.map((c: any) => c.name),
      ['Gold customers'],
    )
    assert.deepEqual(ownerViews.byOthers, [])

    // Shared with a team: every member sees it under By others, and may not change it.
    const shared = await owner.client.patch(item, { sharedTeamIds: [teamId] })
    assert.equal(shared.status, 200)
    assert.deepEqual(shared.body.sharedTeamIds, [teamId])
    const views = (await teammate.client.get(`${base}/inbox/views`)).body.custom
    assert.deepEqual(
      views.byOthers.map((c: any) => c.view),
      [`custom:${id}`],
    )
    assert.deepEqual(views.all, views.byOthers)
    const rows = (await teammate.client.get(`${base}/inbox?view=custom:${id}`)).body.rows
    assert.deepEqual(rows.map((r: any) => nameOf(r.contactId)).sort(), ['Layla', 'Omar'])
    const edit = await teammate.client.patch(item, { name: 'Mine now' })
    assert.equal(edit.status, 403)
    assert.equal(
      edit.body.error.message,
      'Only the creator of a custom inbox can edit or delete it (rule 46).',
    )
    assert.equal((await teammate.client.delete(item)).status, 403)
    assert.equal((await ownOnly.client.get(item)).status, 404, 'not in the team')

    // Shared with a user directly; un-sharing the team hides it from the rest of the team.
    const direct = await owner.client.patch(item, {
      sharedUserIds: [ownOnly.userId, owner.userId],
      sharedTeamIds: [],
    })
    assert.deepEqual(direct.body.sharedUserIds, [ownOnly.userId], 'the creator needs no share')
    assert.equal((await ownOnly.client.get(item)).status, 200)
    assert.equal((await teammate.client.get(item)).status, 404)

    const renamed = await owner.client.patch(item, { name: 'Gold', filter: field('plan', 'is', 'silver') })
    assert.equal(renamed.body.name, 'Gold')
    assert.deepEqual(renamed.body.filter, field('plan', 'is', 'silver'))
    assert.equal((await owner.client.delete(item)).status, 200)
    assert.equal((await owner.client.get(item)).status, 404)
    const { rows: events } = await q<{ type: string }>(
      `SELECT type FROM events WHERE workspace_id = $1 AND type LIKE 'custom_inbox.%' AND payload->>'customInboxId' = $2 ORDER BY id`,
      [ws, String(id)],
    )
    assert.deepEqual(
      events.map((e) => e.type),
      [
        'custom_inbox.created',
        'custom_inbox.updated',
        'custom_inbox.updated',
        'custom_inbox.updated',
        'custom_inbox.deleted',
      ],
    )
  })

  test('the nested filter is documented in the OpenAPI document', async () => {
    const doc = (await server.app.inject({ url: '/api/docs/json' })).json()
    const post = doc.paths['/api/v1/workspaces/{workspaceId}/custom-inboxes'].post
    const filter = post.requestBody.content['application/json'].schema.properties.filter
    assert.equal(filter.$ref, '#/components/schemas/InboxFilterInput')
    const schema = JSON.stringify(doc.components.schemas.InboxFilterInput)
    assert.ok(schema.includes('time_since_last_incoming'), schema.slice(0, 200))
    assert.ok(schema.includes('#/components/schemas/InboxFilterInput'), 'groups nest')
    assert.ok(doc.paths['/api/v1/workspaces/{workspaceId}/inbox'].get)
  })

  test('API tokens cannot own custom inboxes', async () => {
    const token = await owner.client.post(`${base}/api-tokens`, { name: 'ci' })
    const res = await server.app.inject({
      method: 'GET',
      url: `${base}/custom-inboxes`,
      headers: { authorization: `Bearer ${token.body.token}` },
    })
    assert.equal(res.statusCode, 403)
  })
})
