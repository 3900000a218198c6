import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiV2Client, assertError, assertShape, ident } from '../test/api-v2'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination } from '../test/custom-channel'
import { buildContact, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import * as docs from './fixtures/respondio-v2-docs'

/** Contract tests: /v2 contact endpoints against respond.io's documented shapes (fixtures/). */
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let api: TestClient
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  api = (await apiV2Client(server, owner.client, owner.workspaceId)).client
  await owner.client.post(`${ws}/contact-fields`, { key: 'order_no', name: 'Order number', type: 'number' })
  await owner.client.post(`${ws}/contact-fields`, { key: 'vip', name: 'VIP', type: 'checkbox' })
})
after(() => server.close())

const count = async () =>
  (
    await server.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1',
      [owner.workspaceId],
    )
  ).rows[0]!.n
/** A path relative to the server from a pagination URL. */
const pathOf = (url: string) => {
  const u = new URL(url)
  return `${u.pathname}${u.search}`
}

describe('create, get, update, delete (developers.respond.io createcontact, getcontact, updatecontact, deletecontact)', () => {
  test('create by email, then get by email, phone (URL-encoded) and id in the documented shape', async () => {
    const created = await api.post(`/v2/contact/${ident('email:Layla@Example.com')}`, {
      firstName: 'Layla',
      lastName: 'Hassan',
      phone: '+966 50 123 4567',
      language: 'ar',
      custom_fields: [
        { name: 'Order number', value: 1001 },
        { name: 'vip', value: 'true' },
      ],
    })
    assert.deepEqual(assertShape(docs.contactCreated, created), {
      code: '200',
      message: 'Contact added successfully!',
    })

    const byEmail = assertShape(
      docs.contact,
      await api.get(`/v2/contact/${ident('email:layla@example.com')}`),
    )
    const byPhone = assertShape(docs.contact, await api.get(`/v2/contact/${ident('phone:+966501234567')}`))
    const byId = assertShape(docs.contact, await api.get(`/v2/contact/id:${byEmail.id}`))
    assert.deepEqual(byPhone, byEmail)
    assert.deepEqual(byId, byEmail)
    assert.deepEqual(
      { ...byEmail, id: 0, created_at: 0 },
      {
        id: 0,
        firstName: 'Layla',
        lastName: 'Hassan',
        phone: '+966501234567',
        email: 'layla@example.com',
        language: 'ar',
        profilePic: null,
        countryCode: 'SA',
        custom_fields: [
          { name: 'Order number', value: 1001 },
          { name: 'VIP', value: true },
        ],
        status: 'closed',
        tags: [],
        assignee: null,
        lifecycle: 'New Lead',
        created_at: 0,
        isBlocked: false,
      },
    )
    assert.ok(Math.abs(byEmail.created_at! - Date.now() / 1000) < 60, 'created_at is Unix seconds')
  })

  test('bad creates answer 400 in respond.io’s error shape and create nothing', async () => {
    await api.post(`/v2/contact/${ident('phone:+966501110000')}`, { firstName: 'Taken' })
    const before = await count()
    const cases: [string, unknown, RegExp][] = [
      ['phone:+966501110000', { firstName: 'Again' }, /already exists \(id:\d+\)/],
      ['id:5', { firstName: 'X' }, /email:… or phone:…/],
      ['email:nofirst@example.com', { lastName: 'Only' }, /firstName/],
      [
        'email:a@example.com',
        { firstName: 'A', email: 'b@example.com' },
        /identifier is email:a@example\.com but the body's email is b@example\.com/,
      ],
      [
        'email:pic@example.com',
        { firstName: 'P', profilePic: 'https://cdn.example/p.png' },
        /profilePic cannot be set/,
      ],
      [
        'email:cf@example.com',
        { firstName: 'C', custom_fields: [{ name: 'Shoe size', value: 42 }] },
        /custom_fields\.Shoe size: Unknown contact field/,
      ],
      [
        'email:num@example.com',
        { firstName: 'N', custom_fields: [{ name: 'order_no', value: 'abc' }] },
        /custom_fields\.order_no/,
      ],
      [
        'email:ph@example.com',
        { firstName: 'N', phone: '12' },
        /phone: Enter the phone number with its country code/,
      ],
      ['email:cc@example.com', { firstName: 'N', countryCode: 'XX' }, /countryCode/],
      ['email:extra@example.com', { firstName: 'N', nickname: 'x' }, /Validation error: body\.nickname/],
    ]
    for (const [identifier, body, message] of cases) {
      assertError(await api.post(`/v2/contact/${ident(identifier)}`, body), 400, message)
    }
    assert.equal(await count(), before)
  })

  test('malformed identifiers are a precise 400; unknown ones a 404 "Contact not found"', async () => {
    for (const bad of [
      '123',
      'id:abc',
      'id:0',
      'email:not-an-email',
      'phone:12',
      'phone:+999',
      'name:layla',
      'id:',
    ]) {
      assertError(await api.get(`/v2/contact/${ident(bad)}`), 400, /Invalid identifier/)
    }
    assertError(await api.get('/v2/contact/id:999999'), 404, /^Contact not found$/)
    assertError(await api.get(`/v2/contact/${ident('email:nobody@example.com')}`), 404, /^Contact not found$/)
    assertError(await api.put('/v2/contact/id:999999', { firstName: 'X' }), 404, /Contact not found/)
    assertError(await api.delete('/v2/contact/id:999999'), 404, /Contact not found/)
  })

  test('update changes only the given fields; null clears; duplicates update the oldest match', async () => {
    const older = await buildContact(server, owner.workspaceId, {
      firstName: 'Old',
      email: 'dup@example.com',
    })
    const newer = await buildContact(server, owner.workspaceId, {
      firstName: 'New',
      email: 'dup@example.com',
    })
    const res = await api.put(`/v2/contact/${ident('email:dup@example.com')}`, {
      lastName: 'Saleh',
      countryCode: 'ae',
      custom_fields: [{ name: 'order_no', value: '7' }],
    })
    assert.deepEqual(assertShape(docs.contactAction, res), { contactId: older.id })
    const got = assertShape(docs.contact, await api.get(`/v2/contact/id:${older.id}`))
    assert.equal(got.firstName, 'Old')
    assert.equal(got.lastName, 'Saleh')
    assert.equal(got.countryCode, 'AE')
    assert.deepEqual(got.custom_fields![0], { name: 'Order number', value: 7 })
    assert.equal((await api.get(`/v2/contact/id:${newer.id}`)).body.lastName, null)

    await api.put(`/v2/contact/id:${older.id}`, {
      lastName: null,
      custom_fields: [{ name: 'Order number', value: null }],
    })
    const cleared = (await api.get(`/v2/contact/id:${older.id}`)).body
    assert.equal(cleared.lastName, null)
    assert.deepEqual(cleared.custom_fields[0], { name: 'Order number', value: null })
  })

  test('delete answers { contactId } and the contact is gone', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Gone', phone: '+966507770000' })
    const res = await api.delete(`/v2/contact/${ident('phone:+966507770000')}`)
    assert.deepEqual(assertShape(docs.contactAction, res), { contactId: c.id })
    assertError(await api.get(`/v2/contact/id:${c.id}`), 404, /Contact not found/)
  })
})

