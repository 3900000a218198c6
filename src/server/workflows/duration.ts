import { z } from 'zod'

export const UNITS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const

/** A duration as the builder asks for it: an amount and a unit, at most `maxMs`. */
export function durationSchema(maxMs: number, label: string) {
  return z
    .strictObject({
      amount: z.number().int().min(1, 'At least 1.'),
      unit: z.enum(['seconds', 'minutes', 'hours', 'days']),
    })
    .refine((d) => d.amount * UNITS[d.unit] <= maxMs, {
      message: `${label} is at most ${maxMs / UNITS.days >= 1 ? `${maxMs / UNITS.days} days` : `${maxMs / UNITS.minutes} minutes`}.`,
      path: ['amount'],
    })
}

export type Duration = { amount: number; unit: keyof typeof UNITS }

export const durationMs = (d: Duration) => d.amount * UNITS[d.unit]
