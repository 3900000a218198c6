import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { comments } from '../db/schema'
import { emit } from '../events'
import type { TestClient } from '../test/client'
import { connectCustomChannel, inbound, startDestination, waitFor } from '../test/custom-channel'
import { buildUser, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { fastWebhooks, type Receiver, registerWebhook, startReceiver } from '../test/webhook-receiver'
import { WEBHOOK_EVENT_NAMES } from './catalog'

describe('webhooks API (rule 121)', () => {
  let server: TestServer
  let owner: TestClient
  let ws: number
  let ownerId: number
  let receiver: Receiver
  const api = (path = '') => `/api/v1/workspaces/${ws}/webhooks${path}`

  before(async () => {
    server = await startTestServer({ config: { webhooks: fastWebhooks() } })
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    ownerId = o.userId
    receiver = await startReceiver()
  })
  after(async () => {
    await receiver.close()
    await server.close()
  })

  test('registering returns the secret once; reads show only its hint; aliases become dotted names', async () => {
    assert.equal((await owner.put(api('/settings'), { allowPrivateNetwork: true })).status, 200)
    const res = await owner.post(api(), {
      url: receiver.url,
      description: 'CRM sync',
      events: ['new_incoming_message', 'contact.created', 'message.received'],
    })
    assert.equal(res.status, 201, res.text)
    assert.equal(res.headers['cache-control'], 'no-store')
    assert.match(res.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(res.body.events, ['message.received', 'contact.created'])
    assert.equal(res.body.enabled, true)
    assert.equal(res.body.secretHint, `${res.body.secret.slice(0, 10)}…`)
    const list = await owner.get(api())
    assert.equal(list.status, 200)
    assert.equal(list.body.length, 1)
    assert.equal(list.text.includes(res.body.secret), false)
    assert.deepEqual(list.body[0].health, {
      lastSuccessAt: null,
      lastFailureAt: null,
      failingSince: null,
      pending: 0,
      dead: 0,
    })
    const one = await owner.get(api(`/${res.body.id}`))
    assert.equal(one.body.description, 'CRM sync')
    assert.equal('secret' in one.body, false)

    const patched = await owner.patch(api(`/${res.body.id}`), {
      events: ['conversation_closed'],
      enabled: false,
    })
    assert.equal(patched.status, 200, patched.text)
    assert.deepEqual(patched.body.events, ['conversation.closed'])
    assert.equal(patched.body.enabled, false)
    assert.equal((await owner.delete(api(`/${res.body.id}`))).status, 200)
    assert.equal((await owner.get(api(`/${res.body.id}`))).status, 404)
    assert.equal(server.logs().includes(res.body.secret), false, 'the secret never reaches the logs')
  })

  test('the event catalog lists every event with its alias', async () => {
    const res = await owner.get(api('/events'))
    assert.equal(res.status, 200)
    assert.deepEqual(
      res.body.map((e: any) => e.event),
      WEBHOOK_EVENT_NAMES,
    )
    assert.equal(res.body.find((e: any) => e.event === 'message.received').alias, 'new_incoming_message')
    assert.equal(res.body.find((e: any) => e.event === 'message.created').alias, 'new_outgoing_message')
  })

  test('bad input: malformed URLs, unknown or no events, unknown fields', async () => {
    const bad = async (body: unknown, status: number, pattern: RegExp) => {
      const res = await owner.post(api(), body)
      assert.equal(res.status, status, `${JSON.stringify(body)} → ${res.status} ${res.text}`)
      assert.match(res.text, pattern)
    }
    await bad({ url: 'not a url', events: ['message.received'] }, 400, /URL/)
    await bad({ url: 'ftp://example.com/x', events: ['message.received'] }, 400, /http/)
    await bad({ url: `https://example.com/${'x'.repeat(2100)}`, events: ['message.received'] }, 400, /2048/)
    await bad({ url: receiver.url, events: [] }, 400, /at least one event/)
    await bad({ url: receiver.url, events: ['message.deleted', 'contact.created'] }, 400, /message\.deleted/)
    await bad({ url: receiver.url, events: ['webhook.test'] }, 400, /webhook\.test/)
    await bad({ url: receiver.url, events: ['contact.created'], secret: 'mine' }, 400, /secret/)
    assert.equal((await owner.patch(api('/999999'), { enabled: true })).status, 404)
  })

  test('SSRF: link-local and metadata always refused; private addresses only when the workspace allows', async () => {
    const create = (url: string) => owner.post(api(), { url, events: ['contact.created'] })
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'https://169.254.169.254/',
      'https://[fd00:ec2::254]/',
      'https://[::ffff:169.254.169.254]/',
    ]) {
      const res = await create(url)
      assert.equal(res.status, 422, url)
      assert.equal(res.body.error.code, 'url_not_allowed')
    }
    assert.equal((await owner.put(api('/settings'), { allowPrivateNetwork: false })).status, 200)
    for (const url of ['http://127.0.0.1:9/hook', 'https://10.0.0.1/hook', 'https://localhost/hook']) {
      const res = await create(url)
      assert.equal(res.status, 422, url)
      assert.match(res.body.error.message, /private/)
    }
    assert.equal((await create('http://8.8.8.8/hook')).status, 422)
    const settings = await owner.put(api('/settings'), { allowPrivateNetwork: true })
    assert.deepEqual(settings.body, { allowPrivateNetwork: true, instanceAllowsPrivateNetwork: true })
    const ok = await create('http://127.0.0.1:9/hook')
    assert.equal(ok.status, 201, ok.text)
    assert.equal((await owner.patch(api(`/${ok.body.id}`), { url: 'https://169.254.169.254/' })).status, 422)
    await owner.delete(api(`/${ok.body.id}`))
  })

  test("another workspace's webhook and delivery ids answer 404", async () => {
    const other = await buildWorkspace(server)
    const mine = await registerWebhook(owner, ws, receiver.url, ['contact.created'])
    const ping = await owner.post(api(`/${mine.id}/test`))
    assert.equal(ping.status, 202, ping.text)
    const theirs = other.owner.client
    const base = `/api/v1/workspaces/${other.workspaceId}/webhooks/${mine.id}`
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { enabled: false }],
      ['DELETE', '', undefined],
      ['POST', '/rotate-secret', {}],
      ['POST', '/test', {}],
      ['GET', '/deliveries', undefined],
      ['GET', `/deliveries/${ping.body.id}`, undefined],
      ['POST', `/deliveries/${ping.body.id}/replay`, {}],
      ['POST', '/replay', { from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }],
    ] as const) {
      const res = await theirs.request(method, `${base}${path}`, body)
      assert.equal(res.status, 404, `${method} ${path}: ${res.status} ${res.text}`)
      assert.equal(res.body.error.code, 'not_found')
    }
    // The right workspace but a delivery id of another webhook is 404 too.
    const second = await registerWebhook(owner, ws, receiver.url, ['contact.created'])
    assert.equal((await owner.get(api(`/${second.id}/deliveries/${ping.body.id}`))).status, 404)
    assert.equal((await owner.get(api(`/${mine.id}/deliveries/not-a-uuid`))).status, 400)
    // Not a member of this workspace: it does not exist for them.
    assert.equal((await theirs.get(`/api/v1/workspaces/${ws}/webhooks`)).status, 404)
    await owner.delete(api(`/${mine.id}`))
    await owner.delete(api(`/${second.id}`))
  })

  test('settings.integrations: Owners and Managers; not restricted Managers, Agents or API tokens', async () => {
    const manager = await buildUser(server, ws, 'manager')
    const restricted = await buildUser(server, ws, 'manager', {
      restrictions: { restrictIntegrations: true },
    })
    const agent = await buildUser(server, ws, 'agent')
    assert.equal((await manager.client.get(api())).status, 200)
    const created = await manager.client.post(api(), { url: receiver.url, events: ['contact.created'] })
    assert.equal(created.status, 201, created.text)
    for (const c of [restricted.client, agent.client]) {
      assert.equal((await c.get(api())).status, 403)
      assert.equal((await c.post(api(), { url: receiver.url, events: ['contact.created'] })).status, 403)
      assert.equal((await c.get(api(`/${created.body.id}/deliveries`))).status, 403)
    }
    const token = await owner.post(`/api/v1/workspaces/${ws}/api-tokens`, { name: 'ci' })
    const bot = new (owner.constructor as typeof TestClient)(server.app)
    bot.bearer = token.body.token
    assert.equal((await bot.get(api())).status, 403)
    await owner.delete(api(`/${created.body.id}`))
  })

  test('payloads present contact, conversation and message exactly as the API does', async () => {
    const dest = await startDestination()
    const hook = await registerWebhook(owner, ws, receiver.url, [...WEBHOOK_EVENT_NAMES])
    try {
      const channel = await connectCustomChannel(owner, ws, dest.url)
      const from = '+966511112222'
      assert.equal((await inbound(server, channel, { from, text: 'مرحبا' })).status, 200)
      const hitsFor = (event: string) => receiver.hits.filter((h) => h.body?.event === event)
      const received = await waitFor(async () => hitsFor('message.received')[0], 10_000, 'message.received')
      const contactId = received.body.data.contact.id as number
      const types = () =>
        receiver.hits.filter((h) => h.body?.data?.contact?.id === contactId).map((h) => h.body.event)
      await waitFor(async () => types().length >= 3, 5000, 'three events')
      assert.deepEqual(types(), ['contact.created', 'conversation.opened', 'message.received'])
      assert.equal(received.body.alias, 'new_incoming_message')
      assert.equal(received.body.workspaceId, ws)
      assert.equal(received.body.id, received.headers['tawasul-webhook-id'])
      assert.equal(received.headers['tawasul-webhook-event'], 'message.received')
      assert.equal(received.body.data.message.text, 'مرحبا')
      const apiMessages = await owner.get(`/api/v1/workspaces/${ws}/contacts/${contactId}/messages`)
      assert.deepEqual(received.body.data.message, apiMessages.body.messages[0])
      const view = await owner.get(`/api/v1/workspaces/${ws}/contacts/${contactId}/conversation`)
      assert.deepEqual(received.body.data.conversation, view.body.conversation)
      assert.equal(received.body.data.contact.phone, from)

      // Outgoing message, then its status from the channel.
      const sent = await owner.post(`/api/v1/workspaces/${ws}/contacts/${contactId}/messages`, {
        message: { type: 'text', text: 'Welcome' },
      })
      assert.equal(sent.status, 201, sent.text)
      const created = await waitFor(async () => hitsFor('message.created')[0], 5000, 'message.created')
      assert.equal(created.body.alias, 'new_outgoing_message')
      assert.equal(created.body.data.message.id, sent.body.id)
      assert.equal(created.body.data.message.direction, 'out')
      const status = await waitFor(
        async () => hitsFor('message.status_updated').find((h) => h.body.data.message.status === 'sent'),
        5000,
        'status sent',
      )
      assert.equal(status.body.data.message.id, sent.body.id)

      // Assignment and closing through the API.
      const assigned = await owner.put(`/api/v1/workspaces/${ws}/contacts/${contactId}/assignee`, {
        userId: ownerId,
      })
      assert.equal(assigned.status, 200, assigned.text)
      const assignee = await waitFor(async () => hitsFor('contact.assignee_updated')[0], 5000, 'assignee')
      assert.equal(assignee.body.data.assignee.toUserId, assigned.body.assigneeUserId)
      assert.equal(assignee.body.data.contact.assigneeUserId, assigned.body.assigneeUserId)
      const closed = await owner.post(`/api/v1/workspaces/${ws}/contacts/${contactId}/conversation/close`, {
        summary: 'Resolved by phone',
      })
      assert.equal(closed.status, 200, closed.text)
      const close = await waitFor(async () => hitsFor('conversation.closed')[0], 5000, 'closed')
      assert.equal(close.body.alias, 'conversation_closed')
      assert.deepEqual(close.body.data.conversation.closingNote, {
        categoryId: null,
        summary: 'Resolved by phone',
      })
      assert.deepEqual({ ...close.body.data.conversation, window: null }, { ...closed.body, window: null })

      // Events whose services other modules own: emitted as those services do.
      const db = server.ctx.db
      const user = { kind: 'user' as const, id: assigned.body.assigneeUserId as number }
      await db.transaction(async (tx) => {
        const [comment] = await tx
          .insert(comments)
          .values({
            workspaceId: ws,
            contactId,
            authorKind: 'user',
            authorId: user.id,
            body: 'VIP',
            mentions: [],
          })
          .returning()
        await emit(tx, ws, user, { type: 'contact.updated', payload: { contactId, changes: ['firstName'] } })
        await emit(tx, ws, user, {
          type: 'contact.tag_updated',
          payload: { contactId, tagId: 7, tag: 'vip', action: 'added' },
        })
        await emit(tx, ws, user, {
          type: 'contact.lifecycle_updated',
          payload: { contactId, from: 1, to: 2 },
        })
        await emit(tx, ws, user, {
          type: 'comment.created',
          payload: { contactId, conversationId: null, commentId: comment!.id, mentions: [] },
        })
      })
      const updated = await waitFor(async () => hitsFor('comment.created')[0], 5000, 'comment')
      assert.equal(updated.body.data.comment.body, 'VIP')
      assert.equal(updated.body.alias, 'new_comment')
      assert.deepEqual(hitsFor('contact.updated')[0]!.body.data.changes, ['firstName'])
      assert.deepEqual(hitsFor('contact.tag_updated')[0]!.body.data.tag, {
        id: 7,
        name: 'vip',
        action: 'added',
      })
      assert.deepEqual(hitsFor('contact.lifecycle_updated')[0]!.body.data.lifecycle, {
        fromStageId: 1,
        toStageId: 2,
      })
      const ordered = receiver.hits
        .filter((h) => h.body?.data?.contact?.id === contactId)
        .map((h) => h.body.event)
      assert.deepEqual(ordered.slice(-4), [
        'contact.updated',
        'contact.tag_updated',
        'contact.lifecycle_updated',
        'comment.created',
      ])
      // Unsubscribed events are not delivered.
      assert.equal(
        receiver.hits.some(
          (h) => String(h.body?.event).startsWith('webhook.') && h.body.event !== 'webhook.test',
        ),
        false,
      )
      assert.equal(server.logs().includes(hook.secret), false)
    } finally {
      await dest.close()
      await owner.delete(api(`/${hook.id}`))
    }
  })
})

describe('webhooks when the server denies private networks', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer({ config: { webhooks: fastWebhooks({ privateNetworks: false }) } })
  })
  after(() => server.close())

  test('no workspace can opt in, and private URLs are refused', async () => {
    const { client, workspaceId } = await setupOwner(server)
    const base = `/api/v1/workspaces/${workspaceId}/webhooks`
    const res = await client.put(`${base}/settings`, { allowPrivateNetwork: true })
    assert.equal(res.status, 422)
    assert.equal(res.body.error.code, 'private_networks_denied')
    assert.deepEqual((await client.get(`${base}/settings`)).body, {
      allowPrivateNetwork: false,
      instanceAllowsPrivateNetwork: false,
    })
    assert.equal(
      (await client.post(base, { url: 'http://127.0.0.1:9/x', events: ['contact.created'] })).status,
      422,
    )
  })
})