describe('create_or_update and merge (developers.respond.io createorupdatecontact, mergecontacts)', () => {
  test('creates when nothing matches, then updates the same contact', async () => {
    const path = `/v2/contact/create_or_update/${ident('phone:+966502220000')}`
    const first = assertShape(docs.contactAction, await api.post(path, { firstName: 'Omar' }))
    const second = assertShape(docs.contactAction, await api.post(path, { lastName: 'Saleh' }))
    assert.equal(second.contactId, first.contactId)
    const got = (await api.get(`/v2/contact/id:${first.contactId}`)).body
    assert.deepEqual(
      [got.firstName, got.lastName, got.phone, got.countryCode],
      ['Omar', 'Saleh', '+966502220000', 'SA'],
    )
    assertError(
      await api.post('/v2/contact/create_or_update/id:999999', { firstName: 'X' }),
      404,
      /Contact not found/,
    )
  })

  test('merge: the older contact is primary, gets the body fields, the other is deleted', async () => {
    const older = await buildContact(server, owner.workspaceId, { firstName: 'Sara', phone: '+966503330000' })
    const newer = await buildContact(server, owner.workspaceId, {
      firstName: 'S.',
      email: 'sara@example.com',
    })
    const res = await api.post('/v2/contact/merge', { contactIds: [newer.id, older.id], lastName: 'Ali' })
    assert.deepEqual(assertShape(docs.contactAction, res), { contactId: older.id })
    const merged = (await api.get(`/v2/contact/id:${older.id}`)).body
    assert.deepEqual([merged.firstName, merged.lastName, merged.email], ['Sara', 'Ali', 'sara@example.com'])
    assertError(await api.get(`/v2/contact/id:${newer.id}`), 404, /Contact not found/)

    assertError(await api.post('/v2/contact/merge', { contactIds: [older.id] }), 400, /exactly two/)
    assertError(
      await api.post('/v2/contact/merge', { contactIds: [older.id, 999999] }),
      404,
      /^Contact 999999 not found$/,
    )
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Keep' })
    // A bad field is refused before merging: both contacts stay.
    assertError(
      await api.post('/v2/contact/merge', { contactIds: [older.id, c.id], phone: 'x' }),
      400,
      /phone/,
    )
    assert.equal((await api.get(`/v2/contact/id:${c.id}`)).status, 200)
  })
})

