import { parsePhoneNumberFromString } from 'libphonenumber-js'
import { encryptSecret } from '../auth/crypto'
import type { InboundEvent, InboundMessage, InboundStatus, InboundWatermark } from '../channels/channel'
import { type ChannelRow, writeState } from '../channels/channels.repo'
import { adapterFor } from '../channels/registry'
import {
  type ContactRow,
  defaultLifecycleStageId,
  findIdentity,
  insertContact,
  insertIdentity,
  lockContact,
  lockIdentityKey,
  updateContact,
  updateIdentity,
} from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import { findOpenConversation, updateConversation } from '../conversations/conversations.repo'
import { conversationToOpen, endSnoozeLocked, openLocked } from '../conversations/conversations.service'
import type { Tx } from '../db/database'
import { type Actor, type DomainEvent, emit, emitAllStatement, SYSTEM } from '../events'
import {
  findByProviderId,
  insertMessage,
  listOutgoingUpTo,
  type MessageRow,
  updateMessage,
} from '../messages/messages.repo'
import { preview } from '../messages/messages.service'
import { createGroupCommit, type GroupCommit, type GroupCommitOptions } from './group-commit'
import {
  type InboundWrites,
  type IngestState,
  inboundStatements,
  lockAndRead,
  writeInbound,
} from './ingest.repo'

export const STATUS_RETRY_QUEUE = 'messages.status-retry'
export const MEDIA_DOWNLOAD_QUEUE = 'messages.media-download'
export const FOLLOW_UP_QUEUE = 'channels.follow-up'
const STATUS_RETRIES = 4

export type IngestResult = { received: number; duplicates: number; statuses: number; unknownStatuses: number }

const RANK: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4, received: 0 }

const emptyResult = (): IngestResult => ({ received: 0, duplicates: 0, statuses: 0, unknownStatuses: 0 })

export type IngestItem = { channel: ChannelRow; events: InboundEvent[] }

/**
 * Group commit (see group-commit.ts). On a PostgreSQL server, four lanes run batches side by side
 * on their own connections; PGlite has one connection, so one lane. The linger is short: an idle
 * lane waits 2 ms for company, a busy one takes whatever gathered meanwhile.
 */
export const GROUP_COMMIT: Record<'postgres' | 'pglite', GroupCommitOptions> = {
  postgres: { lanes: 4, lingerMs: 2, maxBatch: 64 },
  pglite: { lanes: 1, lingerMs: 2, maxBatch: 64 },
}

const groupCommits = new WeakMap<Ctx, GroupCommit<IngestItem, IngestResult>>()

export function groupCommitOf(ctx: Ctx): GroupCommit<IngestItem, IngestResult> {
  let g = groupCommits.get(ctx)
  if (!g) {
    g = createGroupCommit(GROUP_COMMIT[ctx.database.kind], (items) => ingestBatch(ctx, items))
    groupCommits.set(ctx, g)
  }
  return g
}

/** An item's lane follows its (first) sender, so one sender's messages are stored in arrival order. */
function laneOf(item: IngestItem): number {
  const e = item.events.find((x) => x.kind === 'message') ?? item.events[0]!
  const key = `${item.channel.id}:${e.kind === 'message' ? e.from.identifier : e.kind === 'watermark' ? e.identifier : e.providerMessageId}`
  let h = 0
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0
  return h >>> 0
}

/**
 * The one entry point for inbound channel events. Everything an event changes — contact and
 * identity, conversation, message, window, inbox row and the outbox events — commits in one
 * transaction before the provider gets its 200, and a provider's retry of the same message id
 * is recognised and skipped (unique index messages_provider_id). Concurrent calls share that
 * transaction (group commit); each returns once the transaction holding its events committed.
 */
export async function ingest(ctx: Ctx, channel: ChannelRow, events: InboundEvent[]): Promise<IngestResult> {
  if (events.length === 0) return emptyResult()
  const item = { channel, events }
  return groupCommitOf(ctx).submit(item, laneOf(item))
}

