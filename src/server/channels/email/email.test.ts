import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { send } from '../../messages/messages.service'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import { startTestServer, type TestServer } from '../../test/harness'
import { startSmtpSink } from '../../test/smtp-sink'
import { ChannelAuthError, PermanentSendError } from '../channel'
import { findChannel } from '../channels.repo'
import { sendContextFor, toRef } from '../channels.service'
import { emailChannel } from './email.channel'

const ADDRESS = 'support@acme.test'
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sink: Awaited<ReturnType<typeof startSmtpSink>>
let channelId: number
let ws: string
let seq = 0

before(async () => {
  server = await startTestServer({
    config: { smtpListen: { port: 0, host: '127.0.0.1', maxBytes: 3 * 1024 * 1024 } },
  })
  owner = await setupOwner(server)
  ws = `/api/v1/workspaces/${owner.workspaceId}`
  sink = await startSmtpSink()
  const res = await owner.client.post(`${ws}/channels`, {
    type: 'email',
    name: 'Support mailbox',
    config: {
      address: ADDRESS,
      displayName: 'Acme Support',
      smtp: { host: '127.0.0.1', port: Number(new URL(sink.url).port) },
    },
  })
  assert.equal(res.status, 201, res.text)
  channelId = res.body.id
})
after(async () => {
  await server?.close()
  await sink?.close()
})

/** A real SMTP client delivering to our listener, as a customer's mail server would. */
function customer() {
  return nodemailer.createTransport({ host: '127.0.0.1', port: server.smtp!.port, secure: false, tls: {} })
}
const nextId = () => `<cust-${process.pid}-${++seq}@mail.example>`

async function contactByEmail(email: string) {
  const { rows } = await server.ctx.database.query<{ id: number }>(
    'SELECT id FROM contacts WHERE workspace_id = $1 AND email = $2',
    [owner.workspaceId, email],
  )
  return rows[0]?.id
}
async function messagesOf(contactId: number) {
  const res = await owner.client.get(`${ws}/contacts/${contactId}/messages`)
  assert.equal(res.status, 200)
  return res.body.messages as any[]
}

describe('inbound email through the SMTP listener', () => {
  test('a first email creates the contact and opens a conversation; HTML is sanitized; Arabic subject kept', async () => {
    const from = 'layla@mail.example'
    const messageId = nextId()
    await customer().sendMail({
      from: { name: 'ليلى حسن', address: from },
      to: ADDRESS,
      subject: 'طلب رقم ٥٥ — استفسار',
      messageId,
      text: 'مرحبا، أين طلبي؟',
      html: '<p onclick="steal()">مرحبا، <b>أين طلبي؟</b></p><script>alert(document.cookie)</script><style>p{}</style><img src="https://tracker.example/open.gif" alt="logo"><iframe src="https://evil.example"></iframe>',
    })
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    const conv = await owner.client.get(`${ws}/contacts/${contactId}/conversation`)
    assert.equal(conv.body.conversation.status, 'open')
    assert.equal(conv.body.conversation.openedSource, 'contact')
    assert.equal(conv.body.contact.displayName, 'ليلى حسن')
    const [m] = await messagesOf(contactId)
    assert.equal(m.type, 'email')
    assert.equal(m.direction, 'in')
    assert.equal(m.text, 'مرحبا، أين طلبي؟')
    assert.equal(m.content.email.subject, 'طلب رقم ٥٥ — استفسار')
    assert.equal(m.content.email.messageId, messageId)
    assert.equal(m.content.email.threadId, messageId)
    const html: string = m.content.email.html
    assert.match(html, /<b>أين طلبي؟<\/b>/)
    for (const bad of ['<script', 'alert(', 'onclick', '<style', '<iframe', '<img'])
      assert.ok(!html.includes(bad), `${bad} must not reach the stored html: ${html}`)
    assert.match(html, /href="https:\/\/tracker\.example\/open\.gif"[^>]*data-remote-image="1"/)
    assert.equal(m.content.email.remoteImagesBlocked, 1)
    // The raw row, not only the API: nothing unsafe is stored at all.
    const { rows } = await server.ctx.database.query<{ c: string }>(
      'SELECT content::text AS c FROM messages WHERE workspace_id = $1 AND id = $2',
      [owner.workspaceId, m.id],
    )
    assert.ok(!rows[0]!.c.includes('<script'))
  })

  test('a recipient that is not a connected mailbox is refused at RCPT TO with 550', async () => {
    await assert.rejects(
      customer().sendMail({ from: 'x@mail.example', to: 'nobody@acme.test', subject: 'hi', text: 'hi' }),
      (err: any) => err.responseCode === 550 && /no such mailbox/.test(err.response),
    )
  })

  test('a message over the size limit is refused with 552 and nothing is stored', async () => {
    const from = 'big@mail.example'
    await assert.rejects(
      customer().sendMail({
        from,
        to: ADDRESS,
        subject: 'big',
        text: 'x',
        attachments: [{ filename: 'big.bin', content: Buffer.alloc(4 * 1024 * 1024, 1) }],
      }),
      (err: any) => err.responseCode === 552,
    )
    assert.equal(await contactByEmail(from), undefined)
  })

  test('the same Message-ID delivered twice is stored once', async () => {
    const from = 'twice@mail.example'
    const mail = { from, to: ADDRESS, subject: 'Once', text: 'only once please', messageId: nextId() }
    await customer().sendMail(mail)
    await customer().sendMail(mail)
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    assert.equal((await messagesOf(contactId)).length, 1)
  })

  test('more than 5 attachments: 5 are stored as files, the others are listed on the message', async () => {
    const from = 'files@mail.example'
    await customer().sendMail({
      from,
      to: ADDRESS,
      subject: 'Seven files',
      text: 'see attached',
      messageId: nextId(),
      attachments: Array.from({ length: 7 }, (_, i) => ({
        filename: `فاتورة-${i + 1}.txt`,
        content: `invoice ${i + 1}`,
        contentType: 'text/plain',
      })),
    })
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    const [m] = await messagesOf(contactId)
    assert.equal(m.content.attachments.length, 5)
    assert.deepEqual(
      m.content.attachmentsOmitted.map((a: any) => [a.fileName, a.reason]),
      [
        ['فاتورة-6.txt', 'limit'],
        ['فاتورة-7.txt', 'limit'],
      ],
    )
    const first = m.content.attachments[0]
    const file = await owner.client.get(`${ws}/files/${first.fileId}`)
    assert.equal(file.status, 200)
    assert.equal(file.text, 'invoice 1')
    assert.equal(first.fileName, 'فاتورة-1.txt')
  })
})