describe('list (developers.respond.io listcontacts)', () => {
  test('newest first, cursorId paging through pagination.next and pagination.previous', async () => {
    const made = []
    for (let i = 0; i < 5; i++)
      made.push(await buildContact(server, owner.workspaceId, { firstName: `Page ${i}` }))
    const first = assertShape(
      docs.contactList,
      await api.post('/v2/contact/list?limit=2', { search: 'Page', filter: { $and: [] } }),
    )
    assert.deepEqual(
      first.items.map((c) => c.firstName),
      ['Page 4', 'Page 3'],
    )
    assert.equal(first.pagination.previous, '')
    assert.match(first.pagination.next, new RegExp(`/v2/contact/list\\?limit=2&cursorId=${made[3]!.id}$`))
    const second = assertShape(
      docs.contactList,
      await api.post(pathOf(first.pagination.next), { search: 'Page', filter: {} }),
    )
    assert.deepEqual(
      second.items.map((c) => c.firstName),
      ['Page 2', 'Page 1'],
    )
    const back = assertShape(
      docs.contactList,
      await api.post(pathOf(second.pagination.previous), { search: 'Page' }),
    )
    assert.deepEqual(
      back.items.map((c) => c.firstName),
      ['Page 4', 'Page 3'],
    )
    assert.equal(back.pagination.previous, '')
    const third = (await api.post(pathOf(second.pagination.next), { search: 'Page' })).body
    assert.deepEqual(
      third.items.map((c: any) => c.firstName),
      ['Page 0'],
    )
    assert.equal(third.pagination.next, '')
    // Without a body and a limit: the documented default of 10.
    assert.equal((await api.post('/v2/contact/list')).body.items.length, 10)
  })

  test('filters: tags, lifecycle, assignee, country, custom fields; unsupported ones are a precise 400', async () => {
    const a = await buildContact(server, owner.workspaceId, {
      firstName: 'Filter A',
      country: 'KW',
      custom: { order_no: 5 },
    })
    const b = await buildContact(server, owner.workspaceId, {
      firstName: 'Filter B',
      country: 'KW',
      custom: { order_no: 50 },
    })
    await api.post(`/v2/contact/id:${a.id}/tag`, ['filter-tag'])
    await api.post(`/v2/contact/id:${b.id}/lifecycle/update`, { name: 'Customer' })
    const list = async (filter: unknown) =>
      assertShape(
        docs.contactList,
        await api.post('/v2/contact/list?limit=50', { search: 'Filter', filter, timezone: 'Asia/Riyadh' }),
      )
        .items.map((c) => c.firstName)
        .sort()
    const cond = (category: string, field: string | null, operator: string, value: unknown) => ({
      category,
      field,
      operator,
      value,
    })
    assert.deepEqual(await list({ $and: [cond('contactTag', null, 'hasAllOf', ['FILTER-TAG'])] }), [
      'Filter A',
    ])
    assert.deepEqual(await list({ $and: [cond('contactTag', null, 'hasAllOf', ['no-such-tag'])] }), [])
    assert.deepEqual(await list({ $and: [cond('lifecycle', null, 'isEqualTo', 'customer')] }), ['Filter B'])
    assert.deepEqual(await list({ $or: [cond('contactField', 'countryCode', 'isEqualTo', 'kw')] }), [
      'Filter A',
      'Filter B',
    ])
    assert.deepEqual(await list({ $and: [cond('contactField', 'order_no', 'isGreaterThan', '10')] }), [
      'Filter B',
    ])
    assert.deepEqual(
      await list({ $and: [cond('contactField', 'Order number', 'isBetween', { from: '1', to: '9' })] }),
      ['Filter A'],
    )
    assert.deepEqual(await list({ $and: [cond('contactField', 'assigneeUserId', 'isEqualTo', null)] }), [
      'Filter A',
      'Filter B',
    ])
    assert.deepEqual(
      await list({ $and: [cond('contactField', 'created_at', 'isTimestampBefore', '2000-01-01')] }),
      [],
    )
    for (const [filter, message] of [
      [{ $and: [cond('contactTag', null, 'hasNoneOf', ['x'])] }, /contactTag hasNoneOf is not supported/],
      [
        { $and: [cond('contactField', 'firstName', 'isEqualTo', 'x')] },
        /contactField firstName isEqualTo is not supported/,
      ],
      [
        { $or: [cond('lifecycle', null, 'exists', null), cond('lifecycle', null, 'exists', null)] },
        /\$or with several/,
      ],
      [{ $and: [cond('contactField', 'created_at', 'isTimestampAfter', 'yesterday')] }, /not a timestamp/],
      [{ $and: [cond('contactField', 'countryCode', 'isEqualTo', 'XX')] }, /filter\.country/],
    ] as const) {
      assertError(await api.post('/v2/contact/list', { filter }), 400, message)
    }
    assertError(await api.post('/v2/contact/list', { timezone: 'Mars/Olympus' }), 400, /Unknown time zone/)
    assertError(await api.post('/v2/contact/list?limit=101'), 400, /limit/)
    assertError(await api.post('/v2/contact/list?cursorId=abc'), 400, /cursorId/)
  })
})

