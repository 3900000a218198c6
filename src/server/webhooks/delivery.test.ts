import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { and, eq } from 'drizzle-orm'
import { lockContact } from '../contacts/contacts.repo'
import { events, webhookDeliveries, webhookPayloads } from '../db/schema'
import { emit } from '../events'
import type { TestClient } from '../test/client'
import { waitFor } from '../test/custom-channel'
import { buildContact, buildWorkspace, setupOwner } from '../test/factories'
import { startTestServer, TEST_DB, type TestServer } from '../test/harness'
import { type Answer, fastWebhooks, registerWebhook, startReceiver } from '../test/webhook-receiver'
import { webhookCleanupQueue } from './cleanup.queue'

/** Emits contact.updated events the way services do: under the contact's row lock. */
async function touchContact(server: TestServer, ws: number, contactId: number, label: string) {
  await server.ctx.db.transaction(async (tx) => {
    await lockContact(tx, ws, contactId)
    await emit(
      tx,
      ws,
      { kind: 'system', id: null },
      {
        type: 'contact.updated',
        payload: { contactId, changes: [label] },
      },
    )
  })
}

describe('webhook delivery: retries, dead letters, replay, ordering', () => {
  let server: TestServer
  let owner: TestClient
  let ws: number
  const api = (path: string) => `/api/v1/workspaces/${ws}/webhooks${path}`
  const ping = async (hookId: number): Promise<string> => {
    const res = await owner.post(api(`/${hookId}/test`))
    assert.equal(res.status, 202, res.text)
    return res.body.id
  }
  const detail = async (hookId: number, id: string) =>
    (await owner.get(api(`/${hookId}/deliveries/${id}`))).body
  const settled = (hookId: number, id: string, status: string, timeoutMs = 15_000) =>
    waitFor(
      async () => {
        const d = await detail(hookId, id)
        return d.status === status ? d : undefined
      },
      timeoutMs,
      `delivery ${status}`,
    )

  before(async () => {
    server = await startTestServer({ config: { webhooks: fastWebhooks({ timeoutMs: 2500 }) } })
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
  })
  after(() => server.close())

  test('timeouts, 503 and 429 are retried with backoff and the same delivery id, then delivered', async () => {
    const script: Answer[] = [
      { status: 503, body: 'maintenance' },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200, delayMs: 3200 }, // longer than the 2.5 s timeout
      { status: 204 },
    ]
    const rec = await startReceiver((_hit, nth) => script[nth - 1] ?? { status: 200 })
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      const id = await ping(hook.id)
      const d = await settled(hook.id, id, 'delivered')
      assert.equal(d.attempts, 4)
      assert.deepEqual(
        d.history.map((a: any) => [a.number, a.statusCode, a.outcome]),
        [
          [1, 503, 'retry'],
          [2, 429, 'retry'],
          [3, null, 'retry'],
          [4, 204, 'delivered'],
        ],
      )
      assert.match(d.history[2].error, /Timed out/)
      assert.equal(d.history[0].responseBody, 'maintenance')
      assert.ok(d.history[2].durationMs >= 2450, `timeout after ${d.history[2].durationMs} ms`)
      // Backoff grows: each wait at least 90 % of base × 2^(n-1) (30, 60, 120 ms; capped at 120).
      const gaps = d.history.slice(1).map((a: any, i: number) => {
        const prev = d.history[i]
        return Date.parse(a.startedAt) - (Date.parse(prev.startedAt) + prev.durationMs)
      })
      for (const [i, g] of gaps.entries()) {
        assert.ok(g >= Math.min(30 * 2 ** i, 120) * 0.9 - 5, `gap ${i}: ${g}`)
      }
      const hits = rec.of(id)
      assert.equal(hits.length, 4)
      assert.deepEqual(
        hits.map((h) => h.headers['tawasul-webhook-attempt']),
        ['1', '2', '3', '4'],
      )
      assert.ok(
        hits.every((h) => h.body.id === id && h.raw === hits[0]!.raw),
        'the same body every attempt',
      )
      assert.equal(hits[0]!.body.event, 'webhook.test')
      assert.equal(hits[0]!.body.alias, 'test')
      const health = (await owner.get(api(`/${hook.id}`))).body.health
      assert.ok(health.lastSuccessAt)
      assert.equal(health.failingSince, null)
    } finally {
      await rec.close()
    }
  })

  test('after the retry budget (5xx or refused connections) a delivery is dead-lettered', async () => {
    const rec = await startReceiver(() => ({ status: 500, body: 'boom' }))
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      const id = await ping(hook.id)
      const d = await settled(hook.id, id, 'dead')
      assert.equal(d.attempts, 4)
      assert.deepEqual(
        d.history.map((a: any) => a.outcome),
        ['retry', 'retry', 'retry', 'dead'],
      )
      assert.equal(d.nextAttemptAt, null)
      assert.equal(d.lastStatusCode, 500)
      assert.equal(rec.of(id).length, 4)
      const health = (await owner.get(api(`/${hook.id}`))).body.health
      assert.equal(health.dead, 1)
      assert.ok(health.failingSince)
      const dead = await owner.get(api(`/${hook.id}/deliveries?status=dead`))
      assert.deepEqual(
        dead.body.items.map((x: any) => x.id),
        [id],
      )
    } finally {
      await rec.close()
    }
    // Nothing listens on the closed receiver's port any more.
    const gone = await registerWebhook(owner, ws, rec.url, ['contact.created'])
    const id = await ping(gone.id)
    const d = await settled(gone.id, id, 'dead')
    assert.equal(d.attempts, 4)
    assert.match(d.lastError, /ECONNREFUSED/)
  })

  test('other 4xx dead-letter at once with the (truncated) response recorded; redirects are not followed', async () => {
    const target = await startReceiver()
    const rec = await startReceiver((hit) =>
      hit.path.startsWith('/redirect')
        ? { status: 302, headers: { location: target.url } }
        : { status: 422, body: `invalid payload ${'x'.repeat(5000)}` },
    )
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      const id = await ping(hook.id)
      const d = await settled(hook.id, id, 'dead')
      assert.equal(d.attempts, 1)
      assert.equal(d.lastStatusCode, 422)
      assert.equal(d.history[0].responseBody.length, 2048)
      assert.match(d.history[0].responseBody, /^invalid payload x+$/)

      const moved = await registerWebhook(owner, ws, `${rec.url.replace('/hook', '/redirect')}`, [
        'contact.created',
      ])
      const id2 = await ping(moved.id)
      const d2 = await settled(moved.id, id2, 'dead')
      assert.equal(d2.lastStatusCode, 302)
      assert.equal(d2.attempts, 1)
      assert.equal(target.hits.length, 0, 'the redirect target never hears from us')
    } finally {
      await rec.close()
      await target.close()
    }
  })

  test('addresses are checked again when connecting: a URL allowed at registration can be refused later', async () => {
    const rec = await startReceiver()
    try {
      const hook = await registerWebhook(owner, ws, rec.url.replace('127.0.0.1', 'localhost'), [
        'contact.created',
      ])
      assert.equal((await owner.put(api('/settings'), { allowPrivateNetwork: false })).status, 200)
      const id = await ping(hook.id)
      const d = await settled(hook.id, id, 'dead')
      assert.equal(d.attempts, 1)
      assert.match(d.lastError, /EWEBHOOKBLOCKED: localhost resolves to .*private or loopback/)
      const literal = await owner.post(api(`/${(await registerWebhookLiteral()).id}/test`))
      const d2 = await settled(literal.body.webhookId, literal.body.id, 'dead')
      assert.match(d2.lastError, /EWEBHOOKBLOCKED: 127\.0\.0\.1 is a private/)
      assert.equal(rec.hits.length, 0)
    } finally {
      await owner.put(api('/settings'), { allowPrivateNetwork: true })
      await rec.close()
    }
    async function registerWebhookLiteral() {
      await owner.put(api('/settings'), { allowPrivateNetwork: true })
      const res = await owner.post(api(''), { url: rec.url, events: ['contact.created'] })
      await owner.put(api('/settings'), { allowPrivateNetwork: false })
      return res.body
    }
  })

  test('replay one delivery, then all dead ones in a time range: same delivery ids, fresh budgets', async () => {
    let up = false
    const rec = await startReceiver(() => (up ? { status: 200 } : { status: 400, body: 'not yet' }))
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      const t0 = new Date(Date.now() - 1000).toISOString()
      const ids = [await ping(hook.id), await ping(hook.id), await ping(hook.id)]
      for (const id of ids) await settled(hook.id, id, 'dead')
      const t1 = new Date(Date.now() + 1000).toISOString()
      up = true

      const one = await owner.post(api(`/${hook.id}/deliveries/${ids[0]}/replay`))
      assert.equal(one.status, 202, one.text)
      assert.equal(one.body.id, ids[0])
      const d = await settled(hook.id, ids[0]!, 'delivered')
      assert.equal(d.replays, 1)
      assert.deepEqual(
        d.history.map((a: any) => [a.number, a.outcome]),
        [
          [1, 'dead'],
          [2, 'delivered'],
        ],
      )
      assert.equal(rec.of(ids[0]!).at(-1)!.body.id, ids[0])

      const none = await owner.post(api(`/${hook.id}/replay`), { from: '2000-01-01T00:00:00Z', to: t0 })
      assert.deepEqual(none.body, { replayed: 0, more: false })
      const range = await owner.post(api(`/${hook.id}/replay`), { from: t0, to: t1 })
      assert.equal(range.status, 202, range.text)
      assert.deepEqual(range.body, { replayed: 2, more: false })
      for (const id of ids.slice(1)) {
        await settled(hook.id, id, 'delivered')
        const hits = rec.of(id)
        assert.equal(hits.length, 2)
        assert.equal(hits[0]!.raw, hits[1]!.raw, 'a replay sends the same body')
      }
      // "all" replays delivered ones too.
      const all = await owner.post(api(`/${hook.id}/replay`), { from: t0, to: t1, status: 'all' })
      assert.deepEqual(all.body, { replayed: 3, more: false })
      await Promise.all(
        ids.map((id) => waitFor(async () => rec.of(id).length === (id === ids[0] ? 3 : 3), 5000)),
      )
      const bad = await owner.post(api(`/${hook.id}/replay`), { from: t1, to: t0 })
      assert.equal(bad.status, 400)
    } finally {
      await rec.close()
    }
  })

  test('a delivery being sent cannot be replayed; a lapsed claim is taken over', async () => {
    const rec = await startReceiver(() => ({ status: 200, delayMs: 200 }))
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      const id = await ping(hook.id)
      await waitFor(async () => (await detail(hook.id, id)).status === 'sending', 10_000, 'sending')
      const busy = await owner.post(api(`/${hook.id}/deliveries/${id}/replay`))
      assert.equal(busy.status, 409)
      assert.equal(busy.body.error.code, 'delivery_in_flight')
      await settled(hook.id, id, 'delivered')

      // A process that died mid-send leaves the delivery 'sending' with a claim that runs out.
      await server.ctx.db
        .update(webhookDeliveries)
        .set({ status: 'sending', nextAttemptAt: new Date(Date.now() - 1) })
        .where(and(eq(webhookDeliveries.workspaceId, ws), eq(webhookDeliveries.publicId, id)))
      server.webhooks.kick()
      await waitFor(async () => rec.of(id).length === 2, 10_000, 'retaken')
      const d = await settled(hook.id, id, 'delivered')
      assert.equal(d.attempts, 2)
    } finally {
      await rec.close()
    }
  })

  test('the delivery log pages by keyset and filters by status, event, contact and time', async () => {
    const rec = await startReceiver()
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created', 'contact.updated'])
      const contact = await buildContact(server, ws)
      const ids: string[] = []
      for (let i = 0; i < 5; i++) ids.push(await ping(hook.id))
      await touchContact(server, ws, contact.id, 'firstName')
      await waitFor(
        async () => (await owner.get(api(`/${hook.id}/deliveries?status=delivered`))).body.items.length === 6,
        15_000,
        'six deliveries',
      )
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page: any = await owner.get(
          api(`/${hook.id}/deliveries?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
        )
        assert.equal(page.status, 200, page.text)
        assert.ok(page.body.items.length <= 2)
        seen.push(...page.body.items.map((d: any) => d.id))
        cursor = page.body.nextCursor
      } while (cursor)
      assert.equal(seen.length, 6)
      assert.deepEqual(seen.slice(1), [...ids].reverse(), 'newest first')
      const byEvent = await owner.get(api(`/${hook.id}/deliveries?event=contact_updated`))
      assert.equal(byEvent.body.items.length, 1)
      assert.equal(byEvent.body.items[0].contactId, contact.id)
      assert.equal(byEvent.body.items[0].alias, 'contact_updated')
      const byContact = await owner.get(
        api(`/${hook.id}/deliveries?contactId=${contact.id}&status=delivered`),
      )
      assert.equal(byContact.body.items.length, 1)
      const future = new Date(Date.now() + 60_000).toISOString()
      assert.equal((await owner.get(api(`/${hook.id}/deliveries?from=${future}`))).body.items.length, 0)
      assert.equal((await owner.get(api(`/${hook.id}/deliveries?to=${future}`))).body.items.length, 6)
      assert.equal((await owner.get(api(`/${hook.id}/deliveries?cursor=bogus`))).status, 400)
      assert.equal((await owner.get(api(`/${hook.id}/deliveries?event=nope`))).status, 400)
      assert.equal((await owner.get(api(`/${hook.id}/deliveries?status=lost`))).status, 400)
      const one = await detail(hook.id, ids[0]!)
      assert.equal(one.payload.id, ids[0])
      assert.equal(one.payload.event, 'webhook.test')
      assert.deepEqual(one.payload, rec.of(ids[0]!)[0]!.body)
    } finally {
      await rec.close()
    }
  })

  test('per contact, a delivery waits until the earlier one is delivered or dead-lettered', async () => {
    // A receiver that is slow at random and fails a third of first attempts: without the
    // ordering rule, 16 concurrent senders and retries would reorder almost every contact.
    let n = 0
    const rec = await startReceiver((hit, nth) => {
      n++
      const label = String(hit.body?.data?.changes?.[0] ?? '')
      if (label === 'c0-e3' && nth <= 10) return { status: 400 } // dead-lettered at once: the next proceeds
      return { status: nth === 1 && n % 3 === 0 ? 503 : 200, delayMs: (n * 7) % 25 }
    })
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.updated'])
      const contacts = await Promise.all(Array.from({ length: 6 }, () => buildContact(server, ws)))
      const perContact = 8
      await Promise.all(
        contacts.map(async (c, ci) => {
          for (let e = 0; e < perContact; e++) await touchContact(server, ws, c.id, `c${ci}-e${e}`)
        }),
      )
      const total = contacts.length * perContact
      const okHits = () => rec.hits.filter((h) => h.body?.event === 'contact.updated')
      await waitFor(
        async () => {
          const list = await owner.get(api(`/${hook.id}/deliveries?limit=200`))
          return (
            list.body.items.filter((d: any) => d.status === 'delivered' || d.status === 'dead').length ===
            total
          )
        },
        30_000,
        'all deliveries finished',
      )
      // The guarantee is about sending: per contact, an event's first attempt starts only after
      // the previous event's delivery finished (delivered, or dead-lettered). (What a receiver
      // sees can still differ when an attempt timed out on our side but reached it late.)
      const list = (await owner.get(api(`/${hook.id}/deliveries?limit=200`))).body.items
      const lines = new Map<number, { e: number; first: number; last: number }[]>()
      for (const d of list) {
        const one = await detail(hook.id, d.id)
        const e = Number(/e(\d+)$/.exec(one.payload.data.changes[0])![1])
        const end = one.history.at(-1)
        lines.set(d.contactId, [
          ...(lines.get(d.contactId) ?? []),
          {
            e,
            first: Date.parse(one.history[0].startedAt),
            last: Date.parse(end.startedAt) + end.durationMs,
          },
        ])
      }
      assert.equal(lines.size, contacts.length)
      for (const [contactId, line] of lines) {
        line.sort((a, b) => a.e - b.e)
        assert.deepEqual(
          line.map((x) => x.e),
          Array.from({ length: perContact }, (_, e) => e),
        )
        for (let i = 1; i < line.length; i++) {
          const early = line[i - 1]!.last - line[i]!.first
          assert.ok(
            early <= 0,
            `contact ${contactId}: event ${i} started ${early} ms before event ${i - 1} finished`,
          )
        }
      }
      assert.ok(okHits().length >= total, 'every delivery reached the receiver')
      const dead = await owner.get(api(`/${hook.id}/deliveries?status=dead`))
      assert.equal(dead.body.items.length, 1)
    } finally {
      await rec.close()
    }
  })

  test("a replayed delivery rejoins its contact's line: it waits for the one being sent, then goes first", async () => {
    let e0ok = false
    const rec = await startReceiver((hit) => {
      const label = String(hit.body?.data?.changes?.[0] ?? '')
      if (label === 'e0' && !e0ok) return { status: 400 }
      return { status: 200, delayMs: label === 'e2' ? 600 : 0 }
    })
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.updated'])
      const contact = await buildContact(server, ws)
      const list = async () =>
        (await owner.get(api(`/${hook.id}/deliveries?contactId=${contact.id}`))).body.items as any[]
      const byLabel = async (label: string) => {
        for (const d of await list()) {
          const one = await detail(hook.id, d.id)
          if (one.payload.data.changes[0] === label) return one
        }
        return undefined
      }
      await touchContact(server, ws, contact.id, 'e0')
      await touchContact(server, ws, contact.id, 'e1')
      await waitFor(async () => (await byLabel('e1'))?.status === 'delivered', 15_000, 'e1 delivered')
      const e0 = (await byLabel('e0'))!
      assert.equal(e0.status, 'dead', 'a dead letter does not hold the line')

      await touchContact(server, ws, contact.id, 'e2') // slow to answer
      await touchContact(server, ws, contact.id, 'e3')
      await waitFor(async () => (await byLabel('e2'))?.status === 'sending', 10_000, 'e2 sending')
      assert.equal((await byLabel('e3'))?.status, 'waiting')
      e0ok = true
      const replayed = await owner.post(api(`/${hook.id}/deliveries/${e0.id}/replay`))
      assert.equal(replayed.status, 202, replayed.text)
      assert.equal(replayed.body.status, 'waiting', 'behind the delivery being sent')
      await waitFor(
        async () => (await list()).every((d) => d.status === 'delivered'),
        15_000,
        'all delivered',
      )
      const [d0, d2, d3] = [(await byLabel('e0'))!, (await byLabel('e2'))!, (await byLabel('e3'))!]
      const end = (d: any) => Date.parse(d.history.at(-1).startedAt) + d.history.at(-1).durationMs
      const start = (d: any) => Date.parse(d.history.at(-1).startedAt)
      assert.ok(start(d0) >= end(d2), 'the replay waited for e2')
      assert.ok(start(d3) >= end(d0), 'e3 waited for the replayed e0 (lower event id first)')
    } finally {
      await rec.close()
    }
  })

  test('retention removes finished deliveries older than the limit, with their payloads and attempts', async () => {
    const rec = await startReceiver(() => ({ status: 500 }))
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      const done = await ping(hook.id)
      await settled(hook.id, done, 'dead')
      await owner.patch(api(`/${hook.id}`), { enabled: false }) // a paused delivery stays open
      const open = (
        await server.ctx.db.transaction(async (tx) => {
          const [p] = await tx
            .insert(webhookPayloads)
            .values({ workspaceId: ws, event: 'webhook.test', data: {}, createdAt: new Date(0) })
            .returning()
          return tx
            .insert(webhookDeliveries)
            .values({ workspaceId: ws, endpointId: hook.id, payloadId: p!.id, event: 'webhook.test' })
            .returning()
        })
      )[0]!
      await server.ctx.db
        .update(webhookPayloads)
        .set({ createdAt: new Date(Date.now() - 31 * 86_400_000) })
        .where(eq(webhookPayloads.workspaceId, ws))
      await webhookCleanupQueue(server.ctx).handler({}, { id: 'test', retryCount: 0 })
      assert.equal((await owner.get(api(`/${hook.id}/deliveries/${done}`))).status, 404)
      assert.equal((await detail(hook.id, open.publicId)).status, 'pending')
    } finally {
      await rec.close()
    }
  })

  test('a disabled endpoint pauses its deliveries; after 72 h of failures it is disabled automatically', async () => {
    let up = false
    const rec = await startReceiver(() => (up ? { status: 200 } : { status: 503 }))
    try {
      const hook = await registerWebhook(owner, ws, rec.url, ['contact.created'])
      await settled(hook.id, await ping(hook.id), 'dead') // failing since now
      server.clock.advance(73 * 3600_000)
      const id = await ping(hook.id)
      const off = await waitFor(
        async () => {
          const w = (await owner.get(api(`/${hook.id}`))).body
          return w.enabled === false ? w : undefined
        },
        5000,
        'auto-disabled',
      )
      assert.match(off.disabledReason, /72 h/)
      // (Endpoints of earlier tests that were still failing when the clock jumped are disabled too.)
      const disabled = await server.ctx.db
        .select()
        .from(events)
        .where(and(eq(events.workspaceId, ws), eq(events.type, 'webhook.disabled')))
      assert.deepEqual(disabled.find((e) => e.payload.webhookId === hook.id)?.payload, {
        webhookId: hook.id,
        reason: off.disabledReason,
      })
      assert.equal((await detail(hook.id, id)).status, 'retrying')
      assert.equal((await owner.post(api(`/${hook.id}/test`))).status, 409)
      up = true
      const before = rec.of(id).length
      server.clock.advance(3600_000)
      await new Promise((r) => setTimeout(r, 300))
      assert.equal(rec.of(id).length, before, 'paused while disabled')
      const on = await owner.patch(api(`/${hook.id}`), { enabled: true })
      assert.equal(on.body.disabledReason, null)
      assert.equal(on.body.health.failingSince, null)
      await settled(hook.id, id, 'delivered')
    } finally {
      await rec.close()
    }
  })
})

describe('webhook delivery with two server processes on one PostgreSQL', () => {
  test('every delivery is sent exactly once, and both processes send', {
    skip: TEST_DB !== 'postgres' && 'needs a shared PostgreSQL (PGlite is one process)',
  }, async () => {
    const config = { webhooks: fastWebhooks({ concurrency: 4 }) }
    const a = await startTestServer({ config })
    const b = await startTestServer({ config, databaseUrl: a.ctx.database.url! })
    const rec = await startReceiver(() => ({ status: 200, delayMs: 3 }))
    try {
      const { workspaceId: ws, owner } = await buildWorkspace(a)
      await registerWebhook(owner.client, ws, rec.url, ['contact.updated'])
      await registerWebhook(owner.client, ws, rec.url, ['contact.updated'])
      const contacts = await Promise.all(Array.from({ length: 20 }, () => buildContact(a, ws)))
      await Promise.all(
        contacts.map(async (c, i) => {
          for (let e = 0; e < 10; e++) await touchContact(i % 2 ? a : b, ws, c.id, `e${e}`)
        }),
      )
      const expected = contacts.length * 10 * 2
      await waitFor(async () => rec.hits.length >= expected, 30_000, `${expected} deliveries`)
      await new Promise((r) => setTimeout(r, 500))
      const ids = rec.hits.map((h) => h.body.id)
      assert.equal(ids.length, expected, 'no delivery sent twice')
      assert.equal(new Set(ids).size, expected)
      assert.ok(
        a.webhooks.attempts() > 0 && b.webhooks.attempts() > 0,
        `${a.webhooks.attempts()}/${b.webhooks.attempts()}`,
      )
    } finally {
      await rec.close()
      await b.close()
      await a.close()
    }
  })
})
