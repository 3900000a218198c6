import { z } from 'zod'
import { CONTACT_VISIBILITIES, ROLES } from '../../shared/permissions'

export const emailSchema = z
  .email({ error: 'Enter a valid email address.' })
  .max(254, 'Email must be at most 254 characters.')
  .transform((e) => e.toLowerCase())
export const personNameSchema = z
  .string()
  .trim()
  .min(1, 'Name is required.')
  .max(100, 'Name must be at most 100 characters.')
export const labelSchema = (what: string, max = 100) =>
  z.string().trim().min(1, `${what} is required.`).max(max, `${what} must be at most ${max} characters.`)
export const idSchema = z.coerce
  .number({ error: 'Expected a numeric id.' })
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER)
export const roleSchema = z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(', ')}.` })
export const localeSchema = z.enum(['en', 'ar'], { error: 'Language must be "en" or "ar".' })
export const contactVisibilitySchema = z.enum(CONTACT_VISIBILITIES)

export const workspaceParams = z.strictObject({ workspaceId: idSchema })

export const restrictionsSchema = z.strictObject({
  restrictSettings: z.boolean().optional(),
  restrictContactDelete: z.boolean().optional(),
  restrictExport: z.boolean().optional(),
  restrictIntegrations: z.boolean().optional(),
  contactVisibility: contactVisibilitySchema.optional(),
  hideShortcuts: z.boolean().optional(),
})

export const restrictionsOut = z.object({
  restrictSettings: z.boolean(),
  restrictContactDelete: z.boolean(),
  restrictExport: z.boolean(),
  restrictIntegrations: z.boolean(),
  contactVisibility: contactVisibilitySchema,
  hideShortcuts: z.boolean(),
})

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
})

export const okBody = z.object({ ok: z.literal(true) })

/** Standard error responses, listed on every route for the OpenAPI document. */
export const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429)[]) =>
  Object.fromEntries(codes.map((c) => [c, errorBody])) as Record<number, typeof errorBody>
