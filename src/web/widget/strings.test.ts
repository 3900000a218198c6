import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pickLanguage, STRINGS } from './strings'

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
