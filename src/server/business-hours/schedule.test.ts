import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type Interval, isOpen, nextOpenAt, type Schedule } from './schedule'

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

describe('the next opening (nextOpenAt)', () => {
  const next = (s: Schedule, tz: string, iso: string) => nextOpenAt(s, tz, at(iso))?.toISOString() ?? null

  test('Asia/Riyadh: later today, the next working day, across the Friday–Saturday weekend', () => {
    const s: Schedule = { week: SUN_THU }
    assert.equal(next(s, 'Asia/Riyadh', '2025-06-05T07:00:00Z'), '2025-06-05T07:00:00.000Z', 'open now: now')
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-04T04:00:00Z'),
      '2025-06-04T06:00:00.000Z',
      'Wed 07:00 → 09:00',
    )
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-04T14:00:00Z'),
      '2025-06-05T06:00:00.000Z',
      'Wed 17:00 → Thu',
    )
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-05T14:00:00Z'),
      '2025-06-08T06:00:00.000Z',
      'Thu 17:00 → Sun',
    )
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-06T22:00:00Z'),
      '2025-06-08T06:00:00.000Z',
      'Sat 01:00 → Sun',
    )
    // Saturday 23:30 UTC is already Sunday 02:30 in Riyadh: the same day's 09:00.
    assert.equal(next(s, 'Asia/Riyadh', '2025-06-07T23:30:00Z'), '2025-06-08T06:00:00.000Z')
    assert.equal(next(s, 'UTC', '2025-06-07T23:30:00Z'), '2025-06-08T09:00:00.000Z', 'UTC Sunday 09:00')
  })

  test('several intervals a day, and intervals past midnight', () => {
    const week: Interval[][] = [[], [], [], [], [], [], []]
    week[4] = [
      { from: '22:00', to: '02:00' },
      { from: '09:00', to: '12:00' },
    ]
    const s: Schedule = { week }
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-05T10:00:00Z'),
      '2025-06-05T19:00:00.000Z',
      'Thu 13:00 → 22:00',
    )
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-05T22:30:00Z'),
      '2025-06-05T22:30:00.000Z',
      'Fri 01:30 is open',
    )
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-05T23:00:00Z'),
      '2025-06-12T06:00:00.000Z',
      'Fri 02:00 → next Thu',
    )
    assert.equal(
      next(s, 'Asia/Riyadh', '2025-06-05T02:00:00Z'),
      '2025-06-05T06:00:00.000Z',
      'Thu 05:00 → 09:00',
    )
  })

  test('holidays are skipped, including one that swallows a night past midnight', () => {
    const week = SUN_THU.map((d, i) => (i === 4 ? [...d, { from: '22:00', to: '02:00' }] : d))
    // Thursday 2025-06-05 and Sunday 2025-06-08 off: from Wednesday evening the next opening is Monday.
    const s: Schedule = { week, holidays: new Set(['2025-06-05', '2025-06-08']) }
    assert.equal(next(s, 'Asia/Riyadh', '2025-06-04T15:00:00Z'), '2025-06-09T06:00:00.000Z')
    // Friday 01:00 after a Thursday holiday: the night interval does not count.
    assert.equal(next(s, 'Asia/Riyadh', '2025-06-05T22:00:00Z'), '2025-06-09T06:00:00.000Z')
    // Many consecutive holidays on the only open weekday: still found, weeks ahead.
    const mondays = new Set(
      Array.from({ length: 30 }, (_, k) => at('2025-06-02T12:00:00Z').getTime() + k * 7 * 864e5).map((t) =>
        new Date(t).toISOString().slice(0, 10),
      ),
    )
    const onlyMonday: Schedule = { week: [[], NINE_TO_FIVE, [], [], [], [], []], holidays: mondays }
    assert.equal(next(onlyMonday, 'UTC', '2025-06-01T00:00:00Z'), '2025-12-29T09:00:00.000Z')
  })

  test('never open: no intervals at all', () => {
    assert.equal(next({ week: [[], [], [], [], [], [], []] }, 'Asia/Riyadh', '2025-06-05T07:00:00Z'), null)
  })

  test('a daylight saving change (Europe/London): the zone offset of the day of the opening', () => {
    const s: Schedule = { week: [[], NINE_TO_FIVE, [], [], [], [], []] }
    // Friday 2025-03-28 is GMT; the next Monday 2025-03-31 is BST, so 09:00 is 08:00Z.
    assert.equal(next(s, 'Europe/London', '2025-03-28T12:00:00Z'), '2025-03-31T08:00:00.000Z')
    // An opening at 01:30 on the night the clocks skip from 01:00 to 02:00 opens at 02:00 BST (01:00Z).
    const night: Schedule = { week: [[{ from: '01:30', to: '04:00' }], [], [], [], [], [], []] }
    assert.equal(next(night, 'Europe/London', '2025-03-29T12:00:00Z'), '2025-03-30T01:00:00.000Z')
    assert.equal(isOpen(night, 'Europe/London', at('2025-03-30T00:59:00Z')), false)
    // The following Sunday is BST throughout: 01:30 BST is 00:30Z.
    assert.equal(next(night, 'Europe/London', '2025-03-30T05:00:00Z'), '2025-04-06T00:30:00.000Z')
  })
})
