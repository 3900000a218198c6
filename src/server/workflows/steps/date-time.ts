import { DateTime, IANAZone } from 'luxon'
import { z } from 'zod'
import { workspaceBusinessHours } from '../../business-hours/business-hours.service'
import { isOpen, scheduleOf, TIME } from '../../business-hours/schedule'
import { defineStep } from '../step'

const LOCAL = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

const interval = z.strictObject({
  from: z.string().regex(TIME, 'A time as HH:mm.'),
  to: z.string().regex(TIME, 'A time as HH:mm (a "to" before "from" runs past midnight).'),
})
const day = z.array(interval).max(4).default([])

const configSchema = z
  .strictObject({
    /** Not used with the workspace's business hours: those are in the workspace's time zone. */
    timezone: z
      .string()
      .refine((tz) => IANAZone.isValidZone(tz), 'Choose a time zone (e.g. Asia/Riyadh).')
      .optional(),
    /** Hours set on this step, a date range, or the business hours of Settings (holidays included). */
    mode: z.enum(['business_hours', 'date_range', 'workspace_hours']),
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
  .refine((c) => c.mode === 'workspace_hours' || c.timezone !== undefined, {
    message: 'Choose a time zone (e.g. Asia/Riyadh).',
    path: ['timezone'],
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

/** Whether `now` falls within the step's own hours or range, in its time zone. */
export function withinSchedule(c: DateTimeConfig, now: Date): boolean {
  const timezone = c.timezone!
  if (c.mode === 'date_range') {
    const local = DateTime.fromJSDate(now, { zone: timezone })
    const start = DateTime.fromISO(c.range!.start, { zone: timezone })
    const end = DateTime.fromISO(c.range!.end, { zone: timezone })
    return local >= start && local < end
  }
  const h = c.hours!
  return isOpen({ week: [h.sun, h.mon, h.tue, h.wed, h.thu, h.fri, h.sat] }, timezone, now)
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
    let inside: boolean
    let timezone: string
    if (s.config.mode === 'workspace_hours') {
      const ws = await workspaceBusinessHours(s.tx ?? s.ctx.db, s.workspaceId)
      timezone = ws.timezone
      // Business hours turned off in Settings: the workspace counts as always open.
      inside = !ws.hours.enabled || isOpen(scheduleOf(ws.hours), timezone, s.now)
    } else {
      timezone = s.config.timezone!
      inside = withinSchedule(s.config, s.now)
    }
    const local = DateTime.fromJSDate(s.now, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH:mm ccc")
    return { next: inside ? 'success' : 'failure', output: { inside, localTime: local } }
  },
})
