import { z } from 'zod'
import { defineTrigger } from './trigger'

export const FORM_FIELD_TYPES = ['text', 'number', 'email', 'phone', 'date', 'select'] as const

export const formFieldSchema = z
  .strictObject({
    key: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]{0,39}$/,
        'A key has letters, digits and "_" (it becomes $trigger.<key>).',
      ),
    label: z.string().trim().min(1, 'A label is required.').max(100),
    type: z.enum(FORM_FIELD_TYPES).default('text'),
    required: z.boolean().default(false),
    options: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
  })
  .refine((f) => f.type !== 'select' || (f.options?.length ?? 0) > 0, {
    message: 'A choice field needs options.',
    path: ['options'],
  })
export type FormField = z.infer<typeof formFieldSchema>

/**
 * Rule 68: a user starts the workflow on the contact open in the inbox; the optional form's
 * answers become $trigger.<key>. Agents restricted from shortcuts cannot (rule 51).
 */
export const shortcut = defineTrigger({
  type: 'shortcut',
  label: 'Shortcut',
  conditionsSchema: z
    .strictObject({ form: z.array(formFieldSchema).max(10).default([]) })
    .refine((c) => new Set(c.form.map((f) => f.key)).size === c.form.length, {
      message: 'Form keys must be unique.',
      path: ['form'],
    }),
  events: [],
  oncePerContact: true,
})