describe('threading (pain point 16)', () => {
  test('a reply joins the conversation and thread; our reply carries In-Reply-To and References; their answer to it threads too', async () => {
    const from = 'omar@mail.example'
    const first = nextId()
    await customer().sendMail({
      from: { name: 'Omar', address: from },
      to: ADDRESS,
      subject: 'رد: مشكلة في الفاتورة',
      text: 'الفاتورة خاطئة',
      messageId: first,
    })
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    // A reply in the same thread, with In-Reply-To and References as mail clients send them.
    const second = nextId()
    await customer().sendMail({
      from,
      to: ADDRESS,
      subject: 'Re: رد: مشكلة في الفاتورة',
      text: 'any news?',
      messageId: second,
      inReplyTo: first,
      references: [first],
    })
    await waitFor(async () => (await messagesOf(contactId)).length === 2, 5000, 'reply stored')
    // A new email (new Message-ID, new subject) from the same contact joins the open conversation (rule 3), in its own thread.
    const other = nextId()
    await customer().sendMail({ from, to: ADDRESS, subject: 'Another topic', text: 'new', messageId: other })
    const inbound = await waitFor(async () => {
      const ms = await messagesOf(contactId)
      return ms.length === 3 && ms
    })
    const [newest, reply, original] = inbound
    assert.equal(new Set(inbound.map((m: any) => m.conversationId)).size, 1, 'one conversation per contact')
    assert.equal(reply.content.email.threadId, first)
    assert.equal(reply.replyToMessageId, original.id)
    assert.equal(newest.content.email.threadId, other)

    // The agent answers in the "invoice" thread: a blank subject becomes Re: <thread subject>.
    // Our latest message is the "Another topic" one, so reply to the invoice thread explicitly by sending after a
    // customer message in it.
    const third = nextId()
    await customer().sendMail({
      from,
      to: ADDRESS,
      subject: 'RE: مشكلة في الفاتورة',
      text: 'hello?',
      messageId: third,
      inReplyTo: second,
      references: [first, second],
    })
    await waitFor(async () => (await messagesOf(contactId)).length === 4)
    const sent = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: {
        type: 'email',
        text: 'سنصحح الفاتورة اليوم.',
        html: '<p>سنصحح <b>الفاتورة</b> اليوم.</p><script>steal()</script><img src=x onerror="steal()">',
      },
    })
    assert.equal(sent.status, 201, sent.text)
    const mail = await sink.waitFor((m) => m.text?.includes('سنصحح الفاتورة') ?? false)
    assert.equal(mail.subject, 'Re: مشكلة في الفاتورة')
    assert.equal(mail.inReplyTo, third)
    assert.deepEqual(mail.references, [first, second, third])
    assert.match(mail.messageId!, /^<tws\.\d+\.\d+\.[0-9a-f]{16}@acme\.test>$/)
    assert.equal(mail.from?.value[0]?.address, ADDRESS)
    assert.equal(mail.from?.value[0]?.name, 'Acme Support')
    assert.deepEqual(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((v) => v.address) : [], [
      'omar@mail.example',
    ])
    assert.match(String(mail.html), /<b>الفاتورة<\/b>/)
    assert.ok(!/script|onerror|steal/.test(String(mail.html)), 'agent HTML is sanitized too')
    assert.ok(!/script|onerror/.test(JSON.stringify(sent.body.content)), 'and stored sanitized')
    const stored = await waitFor(async () => {
      const r = await owner.client.get(`${ws}/messages/${sent.body.id}`)
      return r.body.status === 'sent' && r.body
    })
    assert.equal(stored.content.email.messageId, mail.messageId)
    assert.equal(stored.content.email.threadId, first)

    // The customer answers our email: found by our Message-ID, same conversation, same thread.
    await customer().sendMail({
      from,
      to: ADDRESS,
      subject: mail.subject,
      text: 'thanks!',
      messageId: nextId(),
      inReplyTo: mail.messageId,
      references: [first, second, third, mail.messageId!],
    })
    const answer = await waitFor(async () => {
      const [m] = await messagesOf(contactId)
      return m?.text === 'thanks!' && m
    })
    assert.equal(answer.replyToMessageId, sent.body.id)
    assert.equal(answer.content.email.threadId, first)
    assert.equal(answer.conversationId, stored.conversationId)
  })

  test('a reply whose client dropped the headers still threads by subject (Arabic prefix stripped)', async () => {
    const from = 'noheaders@mail.example'
    const first = nextId()
    await customer().sendMail({ from, to: ADDRESS, subject: 'تأخر الشحنة', text: 'a', messageId: first })
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    await customer().sendMail({
      from,
      to: ADDRESS,
      subject: 'رد: تأخر الشحنة',
      text: 'b',
      messageId: nextId(),
    })
    const [m] = await waitFor(async () => {
      const ms = await messagesOf(contactId)
      return ms.length === 2 && ms
    })
    assert.equal(m.content.email.threadId, first)
  })

  test("rule 69: a workflow's emails to a contact stay in one thread, blank subject allowed", async () => {
    const from = 'wf@mail.example'
    await customer().sendMail({ from, to: ADDRESS, subject: 'unrelated', text: 'hi', messageId: nextId() })
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    const wf = { kind: 'workflow' as const, workflowId: 4242 }
    const a = await send(server.ctx, owner.workspaceId, wf, {
      contactId,
      channelId,
      message: { type: 'email', subject: 'Your order has shipped', text: 'Step one' },
    })
    const mailA = await sink.waitFor((m) => m.text?.includes('Step one') ?? false)
    // A person writes in between: it continues the contact's latest thread, which is now the workflow's.
    await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'text', text: 'Agent note' },
    })
    const note = await sink.waitFor((m) => m.text?.includes('Agent note') ?? false)
    await send(server.ctx, owner.workspaceId, wf, {
      contactId,
      channelId,
      message: { type: 'email', text: 'Step two' },
    })
    const mailB = await sink.waitFor((m) => m.text?.includes('Step two') ?? false)
    assert.equal(mailA.inReplyTo, undefined, 'the workflow starts its own thread, not the unrelated one')
    assert.equal(mailA.headers.get('auto-submitted'), 'auto-generated')
    assert.equal(note.inReplyTo, mailA.messageId)
    assert.equal(note.headers.get('auto-submitted'), undefined, 'a person wrote it')
    assert.equal(mailB.inReplyTo, note.messageId, 'the latest message of the workflow thread')
    assert.deepEqual(mailB.references, [mailA.messageId, note.messageId])
    assert.equal(mailB.subject, 'Re: Your order has shipped')
    const rows = await messagesOf(contactId)
    const b = rows.find((m: any) => m.text === 'Step two')
    assert.equal(b.content.email.threadId, mailA.messageId)
    assert.ok(a.message.id < b.id)
  })
})

