import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { findOpenConversation } from '../conversations/conversations.repo'
import { closeLocked } from '../conversations/conversations.service'
import { NotFoundError, UnprocessableError, ValidationError } from '../errors'
import { emit } from '../events'
import {
  type ContactRow,
  deleteContact,
  findContact,
  listIdentities,
  lockContact,
  updateContact,
} from './contacts.repo'
import {
  copyTags,
  type DuplicateGroup,
  deleteIdentities,
  findContactsByIds,
  findDuplicatesOf,
  insertMerge,
  latestConversationOf,
  listDuplicateGroups,
  moveContactRows,
  tagIdsOf,
} from './merge.repo'

export type Suggestion = { contact: ContactRow; matchedOn: ('phone' | 'email')[] }

/** Rule 53: contacts sharing this contact's phone or email are merge suggestions. */
export async function mergeSuggestionsFor(ctx: Ctx, p: Principal, contactId: number): Promise<Suggestion[]> {
  authorize(p, 'contacts.view')
  const contact = await findContact(ctx.db, p.workspaceId, contactId)
  if (!contact) throw new NotFoundError('Contact')
  return (await findDuplicatesOf(ctx.db, contact)).map((other) => ({
    contact: other,
    matchedOn: [
      ...(contact.phone && other.phone === contact.phone ? (['phone'] as const) : []),
      ...(contact.email && other.email?.toLowerCase() === contact.email.toLowerCase()
        ? (['email'] as const)
        : []),
    ],
  }))
}

const encode = (g: { kind: string; value: string }) =>
  Buffer.from(JSON.stringify([g.kind, g.value])).toString('base64url')

function decode(cursor: string): { kind: 'phone' | 'email'; value: string } {
  try {
    const [kind, value] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown]
    if ((kind === 'phone' || kind === 'email') && typeof value === 'string') return { kind, value }
  } catch {}
  throw new ValidationError('The cursor is not valid; start again without it.', [
    { path: 'cursor', message: 'Use the nextCursor of a previous page.' },
  ])
}

/** Every shared phone and email in the workspace, each with the contacts that share it. */
export async function listMergeSuggestions(
  ctx: Ctx,
  p: Principal,
  input: { cursor?: string | undefined; limit: number },
): Promise<{ groups: (DuplicateGroup & { contacts: ContactRow[] })[]; nextCursor: string | null }> {
  authorize(p, 'contacts.view')
  const after = input.cursor ? decode(input.cursor) : null
  const groups = await listDuplicateGroups(ctx.db, p.workspaceId, after, input.limit + 1)
  const page = groups.slice(0, input.limit)
  const rows = await findContactsByIds(ctx.db, p.workspaceId, [...new Set(page.flatMap((g) => g.contactIds))])
  const byId = new Map(rows.map((c) => [c.id, c]))
  return {
    groups: page.map((g) => ({
      ...g,
      contacts: g.contactIds.map((id) => byId.get(id)).filter((c) => c !== undefined),
    })),
    nextCursor: groups.length > input.limit ? encode(page.at(-1)!) : null,
  }
}

const blank = (v: string | null | undefined) => v === null || v === undefined || v === ''
const pick = <T>(primary: T, secondary: T): T => (blank(primary as string | null) ? secondary : primary)
export const MERGE_STANDARD_FIELDS = [
  'firstName',
  'lastName',
  'phone',
  'email',
  'country',
  'language',
] as const
type StandardField = (typeof MERGE_STANDARD_FIELDS)[number]
const newer = (a: Date | null, b: Date | null) => (b && (!a || b.getTime() > a.getTime()) ? b : a)
const iso = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]))

/**
 * Rule 53: merges the secondary contact into the primary, in one transaction, and deletes it.
 *
 * - Identities move to the primary. A contact has one identity per channel, so when both have
 *   one on the same channel the primary's is kept and the secondary's is dropped (recorded in
 *   the merge snapshot); its messages still move, so the history stays whole.
 * - Conversations, messages, comments, notifications and the event history move. At most one
 *   conversation may be open (rule 2): when both have one, the secondary's is closed first
 *   (source user, or api for tokens) and the primary's stays open.
 * - Tags are united; standard and custom fields keep the primary's values, blanks filled from the
 *   secondary, except the fields named in `keepFromSecondary` (the side-by-side review's picks:
 *   `firstName`…`language`, `custom.<key>`), which take the secondary's value when it has one;
 *   the assignee is the primary's, else the secondary's.
 * - The primary's inbox row is recomputed from the newest activity of the two.
 */