describe("a contact's channels, tags and lifecycle", () => {
  test('channels the contact wrote from (GET /contact/{identifier}/channels)', async () => {
    const dest = await startDestination()
    try {
      const channel = await connectCustomChannel(owner.client, owner.workspaceId, dest.url)
      assert.equal((await inbound(server, channel, { from: '+966504440000', text: 'Hi' })).status, 200)
      const res = await api.get(`/v2/contact/${ident('phone:+966504440000')}/channels`)
      const page = assertShape(docs.contactChannelList, res)
      assert.equal(page.items.length, 1)
      const [item] = page.items
      assert.equal(item!.id, channel.id)
      assert.equal(item!.source, 'custom_channel')
      assert.deepEqual(item!.meta, { identifier: '+966504440000' })
      assert.ok(item!.lastIncomingMessageTime && item!.lastMessageTime && item!.created_at)
      assert.deepEqual(page.pagination, { next: '', previous: '' })
    } finally {
      await dest.close()
    }
  })

  test('add and delete tags by name (created on first use); limits are a 400', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Tagged' })
    assert.deepEqual(
      assertShape(docs.contactAction, await api.post(`/v2/contact/id:${c.id}/tag`, ['vip', 'Newsletter'])),
      {
        contactId: c.id,
      },
    )
    // respond.io's MCP server sends { tags: [...] }: accepted too.
    await api.post(`/v2/contact/id:${c.id}/tag`, { tags: ['VIP', 'wholesale'] })
    assert.deepEqual((await api.get(`/v2/contact/id:${c.id}`)).body.tags, ['Newsletter', 'vip', 'wholesale'])
    const res = await api.delete(`/v2/contact/id:${c.id}/tag`, ['VIP', 'never-existed'])
    assert.deepEqual(assertShape(docs.contactAction, res), { contactId: c.id })
    assert.deepEqual((await api.get(`/v2/contact/id:${c.id}`)).body.tags, ['Newsletter', 'wholesale'])

    const tooMany = Array.from({ length: 11 }, (_, i) => `t${i}`)
    assertError(await api.post(`/v2/contact/id:${c.id}/tag`, tooMany), 400, /1 to 10 tags/)
    assertError(await api.post(`/v2/contact/id:${c.id}/tag`, ['a', 'A']), 400, /unique/)
    assertError(await api.post(`/v2/contact/id:${c.id}/tag`, []), 400, /1 to 10 tags/)
    assertError(await api.post('/v2/contact/id:999999/tag', ['x']), 404, /Contact not found/)
    assert.ok(docs.tagNames.safeParse(['vip']).success)
  })

  test('lifecycle by stage name; null removes it; an unknown name is a 400', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Stage' })
    const res = await api.post(`/v2/contact/id:${c.id}/lifecycle/update`, { name: 'hot lead' })
    assert.deepEqual(assertShape(docs.lifecycleUpdated, res), docs.LIFECYCLE_UPDATED)
    assert.equal((await api.get(`/v2/contact/id:${c.id}`)).body.lifecycle, 'Hot Lead')
    await api.post(`/v2/contact/id:${c.id}/lifecycle/update`, { name: null })
    assert.equal((await api.get(`/v2/contact/id:${c.id}`)).body.lifecycle, null)
    assertError(
      await api.post(`/v2/contact/id:${c.id}/lifecycle/update`, { name: 'Astronaut' }),
      400,
      /Unknown lifecycle stage "Astronaut"/,
    )
  })
})

