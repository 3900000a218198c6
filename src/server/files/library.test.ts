import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'drizzle-orm'
import { connectCustomChannel, inbound } from '../test/custom-channel'
import { buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { findFileForMessage } from './files.repo'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let ws: string

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
})
after(() => server.close())

async function put(client: typeof owner.client, name: string, body: string, type: string, library = true) {
  return client.request(
    'POST',
    `${ws}/files?name=${encodeURIComponent(name)}${library ? '&library=true' : ''}`,
    body,
    { 'content-type': type },
  )
}

const storageKey = async (id: number) =>
  (
    await server.ctx.database.query<{ storage_key: string }>(
      'SELECT storage_key FROM files WHERE workspace_id = $1 AND id = $2',
      [owner.workspaceId, id],
    )
  ).rows[0]?.storage_key

describe('Files library (Settings → Files, rule 104 row 15)', () => {
  test('lists library uploads newest first in keyset pages, not composer attachments; filters by name and type', async () => {
    const logo = await put(owner.client, 'شعار.png', 'png-bytes', 'image/png')
    assert.equal(logo.status, 201, logo.text)
    const menu = await put(owner.client, 'Menu 2026.pdf', '%PDF-1.4', 'application/pdf')
    const clip = await put(owner.client, 'intro_100%.mp4', 'mp4', 'video/mp4')
    const attachment = await put(owner.client, 'Menu copy.pdf', '%PDF', 'application/pdf', false)
    assert.equal(attachment.status, 201)

    const all = await owner.client.get(`${ws}/library/files`)
    assert.equal(all.status, 200, all.text)
    assert.deepEqual(
      all.body.files.map((f: any) => f.fileName),
      ['intro_100%.mp4', 'Menu 2026.pdf', 'شعار.png'],
      'newest first; the composer attachment is not in the library',
    )
    const first = all.body.files[2]
    assert.equal(first.id, logo.body.id)
    assert.equal(first.size, 'png-bytes'.length)
    assert.equal(first.mimeType, 'image/png')
    assert.deepEqual(first.uploadedBy, { id: owner.userId, name: first.uploadedBy.name })
    assert.ok(first.uploadedBy.name.length > 0)
    // The copied link works without a session and is valid for 7 days.
    const link = new URL(first.link)
    const fetched = await server.app.inject({ method: 'GET', url: link.pathname + link.search })
    assert.equal(fetched.statusCode, 200)
    assert.equal(fetched.body, 'png-bytes')
    const days = (Date.parse(first.linkExpiresAt) - Date.now()) / 86_400_000
    assert.ok(days > 6.9 && days <= 7, String(days))

    const page1 = await owner.client.get(`${ws}/library/files?limit=2`)
    assert.equal(page1.body.files.length, 2)
    assert.ok(page1.body.nextCursor)
    const page2 = await owner.client.get(`${ws}/library/files?limit=2&cursor=${page1.body.nextCursor}`)
    assert.deepEqual(
      page2.body.files.map((f: any) => f.id),
      [logo.body.id],
    )
    assert.equal(page2.body.nextCursor, null)
    assert.equal((await owner.client.get(`${ws}/library/files?cursor=nonsense`)).status, 400)

    const byName = await owner.client.get(`${ws}/library/files?q=${encodeURIComponent('menu')}`)
    assert.deepEqual(
      byName.body.files.map((f: any) => f.id),
      [menu.body.id],
      'case-insensitive; attachments never match',
    )
    const arabic = await owner.client.get(`${ws}/library/files?q=${encodeURIComponent('شعار')}`)
    assert.deepEqual(
      arabic.body.files.map((f: any) => f.id),
      [logo.body.id],
    )
    const percent = await owner.client.get(`${ws}/library/files?q=${encodeURIComponent('%')}`)
    assert.deepEqual(
      percent.body.files.map((f: any) => f.id),
      [clip.body.id],
      'LIKE wildcards are literal',
    )
    const images = await owner.client.get(`${ws}/library/files?type=image`)
    assert.deepEqual(
      images.body.files.map((f: any) => f.id),
      [logo.body.id],
    )
    const docs = await owner.client.get(`${ws}/library/files?type=document`)
    assert.deepEqual(
      docs.body.files.map((f: any) => f.id),
      [menu.body.id],
    )
    assert.equal((await owner.client.get(`${ws}/library/files?type=spreadsheet`)).status, 400)
  })

  test('rename: trimmed, validated, library files only', async () => {
    const doc = await put(owner.client, 'draft.txt', 'hello', 'text/plain')
    const renamed = await owner.client.patch(`${ws}/library/files/${doc.body.id}`, {
      fileName: '  Price list.txt ',
    })
    assert.equal(renamed.status, 200, renamed.text)
    assert.equal(renamed.body.fileName, 'Price list.txt')
    const download = await owner.client.get(`${ws}/files/${doc.body.id}`)
    assert.match(String(download.headers['content-disposition']), /Price%20list\.txt/)
    for (const fileName of ['', '   ', 'a/b.txt', 'x'.repeat(256)]) {
      const bad = await owner.client.patch(`${ws}/library/files/${doc.body.id}`, { fileName })
      assert.equal(bad.status, 400, fileName)
      assert.equal(bad.body.error.fields[0].path, 'body.fileName')
    }
    const attachment = await put(owner.client, 'a.txt', 'a', 'text/plain', false)
    assert.equal(
      (await owner.client.patch(`${ws}/library/files/${attachment.body.id}`, { fileName: 'b.txt' })).status,
      404,
      'a composer attachment is not a library file',
    )
  })

  test('delete: an unused file leaves storage; a file messages sent stays stored for them', async () => {
    const unused = await put(owner.client, 'old.txt', 'old', 'text/plain')
    const key = await storageKey(unused.body.id)
    assert.ok(key)
    assert.equal((await server.ctx.storage.read(key!)).toString(), 'old')
    const gone = await owner.client.delete(`${ws}/library/files/${unused.body.id}`)
    assert.equal(gone.status, 200, gone.text)
    assert.deepEqual(gone.body, { outcome: 'deleted', messages: 0 })
    assert.equal(await storageKey(unused.body.id), undefined)
    await assert.rejects(server.ctx.storage.read(key!), /ENOENT/)
    assert.equal((await owner.client.get(`${ws}/files/${unused.body.id}`)).status, 404)
    assert.equal((await owner.client.delete(`${ws}/library/files/${unused.body.id}`)).status, 404)

    // A media message that sent a library file, and an email that attached another.
    const channel = await connectCustomChannel(owner.client, owner.workspaceId, 'http://127.0.0.1:9/message')
    assert.equal((await inbound(server, channel, { from: '+966501234567', text: 'مرحبا' })).status, 200)
    const { rows } = await server.ctx.database.query<{ contact_id: number; id: number }>(
      'SELECT contact_id, id FROM messages WHERE workspace_id = $1',
      [owner.workspaceId],
    )
    const contactId = rows[0]!.contact_id
    const brochure = await put(owner.client, 'brochure.pdf', '%PDF brochure', 'application/pdf')
    const sent = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'file', fileId: brochure.body.id, fileName: 'brochure.pdf' },
    })
    assert.equal(sent.status, 201, sent.text)
    const terms = await put(owner.client, 'terms.pdf', '%PDF terms', 'application/pdf')
    await server.ctx.database.query(
      `UPDATE messages SET content = jsonb_build_object('email', jsonb_build_object('subject', 'Hi', 'fileIds', jsonb_build_array(7777, $3::int)))
       WHERE workspace_id = $1 AND id = $2`,
      [owner.workspaceId, rows[0]!.id, terms.body.id],
    )
    for (const f of [brochure, terms]) {
      const res = await owner.client.delete(`${ws}/library/files/${f.body.id}`)
      assert.deepEqual(res.body, { outcome: 'unlisted', messages: 1 }, f.body.fileName)
      const listed = await owner.client.get(`${ws}/library/files`)
      assert.ok(!listed.body.files.some((x: any) => x.id === f.body.id), 'no longer in the library')
      const still = await owner.client.get(`${ws}/files/${f.body.id}`)
      assert.equal(still.status, 200, 'the message can still show it')
      assert.equal(
        (await owner.client.delete(`${ws}/library/files/${f.body.id}`)).status,
        404,
        'and it cannot be deleted again through the library',
      )
    }
  })

  test('a delete waits for a message being written with the file, then keeps the file for it', async () => {
    const race = await put(owner.client, 'race.pdf', '%PDF race', 'application/pdf')
    assert.equal(race.status, 201)
    let deleting: Promise<{ status: number; body: any }> | undefined
    await server.ctx.db.transaction(async (tx) => {
      // What sending a media message does: the file, locked until the message is committed.
      assert.ok(await findFileForMessage(tx, owner.workspaceId, race.body.id))
      deleting = owner.client.delete(`${ws}/library/files/${race.body.id}`)
      await new Promise((r) => setTimeout(r, 300))
      await tx.execute(
        sql`UPDATE messages SET content = jsonb_build_object('media', jsonb_build_object('fileId', ${race.body.id}::bigint))
            WHERE workspace_id = ${owner.workspaceId} AND id = (SELECT min(id) FROM messages WHERE workspace_id = ${owner.workspaceId})`,
      )
    })
    const res = await deleting!
    assert.equal(res.status, 200)
    assert.deepEqual(res.body, { outcome: 'unlisted', messages: 1 })
    assert.equal((await owner.client.get(`${ws}/files/${race.body.id}`)).status, 200)
  })

  test('owners and managers manage the library; restricted managers and agents get 403; other workspaces 404', async () => {
    const manager = await buildUser(server, owner.workspaceId, 'manager')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const mine = await put(manager.client, 'manager.txt', 'm', 'text/plain')
    assert.equal(mine.status, 201)
    assert.equal((await manager.client.get(`${ws}/library/files`)).status, 200)
    for (const who of [restricted, agent]) {
      assert.equal((await who.client.get(`${ws}/library/files`)).status, 403)
      const upload = await put(who.client, 'x.txt', 'x', 'text/plain')
      assert.equal(upload.status, 403)
      assert.equal(
        (await who.client.patch(`${ws}/library/files/${mine.body.id}`, { fileName: 'y.txt' })).status,
        403,
      )
      assert.equal((await who.client.delete(`${ws}/library/files/${mine.body.id}`)).status, 403)
      // Attaching a file in the composer stays open to everyone in the Inbox.
      assert.equal((await put(who.client, 'reply.txt', 'r', 'text/plain', false)).status, 201)
    }
    // The composer's "From library" list is for everyone who replies, names and types only.
    const choices = await agent.client.get(`${ws}/library/files/choices?q=manager`)
    assert.equal(choices.status, 200, choices.text)
    assert.deepEqual(
      choices.body.map((f: any) => [f.id, f.fileName, f.mimeType]),
      [[mine.body.id, 'manager.txt', 'text/plain']],
    )
    assert.equal(choices.body[0].link, undefined, 'no shareable link for agents')
    const all = await agent.client.get(`${ws}/library/files/choices?limit=50`)
    assert.ok(all.body.length > 1)
    assert.ok(!all.body.some((f: any) => f.fileName === 'reply.txt'), 'composer attachments are not offered')
    const other = await buildWorkspace(server)
    const theirs = await other.owner.client.request(
      'POST',
      `/api/v1/workspaces/${other.workspaceId}/files?name=t.txt&library=true`,
      't',
      { 'content-type': 'text/plain' },
    )
    assert.equal(theirs.status, 201)
    assert.equal(
      (await owner.client.get(`/api/v1/workspaces/${other.workspaceId}/library/files`)).status,
      404,
    )
    assert.equal((await owner.client.delete(`${ws}/library/files/${theirs.body.id}`)).status, 404)
    assert.equal(
      (await owner.client.patch(`${ws}/library/files/${theirs.body.id}`, { fileName: 'mine.txt' })).status,
      404,
    )
  })
})
