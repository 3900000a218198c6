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
import { endSnoozeLocked, openLocked } from '../conversations/conversations.service'
import type { Tx } from '../db/database'
import { type Actor, emit, SYSTEM } from '../events'
import {
  findByProviderId,
  insertMessage,
  listOutgoingUpTo,
  type MessageRow,
  updateMessage,
} from '../messages/messages.repo'
import { preview } from '../messages/messages.service'

export const STATUS_RETRY_QUEUE = 'messages.status-retry'
export const MEDIA_DOWNLOAD_QUEUE = 'messages.media-download'
export const FOLLOW_UP_QUEUE = 'channels.follow-up'
const STATUS_RETRIES = 4

export type IngestResult = { received: number; duplicates: number; statuses: number; unknownStatuses: number }

const RANK: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4, received: 0 }

/**
 * The one entry point for inbound channel events. Everything an event changes — contact and
 * identity, conversation, message, window, inbox row and the outbox events — commits in one
 * transaction before the provider gets its 200, and a provider's retry of the same message id
 * is recognised and skipped (unique index messages_provider_id).
 */
export async function ingest(ctx: Ctx, channel: ChannelRow, events: InboundEvent[]): Promise<IngestResult> {
  const result: IngestResult = { received: 0, duplicates: 0, statuses: 0, unknownStatuses: 0 }
  if (events.length === 0) return result
  await ctx.db.transaction(async (tx) => {
    for (const e of events) {
      if (e.kind === 'message') {
        if (await ingestMessage(ctx, tx, channel, e)) result.received++
        else result.duplicates++
      } else if (e.kind === 'watermark') result.statuses += await applyWatermark(tx, channel, e)
      else if (await applyStatus(ctx, tx, channel, e)) result.statuses++
      else result.unknownStatuses++
    }
  })
  return result
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
  const phone = m.from.phone && /^\+[1-9]\d{6,14}$/.test(m.from.phone) ? m.from.phone : undefined
  const contact = await insertContact(tx, {
    workspaceId: ws,
    ...nameParts(m),
    phone: phone ?? null,
    email: m.from.email?.toLowerCase() ?? null,
    country: countryOf(phone),
    language: m.from.language ?? null,
    avatarUrl: m.from.avatarUrl ?? null,
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
  const sentAt = m.timestamp.getTime() > now.getTime() ? now : m.timestamp
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
async function enqueueMediaDownload(ctx: Ctx, tx: Tx, channel: ChannelRow, message: MessageRow) {
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
