import type { EventType } from '../events'

/**
 * The events an endpoint can subscribe to (rule 121). Our dotted name is canonical; the alias is
 * the respond.io-style name of the same trigger ("New Incoming Message" → new_incoming_message) so
 * integrations migrating from respond.io recognise them. Both appear in every payload and both
 * are accepted when subscribing. docs/webhooks.md documents the data of each.
 */
export const WEBHOOK_EVENTS = {
  'message.received': { alias: 'new_incoming_message', description: 'A contact sent a message.' },
  'message.created': {
    alias: 'new_outgoing_message',
    description: 'A message to a contact was created (by a user, workflow, broadcast or the API).',
  },
  'message.status_updated': {
    alias: 'message_status_updated',
    description: 'An outgoing message was sent, delivered, read or failed.',
  },
  'contact.created': { alias: 'new_contact', description: 'A contact was created.' },
  'contact.updated': { alias: 'contact_updated', description: "A contact's fields changed." },
  'contact.tag_updated': {
    alias: 'contact_tag_updated',
    description: 'A tag was added to or removed from a contact.',
  },
  'contact.assignee_updated': {
    alias: 'contact_assignee_updated',
    description: 'A contact was assigned, reassigned or unassigned.',
  },
  'contact.lifecycle_updated': {
    alias: 'contact_lifecycle_updated',
    description: "A contact's lifecycle stage changed.",
  },
  'conversation.opened': { alias: 'conversation_opened', description: 'A conversation was opened.' },
  'conversation.closed': {
    alias: 'conversation_closed',
    description: 'A conversation was closed (with its closing note).',
  },
  'comment.created': { alias: 'new_comment', description: 'An internal comment was added on a contact.' },
} as const satisfies Partial<Record<EventType, { alias: string; description: string }>>

export type WebhookEvent = keyof typeof WEBHOOK_EVENTS
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as WebhookEvent[]
export const WEBHOOK_EVENT_TYPES: ReadonlySet<EventType> = new Set(WEBHOOK_EVENT_NAMES)

/** The ping sent by "Send test event"; not subscribable. */
export const TEST_EVENT = 'webhook.test'
export const TEST_ALIAS = 'test'

const BY_ALIAS = new Map<string, WebhookEvent>(
  WEBHOOK_EVENT_NAMES.map((name) => [WEBHOOK_EVENTS[name].alias, name]),
)

/** A subscription name (dotted or alias) → the dotted name; undefined when unknown. */
export function canonicalEvent(name: string): WebhookEvent | undefined {
  if (name in WEBHOOK_EVENTS) return name as WebhookEvent
  return BY_ALIAS.get(name)
}

export function aliasOf(event: string): string {
  if (event === TEST_EVENT) return TEST_ALIAS
  return (WEBHOOK_EVENTS as Record<string, { alias: string }>)[event]?.alias ?? event
}
