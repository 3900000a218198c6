import assert from 'node:assert/strict'
import { createVerify, generateKeyPairSync } from 'node:crypto'
import { describe, test } from 'node:test'
import { pickAssignee } from './assignees'
import { compare } from './compare'
import { serviceAccountAssertion } from './http/google-auth'
import { type DateTimeConfig, dateTime, withinSchedule } from './steps/date-time'
import { mapResponse } from './steps/http-request'
import { parseDefinition } from './validate'

describe('pure workflow logic', () => {
  test('Branch operators (rule 73): text without case, numbers, dates, arrays, existence', () => {
    assert.ok(compare('Riyadh', 'is', 'riyadh'))
    assert.ok(compare(undefined, 'is_not', 'x'))
    assert.ok(compare('Gold plan', 'contains', 'GOLD'))
    assert.ok(compare('', 'not_exists', undefined))
    assert.ok(compare(0, 'exists', undefined), 'zero is a value')
    assert.ok(compare('150', 'greater', '100'))
    assert.ok(!compare('abc', 'greater', '1'))
    assert.ok(compare('2024-01-01', 'before', '2024-01-02T00:00:00Z'))
    assert.ok(compare(new Date('2025-06-01T00:00:00Z'), 'after', '2025-05-31'))
    assert.ok(compare(['a', 'VIP'], 'is', 'vip'))
    assert.ok(compare(['a'], 'is_not', 'vip'))
    assert.ok(compare([], 'not_exists', undefined))
  })

  test('Assign To picks (rule 25): round robin continues after the last pick and wraps; least open breaks ties in turn', () => {
    const counts = new Map([
      [1, 3],
      [2, 1],
      [3, 1],
    ])
    assert.equal(pickAssignee([3, 1, 2], { logic: 'round_robin', last: null, counts }), 1)
    assert.equal(pickAssignee([3, 1, 2], { logic: 'round_robin', last: 1, counts }), 2)
    assert.equal(pickAssignee([3, 1, 2], { logic: 'round_robin', last: 3, counts }), 1)
    assert.equal(pickAssignee([1, 3], { logic: 'round_robin', last: 2, counts }), 3)
    assert.equal(pickAssignee([1, 2, 3], { logic: 'least_open', last: null, counts }), 2)
    assert.equal(pickAssignee([1, 2, 3], { logic: 'least_open', last: 2, counts }), 3)
    assert.equal(pickAssignee([], { logic: 'least_open', last: null, counts }), null)
  })

  test('Date & Time (rule 81): hours per weekday in a time zone, past midnight, and date ranges', () => {
    const hours = (
      o: Partial<
        Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', { from: string; to: string }[]>
      >,
    ) =>
      ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...o }) as NonNullable<
        DateTimeConfig['hours']
      >
    const riyadh: DateTimeConfig = {
      timezone: 'Asia/Riyadh',
      mode: 'business_hours',
      hours: hours({ sun: [{ from: '09:00', to: '17:00' }] }),
    }
    // Sunday 2025-06-01 08:59 and 09:00 in Riyadh (UTC+3).
    assert.equal(withinSchedule(riyadh, new Date('2025-06-01T05:59:00Z')), false)
    assert.equal(withinSchedule(riyadh, new Date('2025-06-01T06:00:00Z')), true)
    assert.equal(withinSchedule(riyadh, new Date('2025-06-01T14:00:00Z')), false, '17:00 is closed')
    assert.equal(withinSchedule(riyadh, new Date('2025-06-02T07:00:00Z')), false, 'Monday is closed')
    const night: DateTimeConfig = {
      timezone: 'Asia/Dubai',
      mode: 'business_hours',
      hours: hours({ fri: [{ from: '22:00', to: '02:00' }] }),
    }
    assert.equal(withinSchedule(night, new Date('2025-06-06T18:30:00Z')), true, 'Friday 22:30 Dubai')
    assert.equal(
      withinSchedule(night, new Date('2025-06-06T21:30:00Z')),
      true,
      'Saturday 01:30 Dubai, from Friday night',
    )
    assert.equal(withinSchedule(night, new Date('2025-06-06T22:30:00Z')), false)
    const range: DateTimeConfig = {
      timezone: 'Africa/Cairo',
      mode: 'date_range',
      range: { start: '2025-03-01T00:00', end: '2025-03-30T00:00' },
    }
    assert.equal(withinSchedule(range, new Date('2025-02-28T21:59:00Z')), false)
    assert.equal(withinSchedule(range, new Date('2025-02-28T22:00:00Z')), true)
    // The workspace's business hours need no time zone of their own; the step's own hours do.
    assert.ok(dateTime.configSchema.safeParse({ mode: 'workspace_hours' }).success)
    const noZone = dateTime.configSchema.safeParse({ mode: 'business_hours', hours: riyadh.hours })
    assert.deepEqual(
      noZone.error?.issues.map((i) => i.path.join('.')),
      ['timezone'],
    )
    assert.ok(dateTime.configSchema.safeParse(riyadh).success)
  })

  test('HTTP response mappings (JSONPath)', () => {
    const body = { customerType: 'VIP', custom_fields: { email: 'a@b.c' }, orders: [{ id: 1 }, { id: 2 }] }
    assert.deepEqual(
      mapResponse(body, [
        { path: '$.customerType', variable: 'T' },
        { path: '$.custom_fields.email', variable: 'E' },
        { path: '$.orders[*].id', variable: 'Ids' },
        { path: '$.orders[0].id', variable: 'First' },
        { path: '$.nothing', variable: 'N' },
      ]),
      { T: 'VIP', E: 'a@b.c', Ids: [1, 2], First: 1 },
    )
  })

  test('the Google service-account assertion is an RS256 JWT a verifier accepts', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const jwt = serviceAccountAssertion(
      {
        clientEmail: 'svc@p.iam.gserviceaccount.com',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        privateKeyId: 'k1',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        scope: 'https://www.googleapis.com/auth/spreadsheets',
      },
      new Date('2025-01-01T00:00:00Z'),
    )
    const [h, c, sig] = jwt.split('.')
    assert.deepEqual(JSON.parse(Buffer.from(h!, 'base64url').toString()), {
      alg: 'RS256',
      typ: 'JWT',
      kid: 'k1',
    })
    const claims = JSON.parse(Buffer.from(c!, 'base64url').toString())
    assert.equal(claims.exp - claims.iat, 3600)
    assert.equal(claims.aud, 'https://oauth2.googleapis.com/token')
    assert.ok(
      createVerify('RSA-SHA256').update(`${h}.${c}`).verify(publicKey, Buffer.from(sig!, 'base64url')),
    )
  })

  test('definitions: malformed shapes, duplicate ids and more than 100 steps are refused (rule 61)', () => {
    const base = { version: 1, trigger: { type: 'manual', conditions: {}, oncePerContact: false } }
    const step = (id: string) => ({ id, kind: 'wait', name: '', config: {} })
    assert.throws(
      () => parseDefinition({ ...base, steps: [{ id: 'a', kind: 'teleport', name: '', config: {} }] }),
      /Unknown step kind/,
    )
    assert.throws(() => parseDefinition({ ...base, steps: [step('a'), step('a')] }), /unique: a/)
    assert.doesNotThrow(() =>
      parseDefinition({ ...base, steps: Array.from({ length: 100 }, (_, i) => step(`s${i}`)) }),
    )
    assert.throws(
      () =>
        parseDefinition({
          ...base,
          steps: [
            {
              ...step('root'),
              kind: 'branch',
              branches: { else: Array.from({ length: 100 }, (_, i) => step(`s${i}`)) },
            },
          ],
        }),
      /at most 100 steps \(this one has 101\)/,
    )
  })
})
