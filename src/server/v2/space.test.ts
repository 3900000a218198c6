import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CHANNELS } from '../channels/registry'
import { upsertTemplate } from '../messages/templates.repo'
import { apiV2Client, assertError, assertShape } from '../test/api-v2'
import type { TestClient } from '../test/client'
import { connectCustomChannel } from '../test/custom-channel'
import { buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { sourceOf } from './channels.presenter'
import * as docs from './fixtures/respondio-v2-docs'

/** Contract tests: workspace ("space") endpoints — users, custom fields, closing notes, channels, templates. */
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let api: TestClient
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  api = (await apiV2Client(server, owner.client, owner.workspaceId)).client
})
after(() => server.close())

const pathOf = (url: string) => {
  const u = new URL(url)
  return `${u.pathname}${u.search}`
}

describe('users (developers.respond.io listspaces, getuser)', () => {
  test('list pages by cursorId; names split; role, team and restrictions in respond.io’s constants', async () => {
    const team = (await owner.client.post(`${ws}/teams`, { name: 'Customer Support' })).body
    const agent = await buildUser(server, owner.workspaceId, 'agent', {
      name: 'Zaid Bin Harith',
      teamId: team.id,
      restrictions: { contactVisibility: 'own', hideShortcuts: true },
    })
    const manager = await buildUser(server, owner.workspaceId, 'manager', {
      name: 'Mona',
      restrictions: { restrictExport: true, restrictContactDelete: true },
    })
    const all = assertShape(docs.spaceUserList, await api.get('/v2/space/user?limit=100'))
    assert.equal(all.items.length, 3)
    assert.deepEqual(
      all.items.find((u) => u.id === agent.userId),
      {
        id: agent.userId,
        firstName: 'Zaid',
        lastName: 'Bin Harith',
        email: agent.email,
        role: 'agent',
        team: { id: team.id, name: 'Customer Support' },
        restrictions: ['show_only_mine', 'restrict_shortcuts'],
      },
    )
    const mona = assertShape(docs.spaceUser, await api.get(`/v2/space/user/${manager.userId}`))
    assert.deepEqual(
      [mona.firstName, mona.lastName, mona.team, mona.restrictions],
      ['Mona', '', null, ['restrict_data_export', 'restrict_contact_deletion']],
    )

    const first = assertShape(docs.spaceUserList, await api.get('/v2/space/user?limit=2'))
    assert.equal(first.items.length, 2)
    assert.equal(first.pagination.previous, '')
    const second = assertShape(docs.spaceUserList, await api.get(pathOf(first.pagination.next)))
    assert.equal(second.items.length, 1)
    assert.equal(second.pagination.next, '')
    assert.deepEqual(
      [...first.items, ...second.items].map((u) => u.id),
      all.items.map((u) => u.id),
    )
    const back = assertShape(docs.spaceUserList, await api.get(pathOf(second.pagination.previous)))
    assert.deepEqual(back.items, first.items)

    assertError(await api.get('/v2/space/user/999999'), 404, /^User not found$/)
    assertError(await api.get('/v2/space/user/abc'), 400, /id/)
    assertError(await api.get('/v2/space/user?cursorId=999999'), 400, /cursorId 999999 is not in this list/)
    assertError(await api.get('/v2/space/user?limit=0'), 400, /limit/)
  })
})