describe('workspace tags (respond.io SDK SpaceClient)', () => {
  test('create, update by currentName, delete by name', async () => {
    const created = assertShape(
      docs.spaceTag,
      await api.post('/v2/space/tag', { name: 'Gold', colorCode: '#ffd700', description: '', emoji: '' }),
    )
    assert.deepEqual({ ...created, id: 0 }, { id: 0, name: 'Gold', colorCode: '#ffd700' })
    assertError(await api.post('/v2/space/tag', { name: 'gold' }), 400, /already exists/)
    assertError(await api.post('/v2/space/tag', { name: 'Star', emoji: '⭐' }), 400, /no emoji/)
    const updated = assertShape(
      docs.spaceTag,
      await api.put('/v2/space/tag', { currentName: 'GOLD', name: 'Platinum' }),
    )
    assert.deepEqual(updated, { id: created.id, name: 'Platinum', colorCode: '#ffd700' })
    assertError(
      await api.put('/v2/space/tag', { currentName: 'Nope', name: 'X' }),
      404,
      /Tag "Nope" not found/,
    )
    assert.deepEqual(assertShape(docs.tagDeleted, await api.delete('/v2/space/tag', { name: 'platinum' })), {
      code: 200,
      message: 'Tag deleted successfully!',
    })
    assertError(await api.delete('/v2/space/tag', { name: 'platinum' }), 404, /not found/)
  })
})
