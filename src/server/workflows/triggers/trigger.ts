import type { z } from 'zod'
import type { TriggerType } from '../../../shared/workflow/definition'
import type { ContactRow } from '../../contacts/contacts.repo'
import type { Tx } from '../../db/database'
import type { EventType } from '../../events'
import type { EventRow } from '../../outbox/outbox.repo'
import type { Reference } from '../step'

/**
 * One trigger type (rule 68): its conditions and, for event triggers, which domain events fire it
 * and whether an event meets the conditions (rule 62: all of them). What `match` returns becomes
 * the run's `$trigger.*` variables.
 */
export type TriggerDefinition<C> = {
  type: TriggerType
  label: string
  conditionsSchema: z.ZodType<C>
  /** Domain events that may fire it; none for triggers started through the API or a step. */
  events: readonly EventType[]
  /** Rule 63: whether "Trigger once per contact" exists for it (not for Manual). */
  oncePerContact: boolean
  match?: (
    e: EventRow,
    conditions: C,
    h: { tx: Tx; contact: () => Promise<ContactRow | undefined> },
  ) => Promise<Record<string, unknown> | null> | Record<string, unknown> | null
  references?: (conditions: C) => Reference[]
}

export function defineTrigger<C>(t: TriggerDefinition<C>): TriggerDefinition<C> {
  return t
}