describe('custom fields (listcontactfields, getcontactfield, createcustomfield)', () => {
  test('create with and without a slug, list, get', async () => {
    const notes = assertShape(
      docs.customField,
      await api.post('/v2/space/custom_field', {
        name: 'notes',
        description: 'The internal notes about this customer',
        dataType: 'text',
      }),
    )
    assert.deepEqual(
      { ...notes, id: 0 },
      {
        id: 0,
        name: 'notes',
        description: 'The internal notes about this customer',
        dataType: 'text',
      },
    )
    const body = {
      name: 'Fruits',
      slug: 'Fruit_Kind',
      description: 'The type of fruits we have',
      dataType: 'list',
      allowedValues: ['Apple', 'Banana', 'Mango'],
    }
    assert.ok(docs.createCustomFieldBody.safeParse(body).success)
    const fruits = assertShape(docs.customField, await api.post('/v2/space/custom_field', body))
    assert.deepEqual(fruits.allowedValues, ['Apple', 'Banana', 'Mango'])
    const fields = (await owner.client.get(`${ws}/contact-fields`)).body
    assert.deepEqual(
      fields.map((f: any) => f.key),
      ['notes', 'fruit_kind'],
    )

    const list = assertShape(docs.customFieldList, await api.get('/v2/space/custom_field'))
    assert.deepEqual(
      list.items.map((f) => f.name),
      ['notes', 'Fruits'],
    )
    assert.deepEqual(
      assertShape(docs.customField, await api.get(`/v2/space/custom_field/${fruits.id}`)),
      fruits,
    )

    assertError(
      await api.post('/v2/space/custom_field', { name: 'Fruits', slug: 'fruit_kind', dataType: 'text' }),
      400,
      /already exists/,
    )
    assertError(
      await api.post('/v2/space/custom_field', { name: 'X', dataType: 'list' }),
      400,
      /at least one option/,
    )
    assertError(await api.post('/v2/space/custom_field', { name: 'Y', dataType: 'colour' }), 400, /dataType/)
    assertError(
      await api.post('/v2/space/custom_field', { name: 'Z', slug: 'bad slug', dataType: 'text' }),
      400,
      /slug/,
    )
    assertError(
      await api.post('/v2/space/custom_field', { name: 'Phone', dataType: 'text' }),
      400,
      /standard contact field/,
    )
    assertError(await api.get('/v2/space/custom_field/999999'), 404, /^Custom field not found$/)
  })
})

describe('closing notes, channels and templates', () => {
  test('closing notes are sorted by category', async () => {
    for (const name of ['Spam', 'Order Issue', 'Billing']) {
      await owner.client.post(`${ws}/closing-categories`, { name, description: `${name} conversations` })
    }
    const page = assertShape(docs.closingNoteList, await api.get('/v2/space/closing_notes'))
    assert.deepEqual(page.items, [
      { category: 'Billing', description: 'Billing conversations' },
      { category: 'Order Issue', description: 'Order Issue conversations' },
      { category: 'Spam', description: 'Spam conversations' },
    ])
  })

  test('every channel type we have is reported under respond.io’s source name (website chat has none)', () => {
    // respond.io's SDK names no website-chat source: that one type keeps our name.
    const sources = new Set<string>([...docs.CHANNEL_SOURCES, 'webchat'])
    for (const { type } of CHANNELS) assert.ok(sources.has(sourceOf(type)), `${type} → ${sourceOf(type)}`)
    assert.equal(sourceOf('twilio_sms'), 'twilio')
    assert.equal(sourceOf('email'), 'other_email')
    assert.equal(sourceOf('messenger'), 'facebook')
  })

  test('channels, a channel’s templates and one template', async () => {
    const channel = await connectCustomChannel(owner.client, owner.workspaceId, 'http://127.0.0.1:9/message')
    const list = assertShape(docs.spaceChannelList, await api.get('/v2/space/channel'))
    assert.deepEqual(
      list.items.map((c) => [c.id, c.name, c.source]),
      [[channel.id, 'My SMS gateway', 'custom_channel']],
    )
    const t = await upsertTemplate(server.ctx.db, {
      workspaceId: owner.workspaceId,
      channelId: channel.id,
      name: 'conversation_follow_up',
      language: 'en',
      category: 'MARKETING',
      status: 'APPROVED',
      providerTemplateId: '1234',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Header text' },
        { type: 'BODY', text: 'Hi {{1}}' },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Open', url: 'https://x.example/{{1}}' }] },
      ],
    })
    const templates = assertShape(
      docs.templateList,
      await api.get(`/v2/space/channel/${channel.id}/template`),
    )
    assert.deepEqual(templates.items, [
      {
        id: t.id,
        name: 'conversation_follow_up',
        components: [
          { type: 'header', format: 'text', text: 'Header text' },
          { type: 'body', text: 'Hi {{1}}' },
          { type: 'buttons', buttons: [{ type: 'url', text: 'Open', url: 'https://x.example/{{1}}' }] },
        ],
        channelId: channel.id,
        botId: owner.workspaceId,
        languageCode: 'en',
        namespace: null,
        category: 'MARKETING',
        status: 'approved',
        templateId: '1234',
      },
    ])
    const one = assertShape(docs.templateEnvelope, await api.get(`/v2/space/mtm/${t.id}`))
    assert.deepEqual(one.data, templates.items[0])
    assertError(await api.get('/v2/space/channel/999999/template'), 404, /^Channel not found$/)
    assertError(await api.get('/v2/space/mtm/999999'), 404, /^Template not found$/)
  })
})
