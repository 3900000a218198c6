import assert from 'node:assert/strict'
import { test } from 'node:test'
import { awayNotice, pickLanguage, STRINGS, visitorLocale } from './strings'

test('every widget string exists in English and Arabic, none empty', () => {
  assert.deepEqual(Object.keys(STRINGS.ar).sort(), Object.keys(STRINGS.en).sort())
  for (const lang of ['en', 'ar'] as const) {
    for (const [k, v] of Object.entries(STRINGS[lang])) assert.ok(v.trim(), `${lang}.${k} is empty`)
  }
  assert.match(STRINGS.ar.send, /[\u0600-\u06FF]/, 'the Arabic strings are Arabic')
})

test('the language follows data-lang, then the page, then the browser', () => {
  assert.equal(pickLanguage('ar', 'en', 'en-US'), 'ar')
  assert.equal(pickLanguage('en', 'ar', 'ar-SA'), 'en')
  assert.equal(pickLanguage(undefined, 'ar-EG', 'en-US'), 'ar')
  assert.equal(pickLanguage('', '', 'ar'), 'ar')
  assert.equal(pickLanguage(undefined, '', 'fr-FR'), 'en')
  assert.equal(pickLanguage(undefined, 'arn', 'en'), 'en', 'Mapudungun is not Arabic')
})

test("the away notice: both languages, the next opening in the visitor's locale and time zone", () => {
  for (const lang of ['en', 'ar'] as const) assert.ok(STRINGS[lang].away.includes('{when}'), `${lang}.away`)
  const now = new Date('2025-06-05T15:00:00Z') // Thursday 18:00 in Riyadh
  const closed = { open: false, nextOpenAt: '2025-06-08T06:00:00.000Z' } // Sunday 09:00 in Riyadh
  const riyadh = { now, timeZone: 'Asia/Riyadh' }
  assert.equal(
    awayNotice('en', closed, { ...riyadh, locale: 'en-US' }),
    "We're away right now. We'll reply when we're back — Sunday 9:00 AM.",
  )
  assert.equal(
    awayNotice('en', closed, { ...riyadh, locale: 'en-GB' }),
    "We're away right now. We'll reply when we're back — Sunday 09:00.",
  )
  // A visitor in London sees the same instant in their own time.
  assert.match(
    awayNotice('en', closed, { now, locale: 'en-GB', timeZone: 'Europe/London' }),
    /Sunday 07:00\.$/,
  )
  const ar = awayNotice('ar', closed, { ...riyadh, locale: 'ar' })
  assert.ok(ar.startsWith('فريقنا غير متاح الآن. سنردّ عليك عند عودتنا — '), ar)
  assert.match(ar, /الأحد/, 'the Arabic weekday')
  assert.ok(!ar.includes('{when}'))
  // A week or more ahead: with the date.
  const later = { open: false, nextOpenAt: '2025-06-15T06:00:00.000Z' }
  assert.match(awayNotice('en', later, { ...riyadh, locale: 'en-US' }), /Sunday, June 15(,| at) 9:00 AM\.$/)
  assert.equal(
    awayNotice('en', { open: false, nextOpenAt: null }, { ...riyadh, locale: 'en' }),
    STRINGS.en.awayNoTime,
  )
  assert.equal(awayNotice('ar', { open: true, nextOpenAt: null }, { ...riyadh, locale: 'ar' }), '')
  assert.equal(awayNotice('en', null, { ...riyadh, locale: 'en' }), '')
})

test("dates are formatted in the visitor's locale when it is in the widget's language", () => {
  assert.equal(visitorLocale('en', ['en-GB', 'en']), 'en-GB')
  assert.equal(visitorLocale('en', ['fr-FR', 'en-US']), 'en-US')
  assert.equal(visitorLocale('ar', ['en-US']), 'ar')
  assert.equal(visitorLocale('ar', ['ar-EG', 'ar']), 'ar-EG')
})
