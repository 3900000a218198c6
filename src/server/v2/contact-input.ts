import { z } from 'zod'
import { type UpdateContactInput, updateContactBody } from '../contacts/contacts.schema'
import type { CustomFieldRow } from '../contacts/fields.repo'
import { checkCustomValues } from '../contacts/fields.values'
import { normalizePhone } from '../contacts/standard-fields'
import { ValidationError } from '../errors'
import type { Identifier } from './identifier'

const customFieldIn = z.strictObject({
  name: z.string().min(1).max(100).describe('The custom field’s name or its key (slug).'),
  value: z.union([z.string().max(5000), z.number(), z.boolean(), z.null()]).optional(),
})

/** respond.io's contact fields (create, update, create_or_update, merge). */
export const contactFields = {
  firstName: z.string().max(100).optional(),
  lastName: z.string().max(100).nullable().optional(),
  phone: z
    .string()
    .max(40)
    .nullable()
    .optional()
    .describe('With its country code (E.164), e.g. +966501234567.'),
  email: z.string().max(254).nullable().optional(),
  language: z.string().max(35).nullable().optional().describe('ISO 639-1, e.g. ar.'),
  profilePic: z
    .string()
    .max(2000)
    .nullable()
    .optional()
    .describe(
      'Not settable here: profile pictures come from the contact’s channel (rule 54). A non-empty value is a 400; null or "" is ignored.',
    ),
  countryCode: z.string().max(2).nullable().optional().describe('ISO 3166-1 alpha-2, e.g. SA.'),
  custom_fields: z.array(customFieldIn).max(200).nullable().optional(),
}
export const contactFieldsBody = z.strictObject(contactFields)
export type ContactFieldsIn = z.infer<typeof contactFieldsBody>

/** respond.io's formatting rules send checkboxes as "true"/"false" and numbers bare; accept both forms. */
function coerce(field: CustomFieldRow | undefined, value: unknown): unknown {
  if (typeof value !== 'string' || !field) return value
  if (field.type === 'checkbox' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  if (field.type === 'number' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value)
  return value
}

/**
 * respond.io's contact fields → our contact input, normalized and checked by our own schemas
 * (phone to E.164, custom values by type) so a bad value is a 400 before anything changes.
 * Error paths use respond.io's names (countryCode, custom_fields.<name>).
 */
export function toContactInput(body: ContactFieldsIn, fields: CustomFieldRow[]): UpdateContactInput {
  if (body.profilePic) {
    throw new ValidationError('profilePic cannot be set: profile pictures come from the contact’s channel.', [
      { path: 'profilePic', message: 'Not settable through the API.' },
    ])
  }
  const custom: Record<string, unknown> = {}
  const nameOf = new Map<string, string>()
  for (const cf of body.custom_fields ?? []) {
    const field =
      fields.find((f) => f.key === cf.name) ??
      fields.find((f) => f.name.toLowerCase() === cf.name.toLowerCase())
    const key = field?.key ?? cf.name
    custom[key] = coerce(field, cf.value ?? null)
    nameOf.set(key, cf.name)
  }
  const pathOf = (path: string) =>
    path === 'country'
      ? 'countryCode'
      : path.startsWith('custom.')
        ? `custom_fields.${nameOf.get(path.slice(7)) ?? path.slice(7)}`
        : path
  const raw = Object.fromEntries(
    Object.entries({
      firstName: body.firstName,
      lastName: body.lastName === null ? '' : body.lastName,
      phone: body.phone,
      email: body.email,
      language: body.language,
      country: body.countryCode,
      custom: Object.keys(custom).length ? custom : undefined,
    }).filter(([, v]) => v !== undefined),
  )
  const parsed = updateContactBody.safeParse(raw)
  const problems = parsed.success
    ? checkCustomValues(fields, custom, 'json').problems
    : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))
  if (problems.length) {
    const named = problems.map((p) => ({ path: pathOf(p.path), message: p.message }))
    throw new ValidationError(named.map((p) => `${p.path}: ${p.message}`).join('; '), named)
  }
  return parsed.data!
}

/**
 * The identifier of a create names the email or phone of the new contact; the body may repeat it
 * but not contradict it.
 */
export function withIdentifier(input: UpdateContactInput, identifier: Identifier): UpdateContactInput {
  if (identifier.kind === 'id') return input
  const key = identifier.kind
  const value =
    'email' in identifier.ref ? identifier.ref.email : 'phone' in identifier.ref ? identifier.ref.phone : ''
  const given = key === 'email' ? input.email : input.phone?.e164
  if (given !== undefined && given !== null && given !== value) {
    throw new ValidationError(`The identifier is ${key}:${value} but the body's ${key} is ${given}.`, [
      { path: key, message: 'Must match the identifier (or be left out).' },
    ])
  }
  if (key === 'email') return { ...input, email: value }
  const phone = normalizePhone(value)
  return { ...input, phone: phone.ok ? phone.value : { e164: value, country: null } }
}
