import { DateTime, IANAZone } from 'luxon'
import { z } from 'zod'
import { defineStep } from '../step'

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
const LOCAL = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

const interval = z.strictObject({
  from: z.string().regex(TIME, 'A time as HH:mm.'),
  to: z.string().regex(TIME, 'A time as HH:mm (a "to" before "from" runs past midnight).'),
})
const day = z.array(interval).max(4).default([])

const configSchema = z
  .strictObject({
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'Choose a time zone (e.g. Asia/Riyadh).'),
    mode: z.enum(['business_hours', 'date_range']),
    /** Business hours per weekday; a day without intervals is closed. */
    hours: z
      .strictObject(
        Object.fromEntries(WEEKDAYS.map((d) => [d, day])) as Record<(typeof WEEKDAYS)[number], typeof day>,
      )
      .optional(),
    /** A date range in the time zone, as local YYYY-MM-DDTHH:mm. */
    range: z
      .strictObject({
        start: z.string().regex(LOCAL, 'YYYY-MM-DDTHH:mm'),
        end: z.string().regex(LOCAL, 'YYYY-MM-DDTHH:mm'),
      })
      .refine((r) => r.start < r.end, { message: 'The range ends before it starts.', path: ['end'] })
      .optional(),
  })
  .refine((c) => c.mode !== 'business_hours' || c.hours !== undefined, {
    message: 'Set the business hours.',
    path: ['hours'],
  })
  .refine((c) => c.mode !== 'date_range' || c.range !== undefined, {
    message: 'Set the date range.',
    path: ['range'],
  })
export type DateTimeConfig = z.infer<typeof configSchema>

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Whether `now` falls within the configured hours or range, in the configured time zone. */
export function withinSchedule(c: DateTimeConfig, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: c.timezone })
  if (c.mode === 'date_range') {
    const start = DateTime.fromISO(c.range!.start, { zone: c.timezone })
    const end = DateTime.fromISO(c.range!.end, { zone: c.timezone })
    return local >= start && local < end
  }
  const at = local.hour * 60 + local.minute
  const today = WEEKDAYS[local.weekday - 1]!
  const yesterday = WEEKDAYS[(local.weekday + 5) % 7]!
  for (const i of c.hours![today]) {
    const [f, t] = [minutes(i.from), minutes(i.to)]
    if (f < t ? at >= f && at < t : at >= f) return true
  }
  // An interval that runs past midnight covers the small hours of the next day.
  for (const i of c.hours![yesterday]) {
    const [f, t] = [minutes(i.from), minutes(i.to)]
    if (f > t && at < t) return true
  }
  return false
}

/**
 * Rule 81: inside the configured time the contact goes on to the next step; otherwise to the
 * Failure branch, and if that branch is empty the workflow ends for the contact.
 */
export const dateTime = defineStep({
  kind: 'date_time',
  label: 'Date & Time',
  configSchema,
  outcomes: () => ({ continue: 'success', branches: ['failure'] }),
  async run(s) {
    const inside = withinSchedule(s.config, s.now)
    const local = DateTime.fromJSDate(s.now, { zone: s.config.timezone }).toFormat("yyyy-MM-dd'T'HH:mm ccc")
    return { next: inside ? 'success' : 'failure', output: { inside, localTime: local } }
  },
})