/**
 * The same events, one message at a time in one transaction, without group commit: the reference
 * behaviour the batched path must match (ingest/batch.test.ts compares the two).
 */
export async function ingestOneByOne(
  ctx: Ctx,
  channel: ChannelRow,
  events: InboundEvent[],
): Promise<IngestResult> {
  const result = emptyResult()
  await ctx.db.transaction(async (tx) => {
    for (const e of events) {
      if (e.kind === 'message') await ingestCounted(ctx, tx, channel, e, result)
      else await applyReceipt(ctx, tx, channel, e, result)
    }
  })
  return result
}

/** One message through the row-at-a-time path, counted as received or duplicate. */
async function ingestCounted(ctx: Ctx, tx: Tx, channel: ChannelRow, m: InboundMessage, r: IngestResult) {
  if (await ingestMessage(ctx, tx, channel, m)) r.received++
  else r.duplicates++
}

/** A receipt (status or watermark), counted as statuses moved or unknown. */
async function applyReceipt(
  ctx: Ctx,
  tx: Tx,
  channel: ChannelRow,
  e: InboundStatus | InboundWatermark,
  r: IngestResult,
) {
  if (e.kind === 'watermark') r.statuses += await applyWatermark(tx, channel, e)
  else if (await applyStatus(ctx, tx, channel, e)) r.statuses++
  else r.unknownStatuses++
}

/** Ingests several webhooks' events in ONE transaction; one result per item. */
export async function ingestBatch(ctx: Ctx, items: IngestItem[]): Promise<IngestResult[]> {
  return ctx.db.transaction((tx) => ingestItems(ctx, tx, items))
}

type Inbound = { item: number; m: InboundMessage }
type ChannelGroup = { channel: ChannelRow; list: Inbound[] }

async function ingestItems(ctx: Ctx, tx: Tx, items: IngestItem[]): Promise<IngestResult[]> {
  const results = items.map(emptyResult)
  const byChannel = new Map<string, ChannelGroup>()
  const others: { item: number; channel: ChannelRow; e: InboundStatus | InboundWatermark }[] = []
  items.forEach(({ channel, events }, item) => {
    for (const e of events) {
      if (e.kind !== 'message') {
        others.push({ item, channel, e })
        continue
      }
      const k = `${channel.workspaceId}:${channel.id}`
      const group = byChannel.get(k) ?? { channel, list: [] }
      group.list.push({ item, m: e })
      byChannel.set(k, group)
    }
  })
  const groups = [...byChannel.values()]
  if (groups.length) {
    const now = ctx.clock.now()
    // Round trip 1: every sender locked (identity, then contact), and what the batch must know.
    const states = await lockAndRead(
      tx,
      groups.map(({ channel, list }) => ({
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        identifiers: [...new Set(list.map((x) => x.m.from.identifier))],
        refs: [
          ...new Set(
            list.flatMap((x) => [
              x.m.providerMessageId,
              ...(x.m.replyToProviderId ? [x.m.replyToProviderId] : []),
            ]),
          ),
        ],
        messages: list.length,
      })),
    )
    const plans = groups.map((g, i) => planInbound(g, states[i]!, results, now))
    // Rule 13: a contact writing ends a snooze (rare: row at a time, before the message events).
    for (const [i, plan] of plans.entries()) {
      const ws = groups[i]!.channel.workspaceId
      for (const contactId of plan.unsnooze) {
        const contact = (await lockContact(tx, ws, contactId))!
        const conversation = (await findOpenConversation(tx, ws, contactId))!
        await endSnoozeLocked(tx, contact, conversation, 'contact_replied', {
          kind: 'contact',
          id: contactId,
        })
      }
    }
    // Round trip 2: all rows of the batch.
    await writeInbound(
      tx,
      plans.flatMap((p, i) => [
        ...inboundStatements(p.writes),
        ...(p.events.length ? [emitAllStatement(groups[i]!.channel.workspaceId, p.events)] : []),
      ]),
    )
    for (const [i, plan] of plans.entries()) {
      const { channel } = groups[i]!
      for (const { m, message } of plan.stored) {
        await enqueueMediaDownload(ctx, tx, channel, message)
        await afterStored(ctx, tx, channel, m)
      }
      // Echoes, and replies to a message of this same batch, one at a time (their senders' locks are held).
      for (const x of plan.single) await ingestCounted(ctx, tx, channel, x.m, results[x.item]!)
    }
  }
  // Receipts after messages: a receipt for an echo in the same batch finds it.
  for (const { item, channel, e } of others) await applyReceipt(ctx, tx, channel, e, results[item]!)
  return results
}

