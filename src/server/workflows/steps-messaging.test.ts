import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { definition, finished, node, publishWorkflow, SHORTCUT, startOn, waiting } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
let channel: Awaited<ReturnType<typeof connectCustomChannel>>
let failing: Awaited<ReturnType<typeof connectCustomChannel>>
let destination: Awaited<ReturnType<typeof startDestination>>
let refusing: Awaited<ReturnType<typeof startDestination>>
const api = (path: string) => `/api/v1/workspaces/${ws}${path}`

let phoneSeq = 0
const nextPhone = () => `+9665011${String(++phoneSeq).padStart(5, '0')}`

/** A contact who wrote once on the channel (so it has a last interacted channel), with no workflow listening. */
async function contactOn(ch = channel, first = 'Sara'): Promise<{ id: number; phone: string }> {
  const phone = nextPhone()
  assert.equal(
    (await inbound(server, ch, { from: phone, text: 'hi', contact: { firstName: first } })).status,
    200,
  )
  const id = await waitFor(async () => {
    const r = await owner.get(api(`/contacts?q=${encodeURIComponent(phone)}`))
    return (r.body.contacts as { id: number; phone: string }[]).find((c) => c.phone === phone)?.id
  })
  return { id, phone }
}

const sentTo = (phone: string) =>
  destination.received.filter((r) => r.body?.contactId === phone).map((r) => r.body.message)

