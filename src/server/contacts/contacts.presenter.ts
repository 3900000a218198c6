import { z } from 'zod'
import type { ContactRow, IdentityRow } from './contacts.repo'

/** A realistic contact for the OpenAPI examples (checked against the schemas, src/server/http/openapi.ts). */
export const CONTACT_EXAMPLE = {
  id: 1042,
  firstName: 'ليلى',
  lastName: 'Hassan',
  displayName: 'ليلى Hassan',
  email: 'layla.hassan@example.com',
  phone: '+966501234567',
  country: 'SA',
  language: 'ar',
  avatarUrl: null,
  custom: { city: 'الرياض', order_number: 4471, vip: true },
  lifecycleStageId: 2,
  assigneeUserId: 7,
  blocked: false,
  lastInteractedChannelId: 3,
  inbox: {
    status: 'open',
    conversationId: 311,
    lastMessageAt: '2026-11-18T09:14:03.512Z',
    lastIncomingAt: '2026-11-18T09:12:47.000Z',
    lastMessagePreview: 'متى يوصل الطلب؟',
    lastMessageDirection: 'in',
    unread: true,
  },
  createdAt: '2026-10-02T14:20:11.000Z',
  updatedAt: '2026-11-18T09:14:03.512Z',
} as const
export const contactOut = z
  .object({
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
  .meta({ examples: [CONTACT_EXAMPLE] })
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

const TAG_REFS_EXAMPLE = [
  { id: 5, name: 'VIP', color: '#d97706' },
  { id: 9, name: 'عميل جديد', color: null },
]

export const contactDetailOut = contactOut
  .extend({
    identities: z.array(identityOut),
    tags: z.array(tagRefOut),
    lifecycleStage: stageRefOut.nullable(),
  })
  .meta({
    examples: [
      {
        ...CONTACT_EXAMPLE,
        identities: [
          {
            id: 2210,
            channelId: 3,
            identifier: '966501234567',
            displayName: 'Layla',
            lastIncomingAt: '2026-11-18T09:12:47.000Z',
            lastOutgoingAt: '2026-11-18T09:14:03.512Z',
          },
        ],
        tags: TAG_REFS_EXAMPLE,
        lifecycleStage: { id: 2, name: 'Hot lead', isLost: false },
      },
    ],
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

/** GET /contacts: one page. */
export const contactListOut = z
  .object({ contacts: z.array(contactListItemOut), nextCursor: z.string().nullable() })
  .meta({
    examples: [
      {
        contacts: [
          { ...CONTACT_EXAMPLE, tags: TAG_REFS_EXAMPLE },
          {
            ...CONTACT_EXAMPLE,
            id: 1038,
            firstName: 'Omar',
            lastName: 'الشمري',
            displayName: 'Omar الشمري',
            email: null,
            phone: '+971501112233',
            country: 'AE',
            language: 'en',
            custom: {},
            assigneeUserId: null,
            inbox: { ...CONTACT_EXAMPLE.inbox, status: 'closed', conversationId: 298, unread: false },
            tags: [],
          },
        ],
        nextCursor: 'eyJ0IjoiMjAyNi0xMC0wMlQxNDoyMDoxMS4wMDBaIiwiaWQiOjEwMzh9',
      },
    ],
  })

export function presentContactListItem(
  c: ContactRow,
  tags: { id: number; name: string; color: string | null }[],
): z.infer<typeof contactListItemOut> {
  return { ...presentContact(c), tags: tags.map((t) => ({ id: t.id, name: t.name, color: t.color })) }
}
