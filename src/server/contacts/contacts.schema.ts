import { z } from 'zod'
import { idSchema } from '../http/schemas'
import {
  type Checked,
  normalizeCountry,
  normalizeEmail,
  normalizeLanguage,
  normalizePhone,
} from './standard-fields'

/** A zod string schema that normalizes with one of the standard-field checkers; blank means "clear". */
function normalized<T>(max: number, check: (raw: string) => Checked<T>) {
  return z
    .string()
    .max(max, `At most ${max} characters.`)
    .transform((raw, c): T | null => {
      if (raw.trim() === '') return null
      const r = check(raw)
      if (r.ok) return r.value
      c.addIssue({ code: 'custom', message: r.message })
      return z.NEVER
    })
}

const nameIn = z.string().trim().max(100, 'At most 100 characters.')
export const phoneIn = normalized(40, normalizePhone)
export const emailIn = normalized(254, normalizeEmail)
export const countryIn = normalized(2, normalizeCountry)
export const languageIn = normalized(35, normalizeLanguage)
const customIn = z.record(
  z.string().max(50),
  z.union([z.string().max(5000), z.number(), z.boolean(), z.null()]),
  { error: 'Custom values are an object of field key to value.' },
)

const standard = {
  firstName: nameIn.optional(),
  lastName: nameIn.optional(),
  phone: phoneIn.nullable().optional(),
  email: emailIn.nullable().optional(),
  country: countryIn.nullable().optional(),
  language: languageIn.nullable().optional(),
  custom: customIn.optional(),
}

export const createContactBody = z
  .strictObject({
    ...standard,
    lifecycleStageId: idSchema.nullable().optional(),
    tagIds: z.array(idSchema).max(100).optional(),
  })
  .meta({
    examples: [
      {
        firstName: 'ليلى',
        lastName: 'Hassan',
        phone: '+966 50 123 4567',
        email: 'layla.hassan@example.com',
        language: 'ar',
        custom: { city: 'الرياض', order_number: 4471 },
        tagIds: [5, 9],
      },
      { firstName: 'Omar', lastName: 'الشمري', phone: '+971501112233', lifecycleStageId: 1 },
    ],
  })
export type CreateContactInput = z.output<typeof createContactBody>

export const updateContactBody = z.strictObject(standard).meta({
  examples: [
    { lastName: 'Al-Hassan', custom: { city: 'جدة', vip: true } },
    { email: '', language: 'en' },
  ],
})
export type UpdateContactInput = z.output<typeof updateContactBody>

export const contactParams = z.strictObject({ workspaceId: idSchema, contactId: idSchema })

/** Tag changes on one contact; a tag cannot be both added and removed. */
export const tagChangeBody = z
  .strictObject({
    add: z.array(idSchema).max(100).default([]),
    remove: z.array(idSchema).max(100).default([]),
  })
  .refine((b) => !b.add.some((id) => b.remove.includes(id)), {
    message: 'A tag cannot be added and removed at once.',
    path: ['remove'],
  })