describe('outbound', () => {
  test('attachments from workspace files travel inside the email (up to 5)', async () => {
    const from = 'attach@mail.example'
    await customer().sendMail({
      from,
      to: ADDRESS,
      subject: 'need docs',
      text: 'please',
      messageId: nextId(),
    })
    const contactId = await waitFor(() => contactByEmail(from), 5000, 'contact')
    const up = await server.app.inject({
      method: 'POST',
      url: `${ws}/files?name=${encodeURIComponent('عقد.pdf')}`,
      headers: {
        'content-type': 'application/pdf',
        cookie: [...owner.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': owner.client.csrf!,
      },
      payload: Buffer.from('%PDF-1.4 contract'),
    })
    assert.equal(up.statusCode, 201, up.body)
    const fileId = JSON.parse(up.body).id
    const six = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'email', subject: 's', text: 't', fileIds: [1, 2, 3, 4, 5, 6] },
    })
    assert.equal(six.status, 400, 'at most 5 attachments per email (rule 69)')
    const res = await owner.client.post(`${ws}/contacts/${contactId}/messages`, {
      message: { type: 'email', subject: 'Your contract', text: 'attached', fileIds: [fileId] },
    })
    assert.equal(res.status, 201, res.text)
    const mail = await sink.waitFor((m) => m.subject === 'Your contract')
    assert.equal(mail.attachments.length, 1)
    assert.equal(mail.attachments[0]!.filename, 'عقد.pdf')
    assert.equal(mail.attachments[0]!.contentType, 'application/pdf')
    assert.equal(mail.attachments[0]!.content.toString(), '%PDF-1.4 contract')
  })

  test('SMTP 5xx is a permanent failure with the code (535 breaks the channel); 4xx and connection errors are retried', async () => {
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _s, cb) {
        if (address.address.startsWith('gone'))
          return cb(Object.assign(new Error('5.1.1 User unknown'), { responseCode: 550 }))
        cb(Object.assign(new Error('4.2.1 Mailbox busy, try later'), { responseCode: 451 }))
      },
    })
    await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r))
    const port = (refusing.server.address() as { port: number }).port
    try {
      const row = (await findChannel(server.ctx.db, owner.workspaceId, channelId))!
      const { ref } = toRef(server.ctx, row)
      const channel = { ...ref, config: { ...ref.config, smtp: { host: '127.0.0.1', port, secure: false } } }
      const message = (n: number) => ({
        id: 900_000 + n,
        contactId: 1,
        authorKind: 'user',
        authorId: 1,
        type: 'email' as const,
        text: 'hello',
        content: { email: { subject: 'x', messageId: `<t${n}@acme.test>`, references: [] } },
        sendMode: 'free',
      })
      const sc = sendContextFor(server.ctx, row)
      await assert.rejects(
        emailChannel.send(sc, channel as any, { identifier: 'gone@mail.example' }, message(1)),
        (err: any) =>
          err instanceof PermanentSendError && err.code === '550' && /User unknown/.test(err.title),
      )
      await assert.rejects(
        emailChannel.send(sc, channel as any, { identifier: 'busy@mail.example' }, message(2)),
        (err: any) => !(err instanceof PermanentSendError) && err.responseCode === 451,
      )
      // Refused credentials: the channel itself is broken (ChannelAuthError marks it in error).
      const locked = new SMTPServer({
        disabledCommands: ['STARTTLS'],
        allowInsecureAuth: true,
        logger: false,
        onAuth: (_auth, _s, cb) =>
          cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 })),
      })
      await new Promise<void>((r) => locked.listen(0, '127.0.0.1', r))
      try {
        const lockedPort = (locked.server.address() as { port: number }).port
        const auth = {
          ...channel,
          config: {
            ...channel.config,
            smtp: { host: '127.0.0.1', port: lockedPort, secure: false, user: 'support' },
          },
          secrets: { smtpPassword: 'wrong' },
        }
        await assert.rejects(
          emailChannel.send(sc, auth as any, { identifier: 'a@mail.example' }, message(4)),
          (err: any) => err instanceof ChannelAuthError && err.code === '535',
        )
      } finally {
        await new Promise<void>((r) => locked.close(() => r()))
      }
      const closed = {
        ...channel,
        config: { ...channel.config, smtp: { host: '127.0.0.1', port: 1, secure: false } },
      }
      await assert.rejects(
        emailChannel.send(sc, closed as any, { identifier: 'a@mail.example' }, message(3)),
        (err: any) =>
          !(err instanceof PermanentSendError) &&
          /ECONNREFUSED|ESOCKET|ECONNECTION/.test(err.code ?? err.message),
      )
    } finally {
      await new Promise<void>((r) => refusing.close(() => r()))
    }
  })

  test('an email channel has no webhook: posting to its URL is refused and stores nothing', async () => {
    const ch = await owner.client.get(`${ws}/channels/${channelId}`)
    const res = await server.app.inject({
      method: 'POST',
      url: new URL(ch.body.webhookUrl).pathname,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    })
    assert.equal(res.statusCode, 405)
  })

  test('config is validated: IMAP settings are required when mail comes in by IMAP', async () => {
    const res = await owner.client.post(`${ws}/channels`, {
      type: 'email',
      name: 'bad',
      config: { address: 'x@acme.test', inbound: 'imap', smtp: { host: 'smtp.acme.test' } },
    })
    assert.equal(res.status, 400)
    assert.match(res.text, /config\.imap/)
  })
})
