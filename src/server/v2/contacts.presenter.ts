import { z } from 'zod'
import type { Principal } from '../auth/principal'
import type { ContactRow } from '../contacts/contacts.repo'
import type { CustomFieldRow } from '../contacts/fields.repo'
import { listContactFields } from '../contacts/fields.service'
import { listLifecycleStages } from '../contacts/lifecycle.service'
import type { Ctx } from '../context'
import type { MemberRow } from '../users/users.repo'
import { listWorkspaceMembers } from '../users/users.service'

const seconds = (d: Date) => Math.floor(d.getTime() / 1000)

/** Our users have one name; respond.io's have first and last: the first word, then the rest. */
export function splitName(name: string): { firstName: string; lastName: string } {
  const [first = '', ...rest] = name.trim().split(/\s+/)
  return { firstName: first, lastName: rest.join(' ') }
}

export const userRefOut = z.object({
  id: z.number().int(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string(),
})

export const contactOut = z
  .object({
    id: z.number().int(),
    firstName: z.string(),
    lastName: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    language: z.string().nullable(),
    profilePic: z.string().nullable(),
    countryCode: z.string().nullable(),
    custom_fields: z
      .array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]).nullable() }))
      .describe('Every custom field of the workspace by name, null when the contact has no value.'),
    status: z
      .enum(['open', 'closed', 'blocked'])
      .describe(
        'Conversation status: open (also while snoozed), closed (also when the contact never had a conversation) or blocked.',
      ),
    tags: z.array(z.string()),
    assignee: userRefOut.nullable(),
    lifecycle: z.string().nullable(),
    created_at: z.number().int().describe('Unix time in seconds.'),
    isBlocked: z.boolean(),
  })
  .meta({
    examples: [
      {
        id: 12345,
        firstName: 'Layla',
        lastName: 'Hassan',
        phone: '+966501234567',
        email: 'layla@example.com',
        language: 'ar',
        profilePic: null,
        countryCode: 'SA',
        custom_fields: [{ name: 'Order number', value: 1001 }],
        status: 'open',
        tags: ['vip'],
        assignee: { id: 7, firstName: 'Omar', lastName: 'Saleh', email: 'omar@acme.example' },
        lifecycle: 'New Lead',
        created_at: 1767225600,
        isBlocked: false,
      },
    ],
  })
export type ContactOut = z.infer<typeof contactOut>

/** What a contact's respond.io JSON needs besides the row: names of members, fields and stages. */
export type Lookups = {
  members: Map<number, MemberRow>
  fields: CustomFieldRow[]
  stages: Map<number, string>
}

export async function lookups(ctx: Ctx, p: Principal): Promise<Lookups> {
  const [members, fields, stages] = await Promise.all([
    listWorkspaceMembers(ctx, p),
    listContactFields(ctx, p),
    listLifecycleStages(ctx, p),
  ])
  return {
    members: new Map(members.map((m) => [m.userId, m])),
    fields,
    stages: new Map(stages.map((s) => [s.id, s.name])),
  }
}

export function presentUserRef(m: MemberRow): z.infer<typeof userRefOut> {
  return { id: m.userId, ...splitName(m.name), email: m.email }
}

export function presentContact(c: ContactRow, tagNames: string[], l: Lookups): ContactOut {
  const member = c.assigneeUserId !== null ? l.members.get(c.assigneeUserId) : undefined
  const custom = c.custom as Record<string, string | number | boolean | undefined>
  return {
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName || null,
    phone: c.phone,
    email: c.email,
    language: c.language,
    profilePic: c.avatarUrl,
    countryCode: c.country,
    custom_fields: l.fields.map((f) => ({ name: f.name, value: custom[f.key] ?? null })),
    status: c.blockedAt
      ? 'blocked'
      : c.inboxStatus === 'open' || c.inboxStatus === 'snoozed'
        ? 'open'
        : 'closed',
    tags: [...tagNames].sort((a, b) => a.localeCompare(b)),
    assignee: member ? presentUserRef(member) : null,
    lifecycle: c.lifecycleStageId !== null ? (l.stages.get(c.lifecycleStageId) ?? null) : null,
    created_at: seconds(c.createdAt),
    isBlocked: c.blockedAt !== null,
  }
}
