import { z } from 'zod'
import { STEP_ID } from '../../../shared/workflow/definition'
import { defineStep } from '../step'

/**
 * Rule 79: jumps to any step, at most N times (N ≤ 10) per run; once the maximum is reached the
 * jump is skipped and the contact proceeds to the step after it, or exits if there is none. The
 * count lives on the run, so it starts again when the contact exits and re-enters.
 */
export const jumpTo = defineStep({
  kind: 'jump_to',
  label: 'Jump To',
  configSchema: z.strictObject({
    targetStepId: z.string().regex(STEP_ID, 'Choose the step to jump to.'),
    maxJumps: z.number().int().min(1).max(10, 'At most 10 jumps.').default(3),
  }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  references: (c) => [{ kind: 'step', id: c.targetStepId, path: 'config.targetStepId' }],
  async run(s) {
    if (s.jumps >= s.config.maxJumps)
      return {
        next: 'next',
        output: { jumped: false, reason: `Maximum of ${s.config.maxJumps} jumps reached.` },
      }
    return { jump: s.config.targetStepId, output: { jumped: true, jump: s.jumps + 1, of: s.config.maxJumps } }
  },
})
