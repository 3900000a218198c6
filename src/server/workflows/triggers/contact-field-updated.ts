import { z } from 'zod'
import { compare, operatorSchema, UNARY } from '../compare'
import { isStandardField, STANDARD } from '../contact-fields'
import { contactValue } from '../variables'
import { defineTrigger } from './trigger'

/**
 * Rule 68: a contact field (standard or custom) was updated or edited; optionally only when its
 * new value meets a condition.
 */
export const contactFieldUpdated = defineTrigger({
  type: 'contact_field_updated',
  label: 'Contact Field Updated',
  conditionsSchema: z
    .strictObject({
      field: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'Choose a contact field.')
        .describe(
          'A standard field (firstname, lastname, email, phone, country, language) or a custom field key.',
        ),
      value: z
        .strictObject({ operator: operatorSchema, value: z.string().max(500).optional() })
        .optional()
        .describe('Only when the new value meets this condition.'),
    })
    .refine((c) => !c.value || UNARY.has(c.value.operator) || c.value.value !== undefined, {
      message: 'This operator needs a value.',
      path: ['value', 'value'],
    }),
  events: ['contact.updated'],
  oncePerContact: true,
  match: async (e, c, h) => {
    const changes = (e.payload as { changes: string[] }).changes
    // contact.updated lists standard fields by column.
    const key = isStandardField(c.field) ? STANDARD[c.field] : `custom.${c.field}`
    if (!changes.includes(key)) return null
    const contact = await h.contact()
    if (!contact) return null
    const value = contactValue(contact, c.field)
    if (c.value && !compare(value, c.value.operator, c.value.value)) return null
    return { field: c.field, value: value ?? null }
  },
  references: (c) =>
    isStandardField(c.field) ? [] : [{ kind: 'field', key: c.field, path: 'trigger.conditions.field' }],
})
