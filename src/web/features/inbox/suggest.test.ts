import assert from 'node:assert/strict'
import { test } from 'node:test'
import { snoozePresets } from './snooze'
import { encodeMentions, replaceToken, tokenAt } from './suggest'

test('tokenAt finds the /snippet or @mention being typed before the caret', () => {
  assert.deepEqual(tokenAt('/hel', 4, '/'), { start: 0, query: 'hel' })
  assert.deepEqual(tokenAt('hi /', 4, '/'), { start: 3, query: '' })
  assert.equal(tokenAt('a/b', 3, '/'), null, 'not inside a word (URLs, dates)')
  assert.deepEqual(tokenAt('ask @Ol', 7, '@'), { start: 4, query: 'Ol' })
  assert.equal(tokenAt('mail a@b', 8, '@'), null)
})

test('replaceToken swaps the token for the chosen value and moves the caret after it', () => {
  assert.deepEqual(replaceToken('x /he y', 2, 5, 'Hello!'), { text: 'x Hello! y', caret: 8 })
})

test('encodeMentions turns picked names into the API mention form, longest name first', () => {
  const picked = new Map([
    ['Ola', 1],
    ['Ola Owner', 2],
  ])
  assert.equal(encodeMentions('@Ola Owner and @Ola, see', picked), '{{@user.2}} and {{@user.1}}, see')
})

test('snooze presets are in the future, tomorrow and next week at 9:00', () => {
  const now = new Date(2026, 10, 21, 15, 30) // a Saturday
  const [hour, three, tomorrow, week] = snoozePresets(now)
  assert.equal(hour!.at.getTime() - now.getTime(), 3600_000)
  assert.equal(three!.at.getTime() - now.getTime(), 3 * 3600_000)
  assert.equal(tomorrow!.at.getDate(), 22)
  assert.equal(tomorrow!.at.getHours(), 9)
  assert.equal(week!.at.getDay(), 1, 'Monday')
  assert.equal(week!.at.getDate(), 23)
})
