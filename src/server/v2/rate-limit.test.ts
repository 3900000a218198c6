import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { request } from 'undici'
import { apiV2Client } from '../test/api-v2'
import { setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { RATE_LIMIT_HEADERS, TOO_MANY_REQUESTS } from './fixtures/respondio-v2-docs'

/** The /v2 rate limit over real HTTP (undici): per token, per method, 429 with Retry-After. */
let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>

before(async () => {
  // respond.io's 5 requests per method, over a minute so a slow machine cannot reset the window mid-test.
  server = await startTestServer({ listen: true, config: { rateLimitApiV2: { max: 5, windowMs: 60_000 } } })
  owner = await setupOwner(server)
})
after(() => server.close())

const token = async () => (await apiV2Client(server, owner.client, owner.workspaceId)).token
async function get(path: string, bearer: string | null) {
  const res = await request(`${server.url}${path}`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
  })
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as any }
}

describe('rate limit (respond.io: per method, 429 with Retry-After)', () => {
  test('the 6th call of one method with one token is a 429; other methods and other tokens go on', async () => {
    const t = await token()
    for (let i = 1; i <= 5; i++) {
      const res = await get('/v2/space/user', t)
      assert.equal(res.status, 200)
      assert.equal(res.headers['x-ratelimit-limit'], '5')
      assert.equal(res.headers['x-ratelimit-remaining'], String(5 - i))
      // Not in respond.io's list, documented in docs/api-v2.md: seconds until the window resets.
      assert.match(String(res.headers['x-ratelimit-reset']), /^\d+$/)
    }
    const limited = await get('/v2/space/user', t)
    assert.equal(limited.status, 429)
    assert.deepEqual(limited.body, TOO_MANY_REQUESTS)
    for (const h of RATE_LIMIT_HEADERS) assert.ok(limited.headers[h] !== undefined, `${h} present`)
    const retryAfter = Number(limited.headers['retry-after'])
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After ${retryAfter}`,
    )
    assert.equal(limited.headers['x-ratelimit-remaining'], '0')

    assert.equal((await get('/v2/space/channel', t)).status, 200, 'another method has its own budget')
    assert.equal((await get('/v2/space/user', await token())).status, 200, 'another token has its own budget')
  })

  test('refused requests count: invalid input and unknown tokens use the budget too', async () => {
    const t = await token()
    for (let i = 0; i < 5; i++) assert.equal((await get('/v2/space/user?limit=0', t)).status, 400)
    assert.equal((await get('/v2/space/user', t)).status, 429)
    for (let i = 0; i < 5; i++)
      assert.equal((await get('/v2/space/closing_notes', 'tws_1_unknown')).status, 401)
    assert.equal((await get('/v2/space/closing_notes', 'tws_1_unknown')).status, 429)
    // Without a token the client address is the key.
    for (let i = 0; i < 5; i++) assert.equal((await get('/v2/space/custom_field', null)).status, 401)
    assert.equal((await get('/v2/space/custom_field', null)).status, 429)
  })

  test('after Retry-After seconds the method is open again', async () => {
    const fast = await startTestServer({
      listen: true,
      // 5 s, not 1 s: under heavy load three concurrent requests once spread over more than a second.
      config: { rateLimitApiV2: { max: 2, windowMs: 5000 } },
    })
    try {
      const o = await setupOwner(fast)
      const t = (await apiV2Client(fast, o.client, o.workspaceId)).token
      const hit = async () =>
        request(`${fast.url}/v2/space/user`, { headers: { authorization: `Bearer ${t}` } }).then(
          async (r) => {
            await r.body.dump()
            return r
          },
        )
      // Three at once, well inside one window.
      const answers = await Promise.all([hit(), hit(), hit()])
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 200, 429])
      const limited = answers.find((r) => r.statusCode === 429)!
      assert.ok(Number(limited.headers['retry-after']) <= 5)
      await new Promise((r) => setTimeout(r, Number(limited.headers['retry-after']) * 1000 + 100))
      assert.equal((await hit()).statusCode, 200)
    } finally {
      await fast.close()
    }
  })
})
