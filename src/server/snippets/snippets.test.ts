import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
})
after(() => server.close())

describe('snippets', () => {
  test('create, find by shortcut prefix, edit, delete; shortcuts are unique ignoring case', async () => {
    const hello = await owner.client.post(`${ws}/snippets`, {
      shortcut: 'hello',
      body: 'Hello! How can we help?',
    })
    assert.equal(hello.status, 201, hello.text)
    assert.equal(hello.body.createdByUserId, owner.userId)
    await owner.client.post(`${ws}/snippets`, { shortcut: 'help_hours', body: 'We are open 9–5.' })
    await owner.client.post(`${ws}/snippets`, { shortcut: 'شكرا', body: 'شكراً لتواصلك معنا' })
    const dup = await owner.client.post(`${ws}/snippets`, { shortcut: 'HELLO', body: 'x' })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error.fields[0].path, 'shortcut')
    assert.deepEqual(
      (await owner.client.get(`${ws}/snippets?q=HEL`)).body.map((s: any) => s.shortcut),
      ['hello', 'help_hours'],
    )
    assert.deepEqual(
      (await owner.client.get(`${ws}/snippets?q=${encodeURIComponent('شك')}`)).body.map((s: any) => s.body),
      ['شكراً لتواصلك معنا'],
    )
    assert.deepEqual((await owner.client.get(`${ws}/snippets?q=%25`)).body, [], 'LIKE wildcards are literal')
    const edited = await owner.client.patch(`${ws}/snippets/${hello.body.id}`, { body: 'Hi there!' })
    assert.equal(edited.body.body, 'Hi there!')
    assert.equal(
      (await owner.client.patch(`${ws}/snippets/${hello.body.id}`, { shortcut: 'Help_Hours' })).status,
      409,
    )
    const badShortcut = await owner.client.post(`${ws}/snippets`, { shortcut: 'two words', body: 'x' })
    assert.equal(badShortcut.status, 400)
    assert.equal(badShortcut.body.error.fields[0].path, 'body.shortcut')
    assert.equal((await owner.client.post(`${ws}/snippets`, { shortcut: 'empty', body: ' ' })).status, 400)
    assert.equal((await owner.client.delete(`${ws}/snippets/${hello.body.id}`)).status, 200)
    assert.equal((await owner.client.delete(`${ws}/snippets/${hello.body.id}`)).status, 404)
  })

  test('agents use snippets but cannot manage them; other workspaces are 404', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    assert.equal((await agent.client.get(`${ws}/snippets`)).status, 200)
    assert.equal((await agent.client.post(`${ws}/snippets`, { shortcut: 'a', body: 'a' })).status, 403)
    assert.equal((await restricted.client.post(`${ws}/snippets`, { shortcut: 'b', body: 'b' })).status, 403)
    const other = await buildWorkspace(server)
    const theirs = await other.owner.client.post(`/api/v1/workspaces/${other.workspaceId}/snippets`, {
      shortcut: 'x',
      body: 'x',
    })
    assert.equal((await owner.client.patch(`${ws}/snippets/${theirs.body.id}`, { body: 'mine' })).status, 404)
    assert.equal((await owner.client.delete(`${ws}/snippets/${theirs.body.id}`)).status, 404)
  })
})
