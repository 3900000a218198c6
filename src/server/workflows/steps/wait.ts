import { z } from 'zod'
import { durationMs, durationSchema } from '../duration'
import { defineStep } from '../step'

/** Rule 80: waits for a duration of at most 7 days (a durable timer), then the contact proceeds. */
export const wait = defineStep({
  kind: 'wait',
  label: 'Wait',
  configSchema: z.strictObject({ duration: durationSchema(7 * 86_400_000, 'A wait') }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  async run(s) {
    if (s.resume?.kind === 'timer') return { next: 'next', output: { waitedUntil: s.resume.state.until } }
    const until = new Date(s.now.getTime() + durationMs(s.config.duration))
    return {
      wait: { for: 'timer', until },
      state: { until: until.toISOString() },
      output: { until: until.toISOString() },
    }
  },
})