export async function mergeContacts(
  ctx: Ctx,
  p: Principal,
  input: { primaryContactId: number; secondaryContactId: number; keepFromSecondary?: string[] | undefined },
): Promise<ContactRow> {
  authorize(p, 'contacts.view')
  const { primaryContactId: pid, secondaryContactId: sid } = input
  if (pid === sid) {
    throw new UnprocessableError('A contact cannot be merged into itself.', 'same_contact', [
      { path: 'secondaryContactId', message: 'Choose another contact.' },
    ])
  }
  const ws = p.workspaceId
  const actor = actorOf(p)
  return ctx.db.transaction(async (tx) => {
    // Both rows are locked in id order, so two merges of the same pair cannot deadlock.
    const locked = new Map<number, ContactRow | undefined>()
    for (const id of [pid, sid].sort((a, b) => a - b)) locked.set(id, await lockContact(tx, ws, id))
    const primary = locked.get(pid)
    const secondary = locked.get(sid)
    if (!primary || !secondary) throw new NotFoundError('Contact')

    const [pIdentities, sIdentities, sTags] = [
      await listIdentities(tx, ws, pid),
      await listIdentities(tx, ws, sid),
      await tagIdsOf(tx, ws, sid),
    ]
    const dropped = sIdentities.filter((s) => pIdentities.some((i) => i.channelId === s.channelId))
    await deleteIdentities(
      tx,
      ws,
      dropped.map((i) => i.id),
    )

    const pOpen = await findOpenConversation(tx, ws, pid)
    const sOpen = await findOpenConversation(tx, ws, sid)
    let closedConversationId: number | null = null
    if (pOpen && sOpen) {
      await closeLocked(ctx, tx, secondary, sOpen, {
        source: p.kind === 'api' ? 'api' : 'user',
        actor,
        userId: p.kind === 'user' ? p.userId : null,
      })
      closedConversationId = sOpen.id
    }
    await moveContactRows(tx, ws, sid, pid)
    await copyTags(tx, ws, sid, pid)

    const open = pOpen ?? (closedConversationId ? undefined : sOpen)
    const latest = open ?? (await latestConversationOf(tx, ws, pid))
    const newest =
      newer(primary.lastMessageAt, secondary.lastMessageAt) === primary.lastMessageAt ? primary : secondary
    const assignee = primary.assigneeUserId !== null ? primary : secondary
    const fromSecondary = new Set(input.keepFromSecondary ?? [])
    const field = <K extends StandardField>(k: K) =>
      fromSecondary.has(k) && !blank(secondary[k]) ? secondary[k] : pick(primary[k], secondary[k])
    const customPicks: ContactRow['custom'] = {}
    for (const k of [...fromSecondary].filter((f) => f.startsWith('custom.')).map((f) => f.slice(7))) {
      const v = secondary.custom[k]
      if (v !== undefined && v !== null) customPicks[k] = v
    }
    const merged = await updateContact(tx, ws, pid, {
      firstName: field('firstName'),
      lastName: field('lastName'),
      phone: field('phone'),
      email: field('email'),
      country: field('country'),
      language: field('language'),
      avatarUrl: pick(primary.avatarUrl, secondary.avatarUrl),
      lifecycleStageId: primary.lifecycleStageId ?? secondary.lifecycleStageId,
      custom: { ...secondary.custom, ...primary.custom, ...customPicks },
      assigneeUserId: assignee.assigneeUserId,
      assigneeTeamId: assignee.assigneeTeamId,
      lastInteractedChannelId:
        newest.lastInteractedChannelId ??
        primary.lastInteractedChannelId ??
        secondary.lastInteractedChannelId,
      conversationId: latest?.id ?? null,
      inboxStatus: open ? (open.snoozedUntil ? 'snoozed' : 'open') : latest ? 'closed' : null,
      lastMessageAt: newest.lastMessageAt,
      lastMessagePreview: newest.lastMessagePreview,
      lastMessageDirection: newest.lastMessageDirection,
      lastIncomingAt: newer(primary.lastIncomingAt, secondary.lastIncomingAt),
      unread: primary.unread || secondary.unread,
    })

    await insertMerge(tx, {
      workspaceId: ws,
      primaryContactId: pid,
      mergedContactId: sid,
      mergedSnapshot: {
        contact: iso(secondary),
        identities: sIdentities.map(iso),
        droppedIdentities: dropped.map(iso),
        tagIds: sTags,
        closedConversationId,
      },
      actorKind: actor.kind,
      actorId: actor.id,
    })
    await deleteContact(tx, ws, sid)
    await emit(tx, ws, actor, { type: 'contact.merged', payload: { contactId: pid, mergedContactId: sid } })
    return merged!
  })
}
