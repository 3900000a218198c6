import { actorOf, authorize, type Principal } from '../auth/principal'
import { type ChannelRow, findChannel, listChannels } from '../channels/channels.repo'
import { setAssignee } from '../contacts/assignment'
import {
  type ContactRow,
  findContact,
  type IdentityRow,
  listIdentities,
  lockContact,
  teamOfUser,
  updateContact,
} from '../contacts/contacts.repo'
import { assertCanSee } from '../contacts/visibility'
import type { Ctx } from '../context'
import type { DbOrTx, Tx } from '../db/database'
import type { CloseSource, conversations, OpenSource } from '../db/schema'
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../errors'
import { type Actor, emit } from '../events'
import { policyFor, type WindowState, windowState } from '../messages/windows'
import { findMember } from '../users/users.repo'
import { findWorkspace, type WorkspaceRow } from '../workspaces/workspaces.repo'
import { armAutoClose, autoCloseDeadline, UNSNOOZE_QUEUE } from './autoclose'
import {
  type ConversationRow,
  findClosingCategory,
  findConversation,
  findOpenConversation,
  insertConversation,
  listConversationsOfContact,
  updateConversation,
} from './conversations.repo'

export type OpenOptions = {
  source: OpenSource
  channelId: number | null
  actor: Actor
  userId?: number | null
  workflowId?: number | null
}

type AutoCloseSettings = Pick<WorkspaceRow, 'autoCloseMinutes' | 'autoCloseEnabledAt'>

/** Rule 39: auto-close applies to conversations created after it was enabled. */
function autoCloseEligible(ws: AutoCloseSettings, at: Date): boolean {
  return (
    ws.autoCloseMinutes !== null &&
    ws.autoCloseEnabledAt !== null &&
    ws.autoCloseEnabledAt.getTime() <= at.getTime()
  )
}

/** The row that opens a conversation for a contact (rules 2–5, 8, 39); shared with bulk ingest. */
export function conversationToOpen(
  ws: AutoCloseSettings,
  contact: Pick<ContactRow, 'workspaceId' | 'id' | 'assigneeUserId'>,
  o: OpenOptions,
  now: Date,
): typeof conversations.$inferInsert {
  return {
    workspaceId: contact.workspaceId,
    contactId: contact.id,
    status: 'open',
    openedAt: now,
    openedSource: o.source,
    openedByUserId: o.userId ?? null,
    openedByWorkflowId: o.workflowId ?? null,
    openedChannelId: o.channelId,
    // Rule 8: a contact who still has an assignee comes back to that person's Mine inbox.
    firstAssigneeUserId: contact.assigneeUserId,
    lastAssigneeUserId: contact.assigneeUserId,
    autoCloseEligible: autoCloseEligible(ws, now),
    handler: o.source === 'workflow' ? 'workflow' : 'human',
  }
}

/**
 * Opens a conversation for a locked contact that has none open (rules 2–5). The partial unique
 * index conversations_one_open is the last line of defence against a second open conversation.
 */
export async function openLocked(
  ctx: Ctx,
  tx: Tx,
  contact: ContactRow,
  o: OpenOptions,
): Promise<ConversationRow> {
  const ws = (await findWorkspace(tx, contact.workspaceId))!
  const conversation = await insertConversation(tx, conversationToOpen(ws, contact, o, ctx.clock.now()))
  await updateContact(tx, contact.workspaceId, contact.id, {
    conversationId: conversation.id,
    inboxStatus: 'open',
  })
  contact.conversationId = conversation.id
  contact.inboxStatus = 'open'
  await emit(tx, contact.workspaceId, o.actor, {
    type: 'conversation.opened',
    payload: {
      contactId: contact.id,
      conversationId: conversation.id,
      source: o.source,
      channelId: o.channelId,
    },
  })
  return conversation
}

export type CloseOptions = {
  source: CloseSource
  actor: Actor
  userId?: number | null
  categoryId?: number | null
  summary?: string | null
}

