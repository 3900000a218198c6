import { z } from 'zod'
import { idSchema } from '../http/schemas'
import { countryIn, languageIn } from './contacts.schema'

const idOrNone = z.union([z.literal('none'), idSchema])
const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]))
const instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'Use an ISO date (2026-01-31) or date-time with offset.',
})

/** Query-string filters of the contact list and the export (rule 49). */
export const contactFiltersQuery = {
  q: z.string().trim().max(200).optional(),
  country: countryIn.optional(),
  language: languageIn.optional(),
  assigneeUserId: idOrNone.optional(),
  inboxStatus: z.enum(['open', 'snoozed', 'closed', 'none']).optional(),
  lifecycleStageId: idOrNone.optional(),
  tagIds: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'A comma-separated list of tag ids.')
    .transform((s) => [...new Set(s.split(',').map(Number))])
    .refine((ids) => ids.length <= 20, 'At most 20 tags.')
    .optional(),
  blocked: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  createdFrom: instant.optional(),
  createdTo: instant.optional(),
  cf: stringList.refine((v) => v.length <= 20, 'At most 20 custom field filters.').optional(),
}

export const contactListQuery = z.strictObject({
  ...contactFiltersQuery,
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})

export const contactExportQuery = z.strictObject(contactFiltersQuery)

export type ContactFiltersInput = z.output<z.ZodObject<typeof contactFiltersQuery>>
