import assert from 'node:assert/strict'
import { test } from 'node:test'
import i18n from 'i18next'
import ar from '../../i18n/ar.json'
import en from '../../i18n/en.json'
import { describeNotification, readableMentions } from './describe'
import { relativeTime } from './relativeTime'

const NOW = Date.parse('2026-11-21T10:00:00Z')

test('relative times come from Intl in the UI language', () => {
  assert.equal(relativeTime('2026-11-21T09:55:00Z', 'en', NOW), '5 minutes ago')
  assert.equal(relativeTime('2026-11-21T10:00:00Z', 'en', NOW), 'now')
  assert.equal(relativeTime('2026-11-20T10:00:00Z', 'en', NOW), 'yesterday')
  assert.equal(relativeTime('2026-11-07T10:00:00Z', 'en', NOW), '2 weeks ago')
  assert.equal(
    relativeTime('2026-11-21T09:55:00Z', 'ar', NOW),
    new Intl.RelativeTimeFormat('ar', { numeric: 'auto' }).format(-5, 'minute'),
  )
  assert.match(relativeTime('2026-11-21T09:55:00Z', 'ar', NOW), /دقائق/)
})

test('mentions read as @Name (rule 50 tokens); unknown ids stay as written', () => {
  const names = new Map([[7, 'Sara Agent']])
  assert.equal(
    readableMentions('call her {{@user.7}} and {{@user.9}}', names),
    'call her @Sara Agent and {{@user.9}}',
  )
})

test('who did it: a teammate by name, an automation, or no one named', async () => {
  const t = i18n.createInstance()
  await t.init({ resources: { en: { translation: en }, ar: { translation: ar } }, lng: 'en' })
  const names = new Map([[3, 'Olivia Owner']])
  const T = t.t.bind(t)
  assert.equal(
    describeNotification(T, { kind: 'mention', actor: { kind: 'user', id: 3 } }, names),
    'Olivia Owner mentioned you',
  )
  assert.equal(
    describeNotification(T, { kind: 'assignment', actor: { kind: 'workflow', id: 12 } }, names),
    'An automation assigned a contact to you',
  )
  assert.equal(
    describeNotification(T, { kind: 'assignment', actor: { kind: 'api', id: null } }, names),
    'A contact was assigned to you',
  )
  await t.changeLanguage('ar')
  assert.equal(
    describeNotification(T, { kind: 'mention', actor: { kind: 'user', id: 3 } }, names),
    'أشار إليك Olivia Owner',
  )
})