export async function closeLocked(
  ctx: Ctx,
  tx: Tx,
  contact: ContactRow,
  conversation: ConversationRow,
  o: CloseOptions,
): Promise<ConversationRow> {
  const now = ctx.clock.now()
  const closed = await updateConversation(tx, contact.workspaceId, conversation.id, {
    status: 'closed',
    closedAt: now,
    closedSource: o.source,
    closedByUserId: o.userId ?? null,
    closedByTeamId: o.userId ? await teamOfUser(tx, contact.workspaceId, o.userId) : null,
    closingCategoryId: o.categoryId ?? null,
    closingSummary: o.summary ?? null,
    snoozedUntil: null,
    autoCloseAt: null,
  })
  await updateContact(tx, contact.workspaceId, contact.id, { inboxStatus: 'closed' })
  contact.inboxStatus = 'closed'
  await emit(tx, contact.workspaceId, o.actor, {
    type: 'conversation.closed',
    payload: {
      contactId: contact.id,
      conversationId: conversation.id,
      source: o.source,
      categoryId: o.categoryId ?? null,
      summary: o.summary ?? null,
    },
  })
  return closed!
}

/** Loads and locks a contact the principal may see; blocked contacts cannot be opened or closed (rule 12). */
async function lockVisible(tx: Tx, p: Principal, contactId: number, action: string): Promise<ContactRow> {
  const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
  if (contact.blockedAt) {
    throw new ConflictError(
      `This contact is blocked; unblock them to ${action} a conversation.`,
      'contact_blocked',
    )
  }
  return contact
}

/** Rule 11: a user opens a conversation with the Open button (source User; API tokens: source API). */
export async function openConversation(ctx: Ctx, p: Principal, contactId: number): Promise<ConversationRow> {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = await lockVisible(tx, p, contactId, 'open')
    if (await findOpenConversation(tx, p.workspaceId, contactId)) {
      throw new ConflictError('This contact already has an open conversation.', 'already_open')
    }
    return openLocked(ctx, tx, contact, {
      source: p.kind === 'api' ? 'api' : 'user',
      channelId: contact.lastInteractedChannelId,
      actor: actorOf(p),
      userId: p.kind === 'user' ? p.userId : null,
    })
  })
}

export type CloseInput = { categoryId?: number | null | undefined; summary?: string | null | undefined }

/** Rule 36: the workspace's closing-note mode decides what a person closing must provide. */
export async function validateClosingNote(tx: Tx, ws: WorkspaceRow, input: CloseInput) {
  const summary = input.summary?.trim() || null
  const categoryId = input.categoryId ?? null
  if (ws.closingNotesMode === 'disabled' && (categoryId || summary)) {
    throw new UnprocessableError('Closing notes are disabled in this workspace.', 'closing_notes_disabled')
  }
  const fields: { path: string; message: string }[] = []
  if (
    (ws.closingNotesMode === 'category_required' ||
      ws.closingNotesMode === 'category_and_summary_required') &&
    !categoryId
  ) {
    fields.push({ path: 'categoryId', message: 'A conversation category is required to close.' })
  }
  if (ws.closingNotesMode === 'category_and_summary_required' && !summary) {
    fields.push({ path: 'summary', message: 'A summary is required to close.' })
  }
  if (fields.length)
    throw new UnprocessableError(fields.map((f) => f.message).join(' '), 'closing_note_required', fields)
  if (categoryId && !(await findClosingCategory(tx, ws.id, categoryId))) {
    throw new UnprocessableError('Unknown conversation category.', 'unknown_category', [
      { path: 'categoryId', message: 'No such category in this workspace.' },
    ])
  }
  return { categoryId, summary }
}

