import { z } from 'zod'
import { singleVariable } from '../../../shared/workflow/variables'
import { setContactField } from '../contact-fields'
import { defineStep } from '../step'

/**
 * Rule 75: set a standard or custom field to a static value or a variable, or clear it. A value
 * that is exactly one variable keeps its type (a number stays a number). A value the field
 * refuses (an invalid email…) is logged and the contact proceeds.
 */
export const updateField = defineStep({
  kind: 'update_field',
  label: 'Update Contact Field',
  configSchema: z
    .strictObject({
      field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'Choose a contact field.'),
      action: z.enum(['set', 'clear']).default('set'),
      value: z.string().max(2000).optional(),
    })
    .refine((c) => c.action === 'clear' || (c.value !== undefined && c.value.trim() !== ''), {
      message: 'Give a value (text or a $variable).',
      path: ['value'],
    }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  references: (c) => [{ kind: 'field', key: c.field, path: 'config.field' }],
  async run(s) {
    const contact = await s.contact()
    let value: unknown = null
    if (s.config.action === 'set') {
      const only = singleVariable(s.config.value!)
      const typed = only ? await s.variable(only.name) : undefined
      value =
        typed !== undefined && typed !== null && typeof typed !== 'object'
          ? typed
          : await s.interpolate(s.config.value!)
      // Rule 89: a variable without a value stays as written; never store "$contact.x" literally.
      if (only && (typed === undefined || typed === null) && only.fallback === null)
        return { next: 'next', output: { changed: false, skipped: `${only.raw} has no value.` } }
    }
    const r = await setContactField(s.tx!, contact, s.actor, s.config.field, value)
    if (!r.ok) return { next: 'next', output: { changed: false, error: r.message, value } }
    return { next: 'next', output: { changed: r.changed, field: s.config.field, value: r.value } }
  },
})
