import { z } from 'zod'
import { defineTrigger } from './trigger'

/** Rule 68: started by another workflow's Trigger Another Workflow step; no "once per contact". */
export const manual = defineTrigger({
  type: 'manual',
  label: 'Manual Trigger',
  conditionsSchema: z.strictObject({}),
  events: [],
  oncePerContact: false,
})
