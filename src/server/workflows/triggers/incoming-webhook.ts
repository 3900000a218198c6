import { z } from 'zod'
import { defineTrigger } from './trigger'

/**
 * Rule 68 (proposal): an external system POSTs JSON to the workflow's URL. The contact is found
 * by phone, email or contactId in the body (created when missing, unless told not to); the whole
 * body becomes $trigger.*.
 */
export const incomingWebhook = defineTrigger({
  type: 'incoming_webhook',
  label: 'Incoming Webhook',
  conditionsSchema: z.strictObject({
    identifyBy: z.enum(['phone', 'email', 'contactId']).default('phone'),
    /** Where the identifier is in the body (dotted path); defaults to the key of the same name. */
    path: z
      .string()
      .regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'A dotted path such as "customer.phone".')
      .optional(),
    createContact: z
      .boolean()
      .default(true)
      .describe('Create the contact when no contact matches (phone or email).'),
  }),
  events: [],
  oncePerContact: true,
})
