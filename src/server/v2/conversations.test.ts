import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiV2Client, assertError, assertShape, ident } from '../test/api-v2'
import type { TestClient } from '../test/client'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import * as docs from './fixtures/respondio-v2-docs'

/** Contract tests: conversations and comments (developers.respond.io updateconversationstatus, updateassignee, createcomment). */
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let api: TestClient
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  api = (await apiV2Client(server, owner.client, owner.workspaceId)).client
  await owner.client.post(`${ws}/closing-categories`, { name: 'Spam', description: 'Not a real customer' })
  await owner.client.post(`${ws}/closing-categories`, { name: 'Resolved' })
})
after(() => server.close())

async function conversations(contactId: number) {
  const { rows } = await server.ctx.database.query<{
    status: string
    opened_source: string
    closed_source: string | null
    closing_category_id: number | null
    closing_summary: string | null
  }>(
    'SELECT status, opened_source, closed_source, closing_category_id, closing_summary FROM conversations WHERE workspace_id = $1 AND contact_id = $2 ORDER BY id',
    [owner.workspaceId, contactId],
  )
  return rows
}
const eventCount = async (contactId: number) =>
  (
    await server.ctx.database.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM events WHERE workspace_id = $1 AND contact_id = $2',
      [owner.workspaceId, contactId],
    )
  ).rows[0]!.n
const status = (identifier: string, body: unknown) =>
  api.post(`/v2/contact/${ident(identifier)}/conversation/status`, body)

describe('open and close (updateconversationstatus)', () => {
  test('open, then close with a closing note category (by name) and summary', async () => {
    const c = await buildContact(server, owner.workspaceId, {
      firstName: 'Open me',
      email: 'open@example.com',
    })
    assert.deepEqual(
      assertShape(docs.contactAction, await status('email:open@example.com', { status: 'open' })),
      {
        contactId: c.id,
      },
    )
    assert.equal((await api.get(`/v2/contact/id:${c.id}`)).body.status, 'open')
    const closing = { status: 'close', category: 'spam', summary: 'This contact is a bot' }
    assert.ok(docs.conversationStatusBody.safeParse(closing).success)
    assert.deepEqual(assertShape(docs.contactAction, await status(`id:${c.id}`, closing)), {
      contactId: c.id,
    })
    const [conv] = await conversations(c.id)
    const spam = (await owner.client.get(`${ws}/closing-categories`)).body.find((x: any) => x.name === 'Spam')
    assert.deepEqual(conv, {
      status: 'closed',
      opened_source: 'api',
      closed_source: 'api',
      closing_category_id: spam.id,
      closing_summary: 'This contact is a bot',
    })
    assert.equal((await api.get(`/v2/contact/id:${c.id}`)).body.status, 'closed')
  })

  test('closing a closed conversation, opening an open one: 400, nothing changes', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Twice' })
    assertError(await status(`id:${c.id}`, { status: 'close' }), 400, /no open conversation to close/)
    await status(`id:${c.id}`, { status: 'open' })
    const events = await eventCount(c.id)
    assertError(await status(`id:${c.id}`, { status: 'open' }), 400, /already has an open conversation/)
    await status(`id:${c.id}`, { status: 'close' })
    const closed = await eventCount(c.id)
    assert.equal(closed, events + 1)
    assertError(
      await status(`id:${c.id}`, { status: 'close', category: 'Resolved' }),
      400,
      /no open conversation to close/,
    )
    assert.equal(await eventCount(c.id), closed)
    assert.equal((await conversations(c.id)).length, 1)
  })

  test('closing notes: unknown category, closingNoteId, summary without category, the workspace mode', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Notes' })
    await status(`id:${c.id}`, { status: 'open' })
    assertError(
      await status(`id:${c.id}`, { status: 'close', category: 'Nope' }),
      400,
      /Unknown closing note category "Nope"; the categories are: Spam, Resolved/,
    )
    assertError(
      await status(`id:${c.id}`, { status: 'close', closingNoteId: 999999 }),
      400,
      /Unknown conversation category/,
    )
    assertError(await status(`id:${c.id}`, { status: 'close', summary: 'x'.repeat(513) }), 400, /summary/)
    assertError(await status(`id:${c.id}`, { status: 'closed' }), 400, /Validation error: body\.status/)
    // respond.io: the summary "is only used if the category is specified".
    await status(`id:${c.id}`, { status: 'close', summary: 'dropped' })
    assert.equal((await conversations(c.id))[0]!.closing_summary, null)

    await owner.client.patch(ws, { closingNotesMode: 'category_required' })
    try {
      await status(`id:${c.id}`, { status: 'open' })
      assertError(await status(`id:${c.id}`, { status: 'close' }), 400, /category is required/)
      const resolved = (await owner.client.get(`${ws}/closing-categories`)).body.find(
        (x: any) => x.name === 'Resolved',
      )
      assertShape(
        docs.contactAction,
        await status(`id:${c.id}`, { status: 'close', closingNoteId: resolved.id }),
      )
    } finally {
      await owner.client.patch(ws, { closingNotesMode: 'optional' })
    }
    assertError(await status('id:999999', { status: 'open' }), 404, /^Contact not found$/)
  })

  test('a blocked contact can be neither opened nor closed (rule 12)', async () => {
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Blocked', blockedAt: new Date() })
    assertError(await status(`id:${c.id}`, { status: 'open' }), 400, /blocked/)
    assert.equal((await api.get(`/v2/contact/id:${c.id}`)).body.status, 'blocked')
  })
})

