import { z } from 'zod'
import type { ContactRow, IdentityRow } from './contacts.repo'

export const contactOut = z.object({
  id: z.number(),
  firstName: z.string(),
  lastName: z.string(),
  /** Rule 56: the display name falls back to the phone or email when the channel gave no name. */
  displayName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  country: z.string().nullable(),
  language: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  custom: z.record(z.string(), z.unknown()),
  lifecycleStageId: z.number().nullable(),
  assigneeUserId: z.number().nullable(),
  blocked: z.boolean(),
  lastInteractedChannelId: z.number().nullable(),
  inbox: z.object({
    status: z.enum(['open', 'snoozed', 'closed']).nullable(),
    conversationId: z.number().nullable(),
    lastMessageAt: z.string().nullable(),
    lastIncomingAt: z.string().nullable(),
    lastMessagePreview: z.string().nullable(),
    lastMessageDirection: z.enum(['in', 'out']).nullable(),
    unread: z.boolean(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type ContactOut = z.infer<typeof contactOut>

export function displayName(
  c: Pick<ContactRow, 'firstName' | 'lastName' | 'phone' | 'email' | 'id'>,
): string {
  const name = `${c.firstName} ${c.lastName}`.trim()
  return name || c.phone || c.email || `#${c.id}`
}

export function presentContact(c: ContactRow): ContactOut {
  return {
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: displayName(c),
    email: c.email,
    phone: c.phone,
    country: c.country,
    language: c.language,
    avatarUrl: c.avatarUrl,
    custom: c.custom,
    lifecycleStageId: c.lifecycleStageId,
    assigneeUserId: c.assigneeUserId,
    blocked: c.blockedAt !== null,
    lastInteractedChannelId: c.lastInteractedChannelId,
    inbox: {
      status: c.inboxStatus,
      conversationId: c.conversationId,
      lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
      lastIncomingAt: c.lastIncomingAt?.toISOString() ?? null,
      lastMessagePreview: c.lastMessagePreview,
      lastMessageDirection: c.lastMessageDirection,
      unread: c.unread,
    },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  }
}

export const identityOut = z.object({
  id: z.number(),
  channelId: z.number(),
  identifier: z.string(),
  displayName: z.string().nullable(),
  lastIncomingAt: z.string().nullable(),
  lastOutgoingAt: z.string().nullable(),
})

export function presentIdentity(i: IdentityRow): z.infer<typeof identityOut> {
  return {
    id: i.id,
    channelId: i.channelId,
    identifier: i.identifier,
    displayName: i.displayName,
    lastIncomingAt: i.lastIncomingAt?.toISOString() ?? null,
    lastOutgoingAt: i.lastOutgoingAt?.toISOString() ?? null,
  }
}

export const tagRefOut = z.object({ id: z.number(), name: z.string(), color: z.string().nullable() })

export const stageRefOut = z.object({ id: z.number(), name: z.string(), isLost: z.boolean() })

export const contactDetailOut = contactOut.extend({
  identities: z.array(identityOut),
  tags: z.array(tagRefOut),
  lifecycleStage: stageRefOut.nullable(),
})

export function presentContactDetail(d: {
  contact: ContactRow
  identities: IdentityRow[]
  tags: { id: number; name: string; color: string | null }[]
  stage: { id: number; name: string; isLost: boolean } | null
}): z.infer<typeof contactDetailOut> {
  return {
    ...presentContact(d.contact),
    identities: d.identities.map(presentIdentity),
    tags: d.tags.map((t) => ({ id: t.id, name: t.name, color: t.color })),
    lifecycleStage: d.stage ? { id: d.stage.id, name: d.stage.name, isLost: d.stage.isLost } : null,
  }
}

/** A row of the contacts list: the contact and its tags. */
export const contactListItemOut = contactOut.extend({ tags: z.array(tagRefOut) })

export function presentContactListItem(
  c: ContactRow,
  tags: { id: number; name: string; color: string | null }[],
): z.infer<typeof contactListItemOut> {
  return { ...presentContact(c), tags: tags.map((t) => ({ id: t.id, name: t.name, color: t.color })) }
}
