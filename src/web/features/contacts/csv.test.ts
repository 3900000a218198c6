import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCsv, parseImportReport } from './csv'

test('parses quoted cells with commas, doubled quotes, newlines and Arabic', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\n"سطر\nثانٍ",\n'), [
    ['a', 'b'],
    ['x, y', 'say "hi"'],
    ['سطر\nثانٍ', ''],
  ])
  assert.deepEqual(parseCsv('one'), [['one']])
})

test('reads the import report into typed rows, skipping the header and a BOM', () => {
  const rows = parseImportReport(
    '\uFEFFrow,outcome,contact_id,reason\n2,created,7,\n3,failed,,"Phone: Add the country code, e.g. +966."\n',
  )
  assert.deepEqual(rows, [
    { row: 2, outcome: 'created', contactId: '7', reason: '' },
    { row: 3, outcome: 'failed', contactId: '', reason: 'Phone: Add the country code, e.g. +966.' },
  ])
})