/** A fault in the batch's view of the database (a merge moved an identity meanwhile): retried alone. */
class StaleBatchError extends Error {}

/**
 * One channel's new messages as rows to write — the same rules as ingestMessage, for many senders
 * at once: new contacts with their identity (rule 52, 54, 58), conversations opened for contacts
 * without one (rules 2–4; not for blocked contacts, rules 12/59), the messages, the identity's
 * window (rules 19, 22), the conversation's counters and auto-close timer (rule 39), the inbox
 * row, and the events in each contact's order.
 */
function planInbound(group: ChannelGroup, state: IngestState, results: IngestResult[], now: Date) {
  const { channel, list } = group
  const ws = channel.workspaceId
  const fresh: Inbound[] = []
  const seen = new Set<string>()
  for (const x of list) {
    const id = x.m.providerMessageId
    if (state.stored.has(id) || seen.has(id)) results[x.item]!.duplicates++
    else {
      seen.add(id)
      fresh.push(x)
    }
  }
  const singleSenders = new Set(
    fresh
      .filter((x) => x.m.echo || (x.m.replyToProviderId && seen.has(x.m.replyToProviderId)))
      .map((x) => x.m.from.identifier),
  )
  const single = fresh.filter((x) => singleSenders.has(x.m.from.identifier))
  const bulk = fresh.filter((x) => !singleSenders.has(x.m.from.identifier))
  const senders = new Map<string, Inbound[]>()
  for (const x of bulk) senders.set(x.m.from.identifier, [...(senders.get(x.m.from.identifier) ?? []), x])

  const ids = {
    contacts: [...state.ids.contacts],
    conversations: [...state.ids.conversations],
    messages: [...state.ids.messages],
  }
  const take = (pool: number[]) => {
    const id = pool.shift()
    if (id === undefined) throw new StaleBatchError('ingest: the batch needs more ids than it drew; retrying')
    return id
  }
  const writes: InboundWrites = {
    workspaceId: ws,
    contacts: [],
    identities: [],
    conversations: [],
    messages: [],
    touchIdentities: [],
    touchConversations: [],
    touchContacts: [],
  }
  const events: { actor: Actor; event: DomainEvent }[] = []
  const stored: { m: InboundMessage; message: Pick<MessageRow, 'id' | 'content'> }[] = []
  const unsnooze: number[] = []

  // Senders in order of their first message; each sender's messages in arrival order.
  const senderOf = new Map<string, { contactId: number; conversationId: number | null }>()
  for (const [identifier, mine] of senders) {
    const first = mine[0]!.m
    const last = mine.at(-1)!.m
    const displayName = mine.findLast((x) => x.m.from.displayName)?.m.from.displayName ?? null
    // A contact without a name takes the first one their messages carry.
    const nameFor = (c: { firstName: string; lastName: string }) =>
      c.firstName || c.lastName
        ? undefined
        : mine.map((x) => nameParts(x.m)).find((n) => n.firstName || n.lastName)
    // Rules 2–4: a conversation with source Contact, opened by this batch.
    const open = (contact: Pick<ContactRow, 'id' | 'assigneeUserId'>, conversationId: number) => {
      const actor: Actor = { kind: 'contact', id: contact.id }
      writes.conversations.push({
        ...conversationToOpen(
          state.workspace,
          { workspaceId: ws, ...contact },
          { source: 'contact', channelId: channel.id, actor },
          now,
        ),
        id: conversationId,
        incomingCount: mine.length,
        lastMessageAt: now,
      })
      events.push({
        actor,
        event: {
          type: 'conversation.opened',
          payload: { contactId: contact.id, conversationId, source: 'contact', channelId: channel.id },
        },
      })
    }
    const identity = state.identities.get(identifier)
    let contactId: number
    let conversationId: number | null
    if (identity) {
      const contact = state.contacts.get(identity.contactId)
      if (!contact) throw new StaleBatchError('ingest: an identity moved to another contact; retrying')
      contactId = contact.id
      const current = state.open.get(contactId)
      conversationId = current?.id ?? null
      if (current?.snoozed) unsnooze.push(contactId)
      let opened = false
      if (!current && !contact.blocked) {
        conversationId = take(ids.conversations)
        opened = true
        open(contact, conversationId)
      } else if (conversationId !== null) {
        writes.touchConversations.push({ id: conversationId, count: mine.length, lastMessageAt: now })
      }
      writes.touchIdentities.push({
        id: identity.id,
        lastIncomingAt: sentAtOf(last, now),
        displayName,
      })
      const named = nameFor(contact)
      writes.touchContacts.push({
        id: contactId,
        channelId: channel.id,
        lastIncomingAt: sentAtOf(last, now),
        lastMessageAt: now,
        preview: preview(last.type, last.text ?? null),
        firstName: named?.firstName ?? null,
        lastName: named?.lastName ?? null,
        conversationId: opened ? conversationId : null,
      })
    } else {
      // Rule 52: a contact per new channel identity, at its first message; rule 58: default stage.
      contactId = take(ids.contacts)
      conversationId = take(ids.conversations)
      const values = newContactOf(first)
      const named = nameFor(values)
      writes.contacts.push({
        id: contactId,
        workspaceId: ws,
        ...values,
        ...(named ?? {}),
        lifecycleStageId: state.defaultStageId,
        lastInteractedChannelId: channel.id,
        conversationId,
        inboxStatus: 'open',
        lastMessageAt: now,
        lastIncomingAt: sentAtOf(last, now),
        lastMessagePreview: preview(last.type, last.text ?? null),
        lastMessageDirection: 'in',
        unread: true,
      })
      writes.identities.push({
        workspaceId: ws,
        contactId,
        channelId: channel.id,
        identifier,
        displayName,
        avatarUrl: first.from.avatarUrl ?? null,
        lastIncomingAt: sentAtOf(last, now),
        outboundSinceIncoming: 0,
      })
      events.push({
        actor: { kind: 'contact', id: contactId },
        event: { type: 'contact.created', payload: { contactId, source: 'channel' } },
      })
      open({ id: contactId, assigneeUserId: null }, conversationId)
    }
    senderOf.set(identifier, { contactId, conversationId })
  }

  for (const x of bulk) {
    const { m } = x
    const { contactId, conversationId } = senderOf.get(m.from.identifier)!
    const id = take(ids.messages)
    const content = m.content ?? {}
    writes.messages.push({
      id,
      workspaceId: ws,
      contactId,
      conversationId,
      channelId: channel.id,
      direction: 'in',
      authorKind: 'contact',
      authorId: contactId,
      type: m.type,
      text: m.text ?? null,
      content,
      status: 'received',
      providerMessageId: m.providerMessageId,
      replyToMessageId: m.replyToProviderId ? (state.stored.get(m.replyToProviderId) ?? null) : null,
      createdAt: now,
      sentAt: sentAtOf(m, now),
    })
    stored.push({ m, message: { id, content } })
    events.push({
      actor: { kind: 'contact', id: contactId },
      event: {
        type: 'message.received',
        payload: { contactId, conversationId, messageId: id, channelId: channel.id },
      },
    })
    results[x.item]!.received++
  }
  return { writes, events, stored, single, unsnooze }
}