describe('messaging steps (rules 69–71)', () => {
  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    destination = await startDestination()
    refusing = await startDestination(() => ({
      status: 400,
      body: { error: { message: 'unknown recipient' } },
    }))
    channel = await connectCustomChannel(owner, ws, destination.url)
    failing = await connectCustomChannel(owner, ws, refusing.url)
    await owner.post(api('/contact-fields'), { key: 'birthday', name: 'Birthday', type: 'date' })
  })
  after(async () => {
    await server.close()
    await destination.close()
    await refusing.close()
  })

  test('Send a Message: variables with fallbacks, the last interacted channel, a channel response replacing the default; once per visit', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'send_message',
          {
            message: {
              type: 'text',
              text: 'Hi $contact.firstname|there from $contact.country|nowhere, $contact.city',
            },
          },
          { id: 'a' },
        ),
        node(
          'send_message',
          {
            message: { type: 'text', text: 'default text' },
            channelResponses: [
              {
                channelId: channel.id,
                message: { type: 'text', text: 'custom-channel text for #$contact.id' },
              },
            ],
          },
          { id: 'b' },
        ),
      ]),
    )
    const c = await contactOn()
    const runId = await startOn(owner, ws, wf, c.id)
    const run = await finished(owner, ws, runId)
    assert.equal(run.status, 'completed')
    await waitFor(async () => sentTo(c.phone).length === 2 || undefined)
    // Rule 54: the country came from the phone (+966 → SA); rule 89: $contact.city has no value.
    assert.deepEqual(sentTo(c.phone), [
      { type: 'text', text: 'Hi Sara from SA, $contact.city' },
      { type: 'text', text: `custom-channel text for #${c.id}` },
    ])
    const messages = (await owner.get(api(`/contacts/${c.id}/messages`))).body.messages as {
      authorKind?: string
      author?: { kind: string }
    }[]
    assert.ok(messages.filter((m) => (m.author?.kind ?? m.authorKind) === 'workflow').length === 2)
  })

  test('Send a Message: the failure branch follows the message’s final status; without one the contact proceeds', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'send_message',
          { message: { type: 'text', text: 'will bounce' }, failureBranch: true },
          {
            id: 'send',
            branches: { failure: [node('add_comment', { text: 'message failed' }, { id: 'f' })] },
          },
        ),
        node('add_comment', { text: 'message sent' }, { id: 'ok' }),
      ]),
    )
    const bouncing = await contactOn(failing)
    const run = await finished(owner, ws, await startOn(owner, ws, wf, bouncing.id))
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.branch]),
      [
        ['send', 'failure'],
        ['f', 'next'],
      ],
    )
    assert.equal(run.steps[0]!.output?.status, 'failed')
    const fine = await contactOn()
    const run2 = await finished(owner, ws, await startOn(owner, ws, wf, fine.id))
    assert.deepEqual(
      run2.steps.map((s) => [s.stepId, s.branch]),
      [
        ['send', 'success'],
        ['ok', 'next'],
      ],
    )
    const noBranch = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node('send_message', { message: { type: 'text', text: 'x' } }, { id: 's' }),
        node('add_comment', { text: 'went on' }, { id: 'c' }),
      ]),
    )
    const blocked = await contactOn()
    await owner.post(api(`/contacts/${blocked.id}/block`), {})
    const run3 = await finished(owner, ws, await startOn(owner, ws, noBranch, blocked.id))
    assert.equal(run3.status, 'completed')
    assert.equal(run3.steps[0]!.output?.sent, false)
    assert.equal((run3.steps[0]!.output!.error as { code: string }).code, 'contact_blocked')
  })

  test('Ask a Question: the next inbound message is the answer; invalid takes Invalid; valid is saved to a field', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'ask_question',
          {
            question: 'Your email, $contact.firstname?',
            type: 'email',
            saveTo: { kind: 'field', field: 'email' },
          },
          {
            id: 'ask',
            branches: { invalid: [node('jump_to', { targetStepId: 'ask', maxJumps: 3 }, { id: 'again' })] },
          },
        ),
        node('add_comment', { text: 'email is $contact.email' }, { id: 'done' }),
      ]),
    )
    const c = await contactOn()
    const runId = await startOn(owner, ws, wf, c.id)
    const w = await waiting(owner, ws, runId)
    assert.equal(w.waiting?.for, 'reply')
    await waitFor(async () => sentTo(c.phone).some((m) => m.text === 'Your email, Sara?') || undefined)
    await inbound(server, channel, { from: c.phone, text: 'not an email' })
    await waitFor(
      async () => sentTo(c.phone).filter((m) => m.text === 'Your email, Sara?').length === 2 || undefined,
    )
    await inbound(server, channel, { from: c.phone, text: '  Sara@Example.COM ' })
    const run = await finished(owner, ws, runId)
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.branch]),
      [
        ['ask', 'invalid'],
        ['again', 'jump'],
        ['ask', 'success'],
        ['done', 'next'],
      ],
    )
    assert.equal(run.steps[2]!.visit, 2)
    const contact = (await owner.get(api(`/contacts/${c.id}`))).body
    assert.equal(contact.contact?.email ?? contact.email, 'sara@example.com')
  })

  test('Ask a Question: only a reply that arrives while the run waits is consumed, and only by that run', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node('wait', { duration: { amount: 1, unit: 'seconds' } }, { id: 'w' }),
        node(
          'ask_question',
          {
            question: 'Pick a day',
            type: 'date',
            dateFormat: 'DD/MM/YYYY',
            saveTo: { kind: 'field', field: 'birthday' },
          },
          { id: 'ask', branches: { invalid: [] } },
        ),
      ]),
    )
    const c = await contactOn()
    const runId = await startOn(owner, ws, wf, c.id)
    // Written before the question was asked: not the answer.
    await inbound(server, channel, { from: c.phone, text: '01/02/1990' })
    await waitFor(async () => sentTo(c.phone).some((m) => m.text === 'Pick a day') || undefined)
    await new Promise((r) => setTimeout(r, 500))
    assert.equal((await waiting(owner, ws, runId)).waiting?.for, 'reply')
    await inbound(server, channel, { from: c.phone, text: '٣١/١٢/١٩٩٠' })
    const run = await finished(owner, ws, runId)
    assert.equal(run.steps.at(-1)!.branch, 'success')
    const contact = (await owner.get(api(`/contacts/${c.id}`))).body
    assert.equal((contact.contact ?? contact).custom.birthday, '1990-12-31')
    // Once the run has ended, later messages are nobody's answer.
    await inbound(server, channel, { from: c.phone, text: '01/01/2000' })
    await new Promise((r) => setTimeout(r, 500))
    const again = (await owner.get(api(`/contacts/${c.id}`))).body
    assert.equal((again.contact ?? again).custom.birthday, '1990-12-31')
  })

  test('Ask a Question: multiple choice saved as a tag, number saved to a variable, and the Timeout branch', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'ask_question',
          {
            question: 'Which plan?',
            type: 'multiple_choice',
            choices: ['Basic', 'Premium'],
            saveTo: { kind: 'tag' },
          },
          { id: 'plan', branches: { invalid: [] } },
        ),
        node(
          'ask_question',
          {
            question: 'How many seats?',
            type: 'number',
            min: 1,
            max: 50,
            saveTo: { kind: 'variable', name: 'seats' },
          },
          { id: 'seats', branches: { invalid: [] } },
        ),
        node('add_comment', { text: 'seats: $seats' }, { id: 'c' }),
        node(
          'ask_question',
          { question: 'Anything else?', type: 'text', timeout: { amount: 1, unit: 'seconds' } },
          {
            id: 'last',
            branches: { invalid: [], timeout: [node('add_comment', { text: 'no answer' }, { id: 'quiet' })] },
          },
        ),
      ]),
    )
    const c = await contactOn()
    const runId = await startOn(owner, ws, wf, c.id)
    await waitFor(
      async () => sentTo(c.phone).some((m) => m.text === 'Which plan?\n1. Basic\n2. Premium') || undefined,
    )
    await inbound(server, channel, { from: c.phone, text: '2' })
    await waitFor(async () => sentTo(c.phone).some((m) => m.text === 'How many seats?') || undefined)
    await inbound(server, channel, { from: c.phone, text: '٧' })
    const run = await finished(owner, ws, runId, 20_000)
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.branch]),
      [
        ['plan', 'success'],
        ['seats', 'success'],
        ['c', 'next'],
        ['last', 'timeout'],
        ['quiet', 'next'],
      ],
    )
    const detail = (await owner.get(api(`/contacts/${c.id}`))).body
    assert.deepEqual(
      (detail.tags as { name: string }[]).map((t) => t.name),
      ['Premium'],
    )
    const notes = (await owner.get(api(`/contacts/${c.id}/comments`))).body.comments.map(
      (x: { body: string }) => x.body,
    )
    assert.deepEqual(notes.reverse(), ['seats: 7', 'no answer'])
  })
})
