import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  channelPayload,
  extensionOf,
  formatSize,
  keyFromName,
  kindOf,
  moved,
  splitMinutes,
  weekdayName,
  weekOrder,
} from './helpers'

test('moving an item swaps it with its neighbour and never leaves the list', () => {
  assert.deepEqual(moved([1, 2, 3], 2, -1), [2, 1, 3])
  assert.deepEqual(moved([1, 2, 3], 2, 1), [1, 3, 2])
  assert.deepEqual(moved([1, 2, 3], 1, -1), [1, 2, 3])
  assert.deepEqual(moved([1, 2, 3], 3, 1), [1, 2, 3])
  assert.deepEqual(moved([1, 2, 3], 9, 1), [1, 2, 3])
})

test('a field name suggests a valid key: lower-case, underscores, starting with a letter', () => {
  assert.equal(keyFromName('Customer Tier'), 'customer_tier')
  assert.equal(keyFromName('2nd Phone!'), 'nd_phone')
  assert.equal(keyFromName('الخطة'), '')
  assert.match(keyFromName('x'.repeat(80)), /^x{50}$/)
})

test('auto-close minutes show in the largest unit that divides them (rule 39)', () => {
  assert.deepEqual(splitMinutes(1440), { amount: 1, unit: 'days' })
  assert.deepEqual(splitMinutes(360), { amount: 6, unit: 'hours' })
  assert.deepEqual(splitMinutes(90), { amount: 90, unit: 'minutes' })
  assert.deepEqual(splitMinutes(14 * 1440), { amount: 14, unit: 'days' })
})

test('the connect wizard nests dotted keys, converts numbers and lines, and leaves empty values out', () => {
  const setup = [
    { key: 'address', in: 'config', input: 'text' },
    { key: 'smtp.host', in: 'config', input: 'text' },
    { key: 'smtp.port', in: 'config', input: 'number' },
    { key: 'smtp.secure', in: 'config', input: 'checkbox' },
    { key: 'imap.host', in: 'config', input: 'text' },
    { key: 'smtpPassword', in: 'secrets', input: 'password' },
    { key: 'allowedOrigins', in: 'config', input: 'lines' },
  ] as const
  const { config, secrets } = channelPayload([...setup], {
    address: 'support@acme.test',
    'smtp.host': 'smtp.acme.test',
    'smtp.port': '587',
    'smtp.secure': false,
    'imap.host': '',
    smtpPassword: 's3cret',
    allowedOrigins: ' https://www.acme.test \n\nhttps://shop.acme.test\n',
  })
  assert.deepEqual(config, {
    address: 'support@acme.test',
    smtp: { host: 'smtp.acme.test', port: 587, secure: false },
    allowedOrigins: ['https://www.acme.test', 'https://shop.acme.test'],
  })
  assert.deepEqual(secrets, { smtpPassword: 's3cret' })
})

test("file sizes in the largest unit, in the reader's language", () => {
  assert.equal(formatSize(0, 'en'), '0 byte')
  assert.equal(formatSize(1023, 'en'), '1,023 byte')
  assert.equal(formatSize(1536, 'en'), '1.5 kB')
  assert.equal(formatSize(25 * 1024 * 1024, 'en'), '25 MB')
  assert.match(formatSize(1536, 'ar'), /كيلوبايت/)
})

test('library files: a kind from the MIME type and a short extension badge', () => {
  assert.equal(kindOf('image/png'), 'image')
  assert.equal(kindOf('audio/ogg'), 'audio')
  assert.equal(kindOf('video/mp4'), 'video')
  assert.equal(kindOf('application/pdf'), 'document')
  assert.equal(kindOf('text/plain'), 'document')
  assert.equal(extensionOf('Prices 2026.pdf'), 'PDF')
  assert.equal(extensionOf('عقد.docx'), 'DOCX')
  assert.equal(extensionOf('README'), null)
  assert.equal(extensionOf('archive.backup2026'), null)
})

test('business hours list the week as the language does, with localized day names', () => {
  assert.deepEqual(weekOrder('ar'), [6, 0, 1, 2, 3, 4, 5])
  assert.deepEqual(weekOrder('en'), [1, 2, 3, 4, 5, 6, 0])
  assert.equal(weekdayName(0, 'en'), 'Sunday')
  assert.equal(weekdayName(5, 'en'), 'Friday')
  assert.equal(weekdayName(5, 'ar'), 'الجمعة')
})