/** When the contact sent it: the provider's timestamp, never later than our clock. */
function sentAtOf(m: InboundMessage, now: Date): Date {
  return m.timestamp.getTime() > now.getTime() ? now : m.timestamp
}

function nameParts(m: InboundMessage): { firstName: string; lastName: string } {
  if (m.from.firstName || m.from.lastName)
    return { firstName: m.from.firstName ?? '', lastName: m.from.lastName ?? '' }
  const full = (m.from.displayName ?? '').trim()
  if (!full) return { firstName: '', lastName: '' }
  const i = full.indexOf(' ')
  return i < 0
    ? { firstName: full, lastName: '' }
    : { firstName: full.slice(0, i), lastName: full.slice(i + 1).trim() }
}

/** Rule 54: the country comes from the phone number when possible. */
function countryOf(phone: string | undefined): string | null {
  if (!phone) return null
  return parsePhoneNumberFromString(phone)?.country ?? null
}

/** A new contact's fields from their first message (rules 52, 54). */
function newContactOf(m: InboundMessage) {
  const phone = m.from.phone && /^\+[1-9]\d{6,14}$/.test(m.from.phone) ? m.from.phone : null
  return {
    ...nameParts(m),
    phone,
    email: m.from.email?.toLowerCase() ?? null,
    country: countryOf(phone ?? undefined),
    language: m.from.language ?? null,
    avatarUrl: m.from.avatarUrl ?? null,
  }
}

