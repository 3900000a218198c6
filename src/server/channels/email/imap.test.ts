import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startImapServer } from '../../../simulators/email/imap.server'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import { startSmtpSink } from '../../test/smtp-sink'
import { findChannel } from '../channels.repo'
import { sendContextFor, toRef } from '../channels.service'
import { emailChannel } from './email.channel'
import { findMailbox } from './email.repo'
import { IMAP_TICK_QUEUE, ingestFetched, pollImap } from './imap.poll'

let server: TestServer
let imap: Awaited<ReturnType<typeof startImapServer>>
let owner: Awaited<ReturnType<typeof setupOwner>>
let channelId: number
let n = 0

const email = (from: string, subject: string, body: string, id = `<imap-${++n}@mail.example>`) =>
  [
    `From: ${from}`,
    'To: help@acme.test',
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${id}`,
    'Date: Sat, 21 Nov 2026 10:00:00 +0300',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(body).toString('base64'),
    '',
  ].join('\r\n')

before(async () => {
  server = await startTestServer()
  owner = await setupOwner(server)
  imap = await startImapServer({ user: 'help@acme.test', pass: 'imap-secret' })
  const res = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/channels`, {
    type: 'email',
    name: 'Help mailbox (IMAP)',
    config: {
      address: 'help@acme.test',
      inbound: 'imap',
      smtp: { host: '127.0.0.1', port: 2525 },
      imap: { host: '127.0.0.1', port: imap.port, secure: false, user: 'help@acme.test', pollSeconds: 60 },
    },
    secrets: { imapPassword: 'imap-secret' },
  })
  assert.equal(res.status, 201, res.text)
  channelId = res.body.id
})
after(async () => {
  await server?.close()
  await imap?.close()
})

const row = async () => (await findChannel(server.ctx.db, owner.workspaceId, channelId))!
async function stored() {
  const { rows } = await server.ctx.database.query<{ text: string; subject: string; pid: string }>(
    `SELECT text, content->'email'->>'subject' AS subject, provider_message_id AS pid FROM messages
     WHERE workspace_id = $1 AND channel_id = $2 ORDER BY id`,
    [owner.workspaceId, channelId],
  )
  return rows
}

test('IMAP polling: starts at the end of the mailbox, takes in new mail by UID once, survives a UIDVALIDITY change', async () => {
  imap.deliver(email('old@mail.example', 'old', 'history that is not imported'))
  const first = await pollImap(server.ctx, await row())
  assert.equal(first.stored, 0, 'the first poll only marks where the mailbox ends')
  assert.equal((await findMailbox(server.ctx.db, owner.workspaceId, channelId))?.lastUid, 1)

  imap.deliver(email('Layla <layla@mail.example>', 'طلب جديد', 'أريد إرجاع المنتج'))
  imap.deliver(email('omar@mail.example', 'Invoice', 'Where is my invoice?'))
  const second = await pollImap(server.ctx, await row())
  assert.deepEqual([second.stored, second.duplicates], [2, 0])
  assert.deepEqual(
    (await stored()).map((r) => [r.subject, r.text]),
    [
      ['طلب جديد', 'أريد إرجاع المنتج'],
      ['Invoice', 'Where is my invoice?'],
    ],
  )
  assert.ok(
    imap.state.commands.some((c) => /^UID FETCH 2:\*/.test(c)),
    imap.state.commands.join('\n'),
  )
  assert.ok(
    imap.state.commands.some((c) => /^EXAMINE/i.test(c)),
    'the mailbox is opened read-only',
  )
  // Nothing new: no FETCH at all (UIDNEXT says so).
  const before = imap.state.commands.length
  const third = await pollImap(server.ctx, await row())
  assert.deepEqual([third.stored, third.duplicates], [0, 0])
  assert.ok(!imap.state.commands.slice(before).some((c) => c.startsWith('UID FETCH')))

  // The server renumbers its UIDs: everything is read again and recognised by Message-ID.
  imap.renumber()
  imap.deliver(email('new@mail.example', 'after', 'after renumbering'))
  const fourth = await pollImap(server.ctx, await row())
  assert.deepEqual([fourth.stored, fourth.duplicates], [2, 2], 'old + new stored once, the two known skipped')
  assert.equal((await stored()).length, 4)

  // "n:*" always returns the highest UID even below n (RFC 3501 6.4.8): it is not taken again.
  const box = (await findMailbox(server.ctx.db, owner.workspaceId, channelId))!
  const again = await ingestFetched(
    server.ctx,
    await row(),
    { name: 'INBOX', uidValidity: box.uidValidity!, lastUid: box.lastUid },
    [{ uid: box.lastUid, source: imap.state.messages.at(-1)!.raw }],
  )
  assert.deepEqual([again.stored, again.duplicates, again.lastUid], [0, 0, box.lastUid])
})

test('a wrong password is recorded on the mailbox and the poll fails', async () => {
  await server.ctx.database.query(
    `UPDATE channels SET config = jsonb_set(config, '{imap,user}', '"someone@acme.test"') WHERE workspace_id = $1 AND id = $2`,
    [owner.workspaceId, channelId],
  )
  await assert.rejects(pollImap(server.ctx, await row()))
  const box = await findMailbox(server.ctx.db, owner.workspaceId, channelId)
  assert.match(box?.lastError ?? '', /./)
  await server.ctx.database.query(
    `UPDATE channels SET config = jsonb_set(config, '{imap,user}', '"help@acme.test"') WHERE workspace_id = $1 AND id = $2`,
    [owner.workspaceId, channelId],
  )
})

test('the per-minute tick polls due mailboxes through the job queue', async () => {
  server.clock.advance(120_000)
  imap.deliver(email('tick@mail.example', 'via the tick', 'polled by the job'))
  await server.ctx.jobs.enqueue(null, IMAP_TICK_QUEUE, {})
  await waitFor(async () => (await stored()).some((r) => r.text === 'polled by the job'), 15_000, 'tick poll')
})

test('verifyCredentials checks SMTP and, when configured, the IMAP login', async () => {
  const sink = await startSmtpSink()
  try {
    const channelRow = await row()
    const { ref } = toRef(server.ctx, channelRow)
    const ok = {
      ...ref,
      config: {
        ...ref.config,
        smtp: { host: '127.0.0.1', port: Number(new URL(sink.url).port), secure: false },
      },
    }
    const sc = sendContextFor(server.ctx, channelRow)
    assert.deepEqual(await emailChannel.verifyCredentials!(sc, ok as any), { ok: true })
    const badImap = { ...ok, secrets: { imapPassword: 'wrong' } }
    await assert.rejects(
      emailChannel.verifyCredentials!(sc, badImap as any),
      (err: any) => err.code === 'imap_verify_failed',
    )
    const noSmtp = { ...ok, config: { ...ok.config, smtp: { host: '127.0.0.1', port: 1, secure: false } } }
    await assert.rejects(
      emailChannel.verifyCredentials!(sc, noSmtp as any),
      (err: any) => err.code === 'smtp_verify_failed',
    )
  } finally {
    await sink.close()
  }
})
