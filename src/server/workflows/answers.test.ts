import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkAnswer, choiceId, type QuestionRules, type Reply } from './answers'

const text = (t: string): Reply => ({ type: 'text', text: t, content: {} })
const ok = (q: QuestionRules, r: Reply) => {
  const c = checkAnswer(q, r)
  assert.ok(c.ok, `${q.type}: ${JSON.stringify(r)} should be valid (${c.ok ? '' : c.reason})`)
  return c.value
}
const bad = (q: QuestionRules, r: Reply) =>
  assert.equal(checkAnswer(q, r).ok, false, `${q.type}: ${JSON.stringify(r)} should be invalid`)

describe('Ask a Question answer types (rules 70–71)', () => {
  test('text', () => {
    assert.equal(ok({ type: 'text' }, text('  hello ')), 'hello')
    bad({ type: 'text' }, text('   '))
    bad({ type: 'text' }, { type: 'image', text: null, content: {} })
  })
  test('multiple choice: the text (any case), its number, or the button/list reply id', () => {
    const q: QuestionRules = { type: 'multiple_choice', choices: ['Sales', 'Support', 'Billing'] }
    assert.equal(ok(q, text('support')), 'Support')
    assert.equal(ok(q, text('3')), 'Billing')
    assert.equal(ok(q, text('٢')), 'Support')
    assert.equal(
      ok(q, {
        type: 'interactive',
        text: 'whatever',
        content: { reply: { id: choiceId(0), title: 'Sales' } },
      }),
      'Sales',
    )
    bad(q, text('4'))
    bad(q, text('marketing'))
  })
  test('number with min and max; Arabic digits and thousands separators', () => {
    const q: QuestionRules = { type: 'number', min: 1, max: 1000 }
    assert.equal(ok(q, text('٤٢')), 42)
    assert.equal(ok(q, text('1,000')), 1000)
    assert.equal(ok(q, text('2.5')), 2.5)
    bad(q, text('0'))
    bad(q, text('1001'))
    bad(q, text('ten'))
  })
  test('date in the configured format, normalised to YYYY-MM-DD', () => {
    assert.equal(ok({ type: 'date', dateFormat: 'DD/MM/YYYY' }, text('5/3/2024')), '2024-03-05')
    assert.equal(ok({ type: 'date', dateFormat: 'MM/DD/YYYY' }, text('03/05/2024')), '2024-03-05')
    assert.equal(ok({ type: 'date' }, text('2024-02-29')), '2024-02-29')
    bad({ type: 'date' }, text('2023-02-29'))
    bad({ type: 'date', dateFormat: 'DD/MM/YYYY' }, text('2024-03-05'))
  })
  test('phone (E.164), email (lower case), URL', () => {
    assert.equal(ok({ type: 'phone' }, text('+966 50 123 4567')), '+966501234567')
    assert.equal(ok({ type: 'phone' }, text('٠٠٩٦٦٥٠١٢٣٤٥٦٧')), '+966501234567')
    bad({ type: 'phone' }, text('12345'))
    assert.equal(ok({ type: 'email' }, text('Sara@Example.com')), 'sara@example.com')
    bad({ type: 'email' }, text('sara@'))
    assert.equal(ok({ type: 'url' }, text('example.com/shop')), 'https://example.com/shop')
    assert.equal(ok({ type: 'url' }, text('http://x.example.org')), 'http://x.example.org/')
    bad({ type: 'url' }, text('not a site'))
  })
  test('rating 1–5: a digit, "4/5" or stars', () => {
    assert.equal(ok({ type: 'rating' }, text('4')), 4)
    assert.equal(ok({ type: 'rating' }, text('4/5')), 4)
    assert.equal(ok({ type: 'rating' }, text('⭐⭐⭐')), 3)
    bad({ type: 'rating' }, text('6'))
    bad({ type: 'rating' }, text('⭐⭐⭐⭐⭐⭐'))
  })
  test('location: a location message, or "(longitude, latitude)" as text', () => {
    assert.deepEqual(
      ok(
        { type: 'location' },
        { type: 'location', text: null, content: { location: { latitude: 24.7, longitude: 46.6 } } },
      ),
      {
        latitude: 24.7,
        longitude: 46.6,
      },
    )
    assert.deepEqual(ok({ type: 'location' }, text('(46.6753, 24.7136)')), {
      latitude: 24.7136,
      longitude: 46.6753,
    })
    bad({ type: 'location' }, text('(200, 10)'))
    bad({ type: 'location' }, text('Riyadh'))
  })
})