/** Rule 52: a contact is created at their first message on a channel (one per new channel identity). */
async function contactFor(
  _ctx: Ctx,
  tx: Tx,
  channel: ChannelRow,
  m: InboundMessage,
): Promise<{ contact: ContactRow; identityId: number; isNew: boolean }> {
  const ws = channel.workspaceId
  const identity = await findIdentity(tx, ws, channel.id, m.from.identifier)
  if (identity) {
    const contact = (await lockContact(tx, ws, identity.contactId))!
    return { contact, identityId: identity.id, isNew: false }
  }
  const contact = await insertContact(tx, {
    workspaceId: ws,
    ...newContactOf(m),
    // Rule 58: a new contact's first message places them in the default lifecycle stage.
    lifecycleStageId: await defaultLifecycleStageId(tx, ws),
    lastInteractedChannelId: channel.id,
  })
  const created = await insertIdentity(tx, {
    workspaceId: ws,
    contactId: contact.id,
    channelId: channel.id,
    identifier: m.from.identifier,
    displayName: m.from.displayName ?? null,
    avatarUrl: m.from.avatarUrl ?? null,
  })
  await emit(
    tx,
    ws,
    { kind: 'contact', id: contact.id },
    { type: 'contact.created', payload: { contactId: contact.id, source: 'channel' } },
  )
  return { contact: (await lockContact(tx, ws, contact.id))!, identityId: created.id, isNew: true }
}

