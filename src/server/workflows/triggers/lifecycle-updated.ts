import { z } from 'zod'
import { defineTrigger } from './trigger'

/** Rule 68 (proposal): the lifecycle stage changed, optionally from and to given stages. */
export const lifecycleUpdated = defineTrigger({
  type: 'lifecycle_updated',
  label: 'Lifecycle Updated',
  conditionsSchema: z.strictObject({
    fromStageIds: z
      .array(z.number().int().positive())
      .max(20)
      .default([])
      .describe('Empty means any stage (or none).'),
    toStageIds: z
      .array(z.number().int().positive())
      .max(20)
      .default([])
      .describe('Empty means any stage (or none).'),
  }),
  events: ['contact.lifecycle_updated'],
  oncePerContact: true,
  match: (e, c) => {
    const p = e.payload as { from: number | null; to: number | null }
    if (c.fromStageIds.length && (p.from === null || !c.fromStageIds.includes(p.from))) return null
    if (c.toStageIds.length && (p.to === null || !c.toStageIds.includes(p.to))) return null
    return { fromStageId: p.from, toStageId: p.to }
  },
  references: (c) => [
    ...c.fromStageIds.map((id, i) => ({
      kind: 'stage' as const,
      id,
      path: `trigger.conditions.fromStageIds.${i}`,
    })),
    ...c.toStageIds.map((id, i) => ({
      kind: 'stage' as const,
      id,
      path: `trigger.conditions.toStageIds.${i}`,
    })),
  ],
})
