import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Interval, isOpen, type Schedule } from './schedule'

const NINE_TO_FIVE: Interval[] = [{ from: '09:00', to: '17:00' }]
/** Sunday–Thursday 09:00–17:00; Friday and Saturday closed (a Saudi working week). */
const SUN_THU: Interval[][] = [NINE_TO_FIVE, NINE_TO_FIVE, NINE_TO_FIVE, NINE_TO_FIVE, NINE_TO_FIVE, [], []]
const at = (iso: string) => new Date(iso)

describe('business hours evaluation (isOpen)', () => {
  test('weekday intervals in Asia/Riyadh with a Friday–Saturday weekend', () => {
    const s: Schedule = { week: SUN_THU }
    // 2025-06-05 is a Thursday; Riyadh is UTC+3 all year.
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-05T07:00:00Z')), true, 'Thursday 10:00')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-06T07:00:00Z')), false, 'Friday 10:00')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-07T07:00:00Z')), false, 'Saturday 10:00')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-08T05:59:00Z')), false, 'Sunday 08:59')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-08T06:00:00Z')), true, 'Sunday 09:00')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-08T13:59:00Z')), true, 'Sunday 16:59')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-08T14:00:00Z')), false, 'Sunday 17:00 is closed')
    // The same instant is Saturday evening in UTC: the time zone decides the weekday.
    assert.equal(isOpen(s, 'UTC', at('2025-06-07T23:30:00Z')), false)
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-07T23:30:00Z')), false, 'Sunday 02:30 Riyadh')
  })

  test('several intervals a day, and an interval past midnight', () => {
    const week: Interval[][] = [[], [], [], [], [], [], []]
    week[4] = [
      { from: '09:00', to: '12:00' },
      { from: '22:00', to: '02:00' },
    ]
    const s: Schedule = { week }
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-05T10:00:00Z')), false, 'Thursday 13:00, a break')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-05T19:30:00Z')), true, 'Thursday 22:30')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-05T22:30:00Z')), true, 'Friday 01:30, from Thursday')
    assert.equal(isOpen(s, 'Asia/Riyadh', at('2025-06-05T23:00:00Z')), false, 'Friday 02:00')
  })

  test('a holiday is closed all day, including the small hours of a night that started on it', () => {
    const week = SUN_THU.map((d, i) => (i === 4 ? [...d, { from: '22:00', to: '02:00' }] : d))
    const open: Schedule = { week }
    const thursdayOff: Schedule = { week, holidays: new Set(['2025-06-05']) }
    assert.equal(isOpen(open, 'Asia/Riyadh', at('2025-06-05T07:00:00Z')), true)
    assert.equal(isOpen(thursdayOff, 'Asia/Riyadh', at('2025-06-05T07:00:00Z')), false, 'Thursday 10:00')
    assert.equal(isOpen(open, 'Asia/Riyadh', at('2025-06-05T22:30:00Z')), true, 'Friday 01:30')
    assert.equal(isOpen(thursdayOff, 'Asia/Riyadh', at('2025-06-05T22:30:00Z')), false, 'Friday 01:30')
    const fridayOff: Schedule = { week, holidays: new Set(['2025-06-06']) }
    assert.equal(isOpen(fridayOff, 'Asia/Riyadh', at('2025-06-05T19:30:00Z')), true, 'Thursday 22:30')
    assert.equal(isOpen(fridayOff, 'Asia/Riyadh', at('2025-06-05T22:30:00Z')), false, 'Friday 01:30')
    // The holiday is a local date: 2025-06-04T22:00Z is already Thursday in Riyadh.
    assert.equal(isOpen(thursdayOff, 'UTC', at('2025-06-04T22:00:00Z')), false, 'Wednesday 22:00 UTC')
  })

  test('a zone that observes daylight saving time (Europe/London)', () => {
    const week: Interval[][] = [[{ from: '00:00', to: '03:00' }], NINE_TO_FIVE, [], [], [], [], []]
    const s: Schedule = { week }
    // Monday 2025-03-24 is GMT (UTC+0); Monday 2025-03-31 is BST (UTC+1).
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-24T08:59:00Z')), false)
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-24T09:00:00Z')), true)
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-24T16:59:00Z')), true)
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-31T07:59:00Z')), false, '08:59 BST')
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-31T08:00:00Z')), true, '09:00 BST')
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-31T16:00:00Z')), false, '17:00 BST')
    // Sunday 2025-03-30: clocks go from 01:00 GMT to 02:00 BST, the night is an hour shorter.
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-30T00:30:00Z')), true, '00:30 GMT')
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-30T01:30:00Z')), true, '02:30 BST')
    assert.equal(isOpen(s, 'Europe/London', at('2025-03-30T02:00:00Z')), false, '03:00 BST')
  })
})
