import { z } from 'zod'
import { displayName } from '../contacts/contacts.presenter'
import type { CustomInboxRow } from './custom-inboxes.repo'
import type { InboxRow } from './inbox.repo'

/** A slim inbox row: what the list shows and what a realtime frame needs to move it between views. */
export const inboxRowOut = z.object({
  contactId: z.number(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
  /** The last interacted channel: where a reply goes by default. */
  channel: z.object({ id: z.number(), type: z.string() }).nullable(),
  conversationId: z.number().nullable(),
  status: z.enum(['open', 'snoozed', 'closed']).nullable(),
  preview: z.string().nullable(),
  direction: z.enum(['in', 'out']).nullable(),
  lastMessageAt: z.string().nullable(),
  /** Rule 48's blue dot. */
  unread: z.boolean(),
  assigneeUserId: z.number().nullable(),
  assigneeTeamId: z.number().nullable(),
  blocked: z.boolean(),
})
export type InboxRowOut = z.infer<typeof inboxRowOut>

export function presentInboxRow(r: InboxRow): InboxRowOut {
  return {
    contactId: r.id,
    displayName: displayName(r),
    avatarUrl: r.avatarUrl,
    channel: r.channelId !== null && r.channelType !== null ? { id: r.channelId, type: r.channelType } : null,
    conversationId: r.conversationId,
    status: r.inboxStatus,
    preview: r.lastMessagePreview,
    direction: r.lastMessageDirection,
    lastMessageAt: r.lastMessageAt?.toISOString() ?? null,
    unread: r.unread,
    assigneeUserId: r.assigneeUserId,
    assigneeTeamId: r.assigneeTeamId,
    blocked: r.blockedAt !== null,
  }
}

export const customInboxOut = z.object({
  id: z.number(),
  view: z.string(),
  name: z.string(),
  filter: z.record(z.string(), z.unknown()),
  createdByUserId: z.number(),
  sharedUserIds: z.array(z.number()),
  sharedTeamIds: z.array(z.number()),
  createdAt: z.string(),
  updatedAt: z.string(),
})

export function presentCustomInbox(r: CustomInboxRow): z.infer<typeof customInboxOut> {
  return {
    id: r.id,
    view: `custom:${r.id}`,
    name: r.name,
    filter: r.filter as unknown as Record<string, unknown>,
    createdByUserId: r.createdByUserId,
    sharedUserIds: r.sharedUserIds,
    sharedTeamIds: r.sharedTeamIds,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }
}