describe('assign and unassign (updateassignee)', () => {
  test('by user id, numeric string and email; null, "" and "null" unassign; the contact shows the assignee', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent', {
      name: 'Omar Al Saleh',
      email: 'omar@acme.test',
    })
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Assign me' })
    const assign = (assignee: unknown) =>
      api.post(`/v2/contact/id:${c.id}/conversation/assignee`, { assignee })
    const assignee = async () => (await api.get(`/v2/contact/id:${c.id}`)).body.assignee

    assert.deepEqual(assertShape(docs.contactAction, await assign(agent.userId)), { contactId: c.id })
    assert.deepEqual(await assignee(), {
      id: agent.userId,
      firstName: 'Omar',
      lastName: 'Al Saleh',
      email: 'omar@acme.test',
    })
    await assign(null)
    assert.equal(await assignee(), null)
    await assign('OMAR@acme.test')
    assert.equal((await assignee()).id, agent.userId)
    await assign('')
    assert.equal(await assignee(), null)
    await assign(String(owner.userId))
    assert.equal((await assignee()).id, owner.userId)

    assertError(
      await assign('nobody@acme.test'),
      400,
      /No member of this workspace has the email nobody@acme\.test/,
    )
    assertError(await assign(999999), 400, /not a member of this workspace/)
    assertError(await assign(true), 400, /Validation error/)
    assert.equal((await assignee()).id, owner.userId)
    // respond.io's MCP server (API_REFERENCE.md) unassigns with the string "null".
    assert.deepEqual(assertShape(docs.contactAction, await assign('null')), { contactId: c.id })
    assert.equal(await assignee(), null)
  })
})

describe('comments (createcomment)', () => {
  test('a comment with a {{@user.ID}} mention notifies that user; the answer has contactId, text, created_at', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const c = await buildContact(server, owner.workspaceId, { firstName: 'Commented' })
    const text = `Please look into this contact {{@user.${agent.userId}}}`
    const res = await api.post(`/v2/contact/id:${c.id}/comment`, { text })
    const body = assertShape(docs.commentCreated, res)
    assert.equal(body.contactId, c.id)
    assert.equal(body.text, text)
    assert.ok(Math.abs(body.created_at - Date.now() / 1000) < 60)
    const notes = await agent.client.get(`${ws}/notifications`)
    assert.equal(notes.body.notifications[0].kind, 'mention')
    assert.equal(notes.body.notifications[0].contact.id, c.id)
    assert.deepEqual(notes.body.notifications[0].actor.kind, 'api')

    assertError(
      await api.post(`/v2/contact/id:${c.id}/comment`, { text: 'x'.repeat(1001) }),
      400,
      /Comment length must not be greater than 1000 characters/,
    )
    assertError(
      await api.post(`/v2/contact/id:${c.id}/comment`, { text: '   ' }),
      400,
      /1 to 1000 characters/,
    )
    assertError(await api.post('/v2/contact/id:999999/comment', { text: 'Hi' }), 404, /Contact not found/)
  })
})