async function ingestMessage(ctx: Ctx, tx: Tx, channel: ChannelRow, m: InboundMessage): Promise<boolean> {
  const ws = channel.workspaceId
  // Serialises work per sender identity, which also keeps each contact's messages in order.
  await lockIdentityKey(tx, ws, channel.id, m.from.identifier)
  if (await findByProviderId(tx, ws, channel.id, m.providerMessageId)) return false
  const now = ctx.clock.now()
  const { contact, identityId } = await contactFor(ctx, tx, channel, m)
  // An echo is the business writing from another client (e.g. the phone app): stored as outgoing.
  if (m.echo) return storeEcho(ctx, tx, channel, contact, m, now)
  const actor: Actor = { kind: 'contact', id: contact.id }

  // Rules 2–4: join the open conversation, or open one with source Contact. Rule 12/59: blocked
  // contacts' messages are kept but do not open conversations.
  let conversation = await findOpenConversation(tx, ws, contact.id)
  if (!conversation && !contact.blockedAt) {
    conversation = await openLocked(ctx, tx, contact, { source: 'contact', channelId: channel.id, actor })
  }
  const sentAt = sentAtOf(m, now)
  const replyTo = m.replyToProviderId
    ? await findByProviderId(tx, ws, channel.id, m.replyToProviderId)
    : undefined
  const message = await insertMessage(tx, {
    workspaceId: ws,
    contactId: contact.id,
    conversationId: conversation?.id ?? null,
    channelId: channel.id,
    direction: 'in',
    authorKind: 'contact',
    authorId: contact.id,
    type: m.type,
    text: m.text ?? null,
    content: m.content ?? {},
    status: 'received',
    providerMessageId: m.providerMessageId,
    replyToMessageId: replyTo?.id ?? null,
    createdAt: now,
    sentAt,
  })
  await enqueueMediaDownload(ctx, tx, channel, message)
  await afterStored(ctx, tx, channel, m)
  // The window counts from the contact's last message (rule 22); a reply resets WeChat's counter (rule 19).
  await updateIdentity(tx, ws, identityId, {
    lastIncomingAt: sentAt,
    outboundSinceIncoming: 0,
    ...(m.from.displayName ? { displayName: m.from.displayName } : {}),
  })
  if (conversation) {
    if (conversation.snoozedUntil) await endSnoozeLocked(tx, contact, conversation, 'contact_replied', actor) // rule 13
    conversation = (await updateConversation(tx, ws, conversation.id, {
      incomingCount: conversation.incomingCount + 1,
      lastMessageAt: now,
      autoCloseAt: null, // rule 39: a contact reply cancels the auto-close timer
    }))!
  }
  await updateContact(tx, ws, contact.id, {
    lastInteractedChannelId: channel.id,
    lastIncomingAt: sentAt,
    lastMessageAt: now,
    lastMessagePreview: preview(m.type, m.text ?? null),
    lastMessageDirection: 'in',
    unread: true,
    ...(contact.firstName || contact.lastName ? {} : nameParts(m)),
  })
  await emit(tx, ws, actor, {
    type: 'message.received',
    payload: {
      contactId: contact.id,
      conversationId: conversation?.id ?? null,
      messageId: message.id,
      channelId: channel.id,
    },
  })
  return true
}

/** What the adapter asked for once a new message is stored: a follow-up provider call, state to keep. */
async function afterStored(ctx: Ctx, tx: Tx, channel: ChannelRow, m: InboundMessage) {
  const ws = channel.workspaceId
  if (m.followUp) {
    await ctx.jobs.enqueue(tx, FOLLOW_UP_QUEUE, { workspaceId: ws, channelId: channel.id, data: m.followUp })
  }
  for (const r of m.remember ?? []) {
    await writeState(tx, {
      workspaceId: ws,
      channelId: channel.id,
      key: r.key,
      value: encryptSecret(ctx.config.secret, r.value),
      expiresAt: new Date(ctx.clock.now().getTime() + r.ttlSeconds * 1000),
    })
  }
}

async function storeEcho(
  _ctx: Ctx,
  tx: Tx,
  channel: ChannelRow,
  contact: ContactRow,
  m: InboundMessage,
  now: Date,
): Promise<boolean> {
  const conversation = await findOpenConversation(tx, channel.workspaceId, contact.id)
  const message = await insertMessage(tx, {
    workspaceId: channel.workspaceId,
    contactId: contact.id,
    conversationId: conversation?.id ?? null,
    channelId: channel.id,
    direction: 'out',
    authorKind: 'system',
    type: m.type,
    text: m.text ?? null,
    content: { ...(m.content ?? {}), echo: true },
    status: 'sent',
    providerMessageId: m.providerMessageId,
    createdAt: now,
    sentAt: m.timestamp,
  })
  await enqueueMediaDownload(_ctx, tx, channel, message)
  await updateContact(tx, channel.workspaceId, contact.id, {
    lastMessageAt: now,
    lastMessagePreview: preview(m.type, m.text ?? null),
    lastMessageDirection: 'out',
  })
  await emit(tx, channel.workspaceId, SYSTEM, {
    type: 'message.created',
    payload: {
      contactId: contact.id,
      conversationId: conversation?.id ?? null,
      messageId: message.id,
      channelId: channel.id,
    },
  })
  return true
}

