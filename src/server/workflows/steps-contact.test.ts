import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestClient } from '../test/client'
import { buildContact, buildUser, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { definition, finished, node, publishWorkflow, SHORTCUT, startOn } from '../test/workflows'

let server: TestServer
let owner: TestClient
let ws: number
const api = (path: string) => `/api/v1/workspaces/${ws}${path}`
const detail = async (id: number) => (await owner.get(api(`/contacts/${id}`))).body
const timeline = async (id: number) =>
  (await owner.get(api(`/contacts/${id}/timeline`))).body.events as {
    type: string
    actor: { kind: string; id: number }
  }[]

describe('contact and conversation steps (rules 74–78)', () => {
  before(async () => {
    server = await startTestServer()
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    await owner.post(api('/contact-fields'), { key: 'score', name: 'Score', type: 'number' })
    await owner.post(api('/contact-fields'), { key: 'city', name: 'City', type: 'text' })
  })
  after(() => server.close())

  test('Update Contact Tag: adds and removes; the events carry the workflow as actor', async () => {
    const a = (await owner.post(api('/tags'), { name: 'Lead' })).body.id as number
    const b = (await owner.post(api('/tags'), { name: 'Cold' })).body.id as number
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [node('update_tag', { add: [a], remove: [b] }, { id: 't' })]),
    )
    const c = await buildContact(server, ws)
    await owner.post(api(`/contacts/${c.id}/tags`), { add: [b] })
    const run = await finished(owner, ws, await startOn(owner, ws, wf, c.id))
    assert.deepEqual(run.steps[0]!.output, { added: ['Lead'], removed: ['Cold'] })
    assert.deepEqual(
      (await detail(c.id)).tags.map((t: { name: string }) => t.name),
      ['Lead'],
    )
    const events = (await timeline(c.id)).filter((e) => e.type === 'contact.tag_updated')
    assert.deepEqual(
      events.slice(0, 2).map((e) => e.actor),
      [
        { kind: 'workflow', id: wf },
        { kind: 'workflow', id: wf },
      ],
    )
  })

  test('Update Contact Field: a static value, a variable (typed), clearing, and a refused value logged', async () => {
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(
        {
          type: 'shortcut',
          conditions: {
            form: [
              { key: 'points', label: 'Points', type: 'number' },
              { key: 'mail', label: 'Mail' },
            ],
          },
        },
        [
          node('update_field', { field: 'city', value: 'Riyadh, $contact.country|KSA' }, { id: 'city' }),
          node('update_field', { field: 'score', value: '$trigger.points' }, { id: 'score' }),
          node('update_field', { field: 'email', value: '$trigger.mail' }, { id: 'email' }),
          node('update_field', { field: 'lastname', action: 'clear' }, { id: 'clear' }),
          node('update_field', { field: 'firstname', value: '$trigger.nothing' }, { id: 'missing' }),
        ],
      ),
    )
    const c = await buildContact(server, ws, { firstName: 'Omar', lastName: 'Saleh' })
    const run = await finished(
      owner,
      ws,
      await startOn(owner, ws, wf, c.id, { points: '42', mail: 'not-an-email' }),
    )
    assert.equal(run.status, 'completed')
    const d = await detail(c.id)
    assert.deepEqual(d.custom, { city: 'Riyadh, KSA', score: 42 })
    assert.equal(d.lastName, '')
    assert.equal(d.email, null)
    assert.equal(run.steps[2]!.output?.error, 'Enter a valid email address.')
    assert.match(String(run.steps[4]!.output?.skipped), /has no value/)
    assert.equal(d.firstName, 'Omar')
  })

  test('Update Lifecycle: moves the contact and emits from/to', async () => {
    const stages = (await owner.get(api('/lifecycle-stages'))).body as { id: number; name: string }[]
    const hot = stages.find((s) => s.name === 'Hot Lead')!.id
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [node('update_lifecycle', { stageId: hot }, { id: 'l' })]),
    )
    const c = await buildContact(server, ws)
    const run = await finished(owner, ws, await startOn(owner, ws, wf, c.id))
    assert.equal(run.steps[0]!.output?.changed, true)
    assert.equal((await detail(c.id)).lifecycleStageId, hot)
    assert.ok(
      (await timeline(c.id)).some(
        (e) => e.type === 'contact.lifecycle_updated' && e.actor.kind === 'workflow',
      ),
    )
  })

  test('Open and Close Conversation: source Workflow, a no-op when already open (rule 76), closing notes (rule 41)', async () => {
    const cat = (await owner.post(api('/closing-categories'), { name: 'Handled by bot' })).body.id as number
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node('open_conversation', {}, { id: 'o1' }),
        node('open_conversation', {}, { id: 'o2' }),
        node(
          'close_conversation',
          { categoryId: cat, summary: 'Closed for $contact.firstname' },
          { id: 'c1' },
        ),
        node('close_conversation', {}, { id: 'c2' }),
      ]),
    )
    const c = await buildContact(server, ws, { firstName: 'Nour' })
    const run = await finished(owner, ws, await startOn(owner, ws, wf, c.id))
    assert.deepEqual(
      run.steps.map((s) => [s.stepId, s.output?.opened ?? s.output?.closed]),
      [
        ['o1', true],
        ['o2', false],
        ['c1', true],
        ['c2', false],
      ],
    )
    const past = (await owner.get(api(`/contacts/${c.id}/conversations`))).body
    const conv = (past.conversations ?? past)[0]
    assert.equal(conv.openedSource, 'workflow')
    assert.equal(conv.closedSource, 'workflow')
    assert.equal(conv.closingCategoryId ?? conv.closingNote?.categoryId, cat)
    assert.equal(conv.closingSummary ?? conv.closingNote?.summary, 'Closed for Nour')
  })

  test('Add Comment: internal, with variables and @mentions that notify', async () => {
    const manager = await buildUser(server, ws, 'manager', { email: 'mona@acme.test' })
    const wf = await publishWorkflow(
      owner,
      ws,
      definition(SHORTCUT, [
        node(
          'add_comment',
          { text: 'VIP $contact.firstname needs a call, @[mona@acme.test] and {{@user.999999}}' },
          { id: 'n' },
        ),
      ]),
    )
    const c = await buildContact(server, ws, { firstName: 'Hala' })
    await finished(owner, ws, await startOn(owner, ws, wf, c.id))
    const comments = (await owner.get(api(`/contacts/${c.id}/comments`))).body.comments
    assert.equal(comments[0].body, 'VIP Hala needs a call, @[mona@acme.test] and {{@user.999999}}')
    assert.deepEqual(comments[0].author, { kind: 'workflow', id: wf })
    assert.deepEqual(comments[0].mentions, [manager.userId])
    const inbox = await manager.client.get(api('/notifications'))
    const mention = inbox.body.notifications.find(
      (n: { kind: string; contact: { id: number } }) => n.kind === 'mention' && n.contact?.id === c.id,
    )
    assert.ok(mention, inbox.text)
    assert.deepEqual(mention.actor, { kind: 'workflow', id: wf })
  })
})