export async function closeConversation(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  input: CloseInput,
): Promise<ConversationRow> {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = await lockVisible(tx, p, contactId, 'close')
    const conversation = await findOpenConversation(tx, p.workspaceId, contactId)
    if (!conversation)
      throw new ConflictError('This contact has no open conversation to close.', 'already_closed')
    const ws = (await findWorkspace(tx, p.workspaceId))!
    const note = await validateClosingNote(tx, ws, input)
    return closeLocked(ctx, tx, contact, conversation, {
      source: p.kind === 'api' ? 'api' : 'user',
      actor: actorOf(p),
      userId: p.kind === 'user' ? p.userId : null,
      ...note,
    })
  })
}

const MAX_SNOOZE_MS = 365 * 24 * 3600_000

/** Rule 13: snooze hides the conversation until a time; the contact writing ends it early. */
export async function snoozeConversation(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  until: Date,
): Promise<ConversationRow> {
  authorize(p, 'inbox.view')
  const now = ctx.clock.now()
  if (until.getTime() <= now.getTime() + 30_000 || until.getTime() > now.getTime() + MAX_SNOOZE_MS) {
    throw new ValidationError('Snooze until a time between one minute and one year from now.', [
      { path: 'until', message: 'Must be in the future and within a year.' },
    ])
  }
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    const conversation = await findOpenConversation(tx, p.workspaceId, contactId)
    if (!conversation)
      throw new ConflictError('Only an open conversation can be snoozed.', 'no_open_conversation')
    const snoozed = (await updateConversation(tx, p.workspaceId, conversation.id, { snoozedUntil: until }))!
    await updateContact(tx, p.workspaceId, contactId, { inboxStatus: 'snoozed' })
    // Rule 39: snooze takes precedence; the auto-close timer starts after the snooze ends.
    const ws = (await findWorkspace(tx, p.workspaceId))!
    if (snoozed.autoCloseAt)
      await armAutoClose(
        ctx,
        tx,
        snoozed,
        autoCloseDeadline(ws.autoCloseMinutes, snoozed, snoozed.lastHumanOutgoingAt),
      )
    await ctx.jobs.enqueue(
      tx,
      UNSNOOZE_QUEUE,
      { workspaceId: p.workspaceId, conversationId: conversation.id, until: until.toISOString() },
      { startAfter: until },
    )
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'conversation.snoozed',
      payload: { contactId: contact.id, conversationId: conversation.id, until: until.toISOString() },
    })
    return snoozed
  })
}

/** Ends a snooze (by a user, by its time, or because the contact wrote). The caller locked the contact. */
export async function endSnoozeLocked(
  tx: Tx,
  contact: ContactRow,
  conversation: ConversationRow,
  reason: 'expired' | 'contact_replied' | 'user',
  actor: Actor,
): Promise<void> {
  if (!conversation.snoozedUntil) return
  await updateConversation(tx, contact.workspaceId, conversation.id, { snoozedUntil: null })
  conversation.snoozedUntil = null
  await updateContact(tx, contact.workspaceId, contact.id, { inboxStatus: 'open' })
  contact.inboxStatus = 'open'
  await emit(tx, contact.workspaceId, actor, {
    type: 'conversation.unsnoozed',
    payload: { contactId: contact.id, conversationId: conversation.id, reason },
  })
}

export async function unsnoozeConversation(ctx: Ctx, p: Principal, contactId: number): Promise<void> {
  authorize(p, 'inbox.view')
  await ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    const conversation = await findOpenConversation(tx, p.workspaceId, contactId)
    if (!conversation?.snoozedUntil)
      throw new ConflictError('This conversation is not snoozed.', 'not_snoozed')
    await endSnoozeLocked(tx, contact, conversation, 'user', actorOf(p))
  })
}

/**
 * Assign, reassign or unassign a contact (rules 30–31). Agents may assign too; the assignee must
 * be a member of the workspace.
 */