/**
 * Media the provider holds (content.media.providerRef) is fetched by a job, never inside the
 * webhook request; the message itself is already stored in this transaction.
 */
async function enqueueMediaDownload(
  ctx: Ctx,
  tx: Tx,
  channel: ChannelRow,
  message: Pick<MessageRow, 'id' | 'content'>,
) {
  const media = message.content.media as { providerRef?: string } | undefined
  if (!media?.providerRef || !adapterFor(channel.type)?.fetchMedia) return
  await ctx.jobs.enqueue(
    tx,
    MEDIA_DOWNLOAD_QUEUE,
    { workspaceId: channel.workspaceId, messageId: message.id },
    { singletonKey: `media:${channel.workspaceId}:${message.id}` },
  )
}

const forwardOf = (current: string, next: string) =>
  (RANK[next] ?? 0) > (RANK[current] ?? 0) || (next === 'failed' && current !== 'failed')

async function moveStatus(
  tx: Tx,
  channel: ChannelRow,
  message: MessageRow,
  status: InboundStatus['status'],
  at: Date,
  error?: InboundStatus['error'],
) {
  await updateMessage(tx, channel.workspaceId, message.id, {
    status,
    ...(status === 'sent' ? { sentAt: at } : {}),
    ...(status === 'delivered' ? { deliveredAt: at } : {}),
    ...(status === 'read' ? { readAt: at, deliveredAt: message.deliveredAt ?? at } : {}),
    ...(status === 'failed'
      ? { failedAt: at, error: error ?? { code: 'failed', title: 'The provider reported a failure.' } }
      : {}),
  })
  await emit(tx, channel.workspaceId, SYSTEM, {
    type: 'message.status_updated',
    payload: {
      contactId: message.contactId,
      conversationId: message.conversationId,
      messageId: message.id,
      status,
    },
  })
}

/** Messenger's watermarks: every outgoing message to this person sent up to `upTo` is delivered/read. */
async function applyWatermark(tx: Tx, channel: ChannelRow, w: InboundWatermark): Promise<number> {
  const identity = await findIdentity(tx, channel.workspaceId, channel.id, w.identifier)
  if (!identity) return 0
  const rows = await listOutgoingUpTo(tx, channel.workspaceId, channel.id, identity.contactId, w.upTo)
  let moved = 0
  for (const message of rows) {
    if (message.status === 'failed' || !forwardOf(message.status, w.status)) continue
    await moveStatus(tx, channel, message, w.status, w.upTo)
    moved++
  }
  return moved
}

/** Delivery receipts move a status forward only (pending → sent → delivered → read; or failed). */
async function applyStatus(ctx: Ctx, tx: Tx, channel: ChannelRow, s: InboundStatus): Promise<boolean> {
  const message = await findByProviderId(tx, channel.workspaceId, channel.id, s.providerMessageId)
  if (!message) {
    // The receipt can overtake our own send job's commit: try again shortly, a few times.
    if ((s.attempt ?? 0) < STATUS_RETRIES) {
      await ctx.jobs.enqueue(
        tx,
        STATUS_RETRY_QUEUE,
        {
          workspaceId: channel.workspaceId,
          channelId: channel.id,
          status: { ...s, attempt: (s.attempt ?? 0) + 1 },
        },
        { startAfter: 5 * ((s.attempt ?? 0) + 1) },
      )
    }
    return false
  }
  if (message.direction !== 'out') return false
  if (forwardOf(message.status, s.status))
    await moveStatus(tx, channel, message, s.status, s.timestamp, s.error)
  return true
}
