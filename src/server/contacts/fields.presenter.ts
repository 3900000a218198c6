import { z } from 'zod'
import type { CustomFieldRow } from './fields.repo'
import { FIELD_TYPES } from './fields.values'

export const fieldOut = z.object({
  id: z.number(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  type: z.enum(FIELD_TYPES),
  options: z.array(z.string()),
  position: z.number(),
  createdAt: z.string(),
})

export function presentField(f: CustomFieldRow): z.infer<typeof fieldOut> {
  return {
    id: f.id,
    key: f.key,
    name: f.name,
    description: f.description,
    type: f.type,
    options: f.options,
    position: f.position,
    createdAt: f.createdAt.toISOString(),
  }
}
