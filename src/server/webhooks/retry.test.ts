import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { WEBHOOK_DEFAULTS } from '../config'
import { decide, parseRetryAfter, retryDelayMs } from './retry'

const cfg = WEBHOOK_DEFAULTS
const low = () => 0
const high = () => 0.999999

describe('webhook retry policy', () => {
  test('the default schedule retries for more than 24 hours, even with the shortest jitter', () => {
    const retries = cfg.maxAttempts - 1
    assert.ok(retries >= 15, `${retries} retries`)
    let shortest = 0
    let longest = 0
    for (let n = 1; n <= retries; n++) {
      shortest += retryDelayMs(n, cfg, low)
      longest += retryDelayMs(n, cfg, high)
    }
    assert.ok(shortest >= 24 * 3600_000, `${(shortest / 3600_000).toFixed(1)} h`)
    assert.ok(longest <= 32 * 3600_000, `${(longest / 3600_000).toFixed(1)} h`)
    assert.equal(
      retryDelayMs(1, cfg, () => 0.5),
      30_000,
    )
    assert.equal(
      retryDelayMs(2, cfg, () => 0.5),
      60_000,
    )
    assert.equal(
      retryDelayMs(15, cfg, () => 0.5),
      4 * 3600_000,
    )
  })

  test('2xx delivers; 408, 429, 5xx and network errors retry; other statuses dead-letter at once', () => {
    const r = (status: number) => decide({ kind: 'response', status }, 1, cfg, () => 0.5).outcome
    for (const s of [200, 201, 202, 204, 299]) assert.equal(r(s), 'delivered', String(s))
    for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(r(s), 'retry', String(s))
    for (const s of [301, 302, 307, 400, 401, 403, 404, 410, 413, 422]) assert.equal(r(s), 'dead', String(s))
    const e = (code: string) => decide({ kind: 'error', code, message: '' }, 1, cfg).outcome
    for (const c of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'UND_ERR_HEADERS_TIMEOUT']) {
      assert.equal(e(c), 'retry', c)
    }
    assert.equal(e('EWEBHOOKBLOCKED'), 'dead')
  })

  test('the retry budget ends in the dead-letter state', () => {
    const fail = { kind: 'response', status: 503 } as const
    assert.equal(decide(fail, cfg.maxAttempts - 1, cfg).outcome, 'retry')
    assert.equal(decide(fail, cfg.maxAttempts, cfg).outcome, 'dead')
  })

  test('Retry-After lengthens a retry, up to the cap, never shortens it', () => {
    const now = new Date('2026-01-01T00:00:00Z')
    assert.equal(parseRetryAfter('120', now), 120_000)
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now), 60_000)
    assert.equal(parseRetryAfter('soon', now), undefined)
    const d = (retryAfterMs: number) =>
      decide({ kind: 'response', status: 429, retryAfterMs }, 1, cfg, () => 0.5)
    assert.deepEqual(d(600_000), { outcome: 'retry', delayMs: 600_000 })
    assert.deepEqual(d(1000), { outcome: 'retry', delayMs: 30_000 })
    assert.deepEqual(d(48 * 3600_000), { outcome: 'retry', delayMs: cfg.retryMaxMs })
  })
})
