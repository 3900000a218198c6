import { DateTime } from 'luxon'
import { z } from 'zod'

export const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** One opening interval of a day, local HH:mm. A `to` at or before `from` runs past midnight. */
export type Interval = { from: string; to: string }

/**
 * A weekly schedule: `week[0]` is Sunday … `week[6]` Saturday (as `Date#getDay`), a day without
 * intervals is closed; `holidays` are local YYYY-MM-DD dates closed all day.
 */
export type Schedule = { week: readonly (readonly Interval[])[]; holidays?: ReadonlySet<string> }

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * Whether `now` falls within the schedule in `timezone`. The one evaluation of business hours:
 * the Date & Time step uses it for its own hours and for the workspace's (`scheduleOf`).
 */
export function isOpen(schedule: Schedule, timezone: string, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: timezone })
  const holiday = (d: DateTime) => schedule.holidays?.has(d.toISODate() ?? '') ?? false
  if (holiday(local)) return false
  const at = local.hour * 60 + local.minute
  const today = local.weekday % 7 // luxon: Monday 1 … Sunday 7
  for (const i of schedule.week[today] ?? []) {
    const [f, t] = [minutes(i.from), minutes(i.to)]
    if (f < t ? at >= f && at < t : at >= f) return true
  }
  // An interval that runs past midnight covers the small hours of the next day, unless the day
  // it started on was a holiday.
  const yesterday = local.minus({ days: 1 })
  if (holiday(yesterday)) return false
  for (const i of schedule.week[yesterday.weekday % 7] ?? []) {
    const [f, t] = [minutes(i.from), minutes(i.to)]
    if (f > t && at < t) return true
  }
  return false
}

/**
 * The next instant at or after `now` when the schedule is open in `timezone`: `now` itself when it
 * is open, else the start of the first interval ahead (searching day by day in the zone, skipping
 * holidays), or null when the schedule never opens (no intervals, or none left clear of holidays).
 * Each candidate is checked with `isOpen`, so a start that a DST change skips is passed over.
 */
export function nextOpenAt(schedule: Schedule, timezone: string, now: Date): Date | null {
  if (isOpen(schedule, timezone, now)) return now
  if (!schedule.week.some((day) => day.length > 0)) return null
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day')
  // Every weekday with intervals recurs each 7 days; a holiday can only take one of its dates.
  const days = 7 * ((schedule.holidays?.size ?? 0) + 2)
  for (let n = 0; n <= days; n++) {
    const day = today.plus({ days: n })
    if (schedule.holidays?.has(day.toISODate() ?? '')) continue
    const starts = (schedule.week[day.weekday % 7] ?? []).map((i) => minutes(i.from)).sort((a, b) => a - b)
    for (const m of starts) {
      let start = DateTime.fromObject(
        { year: day.year, month: day.month, day: day.day, hour: Math.floor(m / 60), minute: m % 60 },
        { zone: timezone },
      )
      // A start the clocks skip over (luxon moves it forward by the gap): the interval opens when
      // the gap ends, the first minute of the day whose local time is past the start.
      while (start.minus({ minutes: 1 }).hasSame(day, 'day')) {
        const before = start.minus({ minutes: 1 })
        if (before.hour * 60 + before.minute < m) break
        start = before
      }
      const at = start.toJSDate()
      if (at > now && isOpen(schedule, timezone, at)) return at
    }
  }
  return null
}

const timeSchema = z.string().regex(TIME, 'Use a time as HH:MM (00:00–23:59).')
const intervalSchema = z.strictObject({ from: timeSchema, to: timeSchema })
const daySchema = z
  .array(intervalSchema)
  .max(4, 'At most 4 intervals a day.')
  .superRefine((day, c) => {
    day.forEach((i, n) => {
      if (TIME.test(i.from) && TIME.test(i.to) && i.to <= i.from)
        c.addIssue({ code: 'custom', path: [n, 'to'], message: '"To" must be after "From".' })
    })
    const sorted = day
      .map((i, n) => ({ ...i, n }))
      .filter((i) => i.from < i.to)
      .sort((a, b) => a.from.localeCompare(b.from))
    for (let k = 1; k < sorted.length; k++) {
      const [prev, cur] = [sorted[k - 1]!, sorted[k]!]
      if (cur.from < prev.to)
        c.addIssue({
          code: 'custom',
          path: [cur.n, 'from'],
          message: `Overlaps ${prev.from}–${prev.to} on the same day.`,
        })
    }
  })

const realDate = (d: string) => DATE.test(d) && DateTime.fromISO(d).isValid

/** The workspace's business hours as the API takes and returns them (timezone: the workspace's). */
export const businessHoursSchema = z.strictObject({
  enabled: z.boolean(),
  /** Index 0 is Sunday … 6 Saturday. */
  week: z.array(daySchema).length(7, 'Give the intervals of all 7 weekdays (Sunday first).'),
  holidays: z
    .array(
      z.strictObject({
        date: z.string().refine(realDate, 'Use a date as YYYY-MM-DD.'),
        name: z.string().trim().max(100, 'Name must be at most 100 characters.').default(''),
      }),
    )
    .max(100, 'At most 100 holidays.')
    .superRefine((list, c) => {
      const seen = new Set<string>()
      list.forEach((h, n) => {
        if (seen.has(h.date))
          c.addIssue({ code: 'custom', path: [n, 'date'], message: 'This date is already a holiday.' })
        seen.add(h.date)
      })
    }),
})
export type BusinessHours = z.infer<typeof businessHoursSchema>

/** A workspace that never set business hours: off, Sunday–Thursday 09:00–17:00 ready to turn on. */
export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  enabled: false,
  week: [0, 1, 2, 3, 4, 5, 6].map((d) => (d <= 4 ? [{ from: '09:00', to: '17:00' }] : [])),
  holidays: [],
}

/** The workspace setting as a schedule (holidays sorted out into a set). */
export function scheduleOf(hours: BusinessHours): Schedule {
  return { week: hours.week, holidays: new Set(hours.holidays.map((h) => h.date)) }
}
