import type { TriggerType } from '../../../shared/workflow/definition'
import { contactFieldUpdated } from './contact-field-updated'
import { contactTagUpdated } from './contact-tag-updated'
import { conversationClosed } from './conversation-closed'
import { conversationOpened } from './conversation-opened'
import { incomingWebhook } from './incoming-webhook'
import { lifecycleUpdated } from './lifecycle-updated'
import { manual } from './manual'
import { shortcut } from './shortcut'
import type { TriggerDefinition } from './trigger'

/** Every trigger type (rule 68), listed explicitly. */
export const TRIGGERS: TriggerDefinition<never>[] = [
  conversationOpened,
  conversationClosed,
  contactTagUpdated,
  contactFieldUpdated,
  lifecycleUpdated,
  shortcut,
  incomingWebhook,
  manual,
] as unknown as TriggerDefinition<never>[]

const BY_TYPE = new Map<string, TriggerDefinition<unknown>>(
  TRIGGERS.map((t) => [t.type, t as unknown as TriggerDefinition<unknown>]),
)

export function triggerFor(type: TriggerType | string): TriggerDefinition<unknown> | undefined {
  return BY_TYPE.get(type)
}