export async function assignContact(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  userId: number | null,
): Promise<ContactRow> {
  authorize(p, 'inbox.view')
  if (userId !== null && !(await findMember(ctx.db, p.workspaceId, userId))) {
    throw new UnprocessableError('The assignee is not a member of this workspace.', 'invalid_assignee', [
      { path: 'userId', message: 'Not a member of this workspace.' },
    ])
  }
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    return setAssignee(ctx, tx, contact, userId, actorOf(p), userId === null ? 'unassigned' : 'assigned')
  })
}

/** Azir's four states (rules 90–94) from lifecycle, handler and the window. */
export function conversationState(
  conversation: Pick<ConversationRow, 'status' | 'handler'> | undefined,
  window: { status: 'none' | 'open' | 'human_agent' | 'expired' },
): 'open' | 'expired' | 'closed' | 'bot' {
  if (!conversation || conversation.status === 'closed') return 'closed'
  if (conversation.handler !== 'human') return 'bot'
  if (window.status === 'expired' || window.status === 'human_agent') return 'expired'
  return 'open'
}

export async function requireOpen(tx: Tx, workspaceId: number, contactId: number): Promise<ConversationRow> {
  const c = await findOpenConversation(tx, workspaceId, contactId)
  if (!c) throw new NotFoundError('Open conversation')
  return c
}

/** What the inbox shows for one contact: the latest conversation, its window and the contact's channels. */
export async function conversationView(ctx: Ctx, p: Principal, contactId: number) {
  authorize(p, 'inbox.view')
  const contact = assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  // Opening a conversation waits on this: the reads that follow the contact go out together.
  const [conversation, identities, channelRows] = await Promise.all([
    contact.conversationId
      ? findConversation(ctx.db, p.workspaceId, contact.conversationId)
      : Promise.resolve(undefined),
    listIdentities(ctx.db, p.workspaceId, contactId),
    listChannels(ctx.db, p.workspaceId),
  ])
  const now = ctx.clock.now()
  const channels = new Map(channelRows.map((c) => [c.id, c]))
  const lastChannel = contact.lastInteractedChannelId
  const window = lastChannel
    ? windowOf(contact, identities, channels.get(lastChannel), now)
    : windowOf(contact, [], undefined, now)
  // Every channel's window (rule 22: per contact and channel), for the composer's channel picker.
  const windows = identities.flatMap((i) => {
    const channel = channels.get(i.channelId)
    return channel
      ? [{ channelId: channel.id, state: windowState(policyFor(channel.type, channel.config), i, now) }]
      : []
  })
  return { contact, conversation, identities, window, windows }
}

/** The messaging window on the contact's last interacted channel at `now` (rules 15–22); webhooks share it. */
export async function contactWindow(
  db: DbOrTx,
  contact: ContactRow,
  now: Date,
  identities?: IdentityRow[],
): Promise<{ channelId: number | null; state: WindowState }> {
  const channelId = contact.lastInteractedChannelId
  if (!channelId) return windowOf(contact, [], undefined, now)
  const list = identities ?? (await listIdentities(db, contact.workspaceId, contact.id))
  return windowOf(contact, list, await findChannel(db, contact.workspaceId, channelId), now)
}

/** contactWindow for callers that already hold the contact's identities and its last channel. */
export function windowOf(
  contact: ContactRow,
  identities: IdentityRow[],
  channel: ChannelRow | undefined,
  now: Date,
): { channelId: number | null; state: WindowState } {
  const identity = identities.find((i) => i.channelId === contact.lastInteractedChannelId)
  const state: WindowState =
    channel && identity && channel.id === contact.lastInteractedChannelId
      ? windowState(policyFor(channel.type, channel.config), identity, now)
      : { status: 'none' }
  return { channelId: contact.lastInteractedChannelId && channel ? channel.id : null, state }
}

export async function pastConversations(ctx: Ctx, p: Principal, contactId: number) {
  authorize(p, 'inbox.view')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  return listConversationsOfContact(ctx.db, p.workspaceId, contactId)
}
