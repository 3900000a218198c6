import { authorize, type Principal } from '../auth/principal'
import { bumpCounter, type ChannelRow, findChannel, readCounter } from '../channels/channels.repo'
import { sanitizeOutboundHtml } from '../channels/email/sanitize'
import { adapterFor } from '../channels/registry'
import { setAssignee } from '../contacts/assignment'
import {
  type ContactRow,
  findContact,
  findIdentityOfContact,
  lockContact,
  updateContact,
  updateIdentity,
} from '../contacts/contacts.repo'
import type { IdCursor } from '../contacts/search.repo'
import { assertCanSee } from '../contacts/visibility'
import type { Ctx } from '../context'
import { armAutoClose, autoCloseDeadline } from '../conversations/autoclose'
import {
  type ConversationRow,
  findOpenConversation,
  updateConversation,
} from '../conversations/conversations.repo'
import { openLocked } from '../conversations/conversations.service'
import type { Tx } from '../db/database'
import type { AuthorKind, MessageType } from '../db/schema'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { type Actor, emit } from '../events'
import { findFileForMessage } from '../files/files.repo'
import { findWorkspace } from '../workspaces/workspaces.repo'
import {
  findByClientKey,
  findMessage,
  insertMessage,
  listContactMessages,
  listContactMessagesByIdPage,
  type MessageRow,
} from './messages.repo'
import type { MessageContent } from './messages.schema'
import { SEND_QUEUE } from './send.queue'
import { fillTemplate, type TemplateComponent } from './templates'
import { findTemplate } from './templates.repo'
import { decideSend, type MessengerTag, policyFor } from './windows'

export type Sender =
  | { kind: 'user'; userId: number }
  | { kind: 'api'; tokenId: number }
  | { kind: 'workflow'; workflowId: number }
  | { kind: 'broadcast'; broadcastId: number }
  | { kind: 'ai'; agentId: number | null }

export type SendInput = {
  contactId: number
  channelId?: number | undefined
  message: MessageContent
  messageTag?: MessengerTag | undefined
  clientKey?: string | undefined
}

export type SendResult = { message: MessageRow; created: boolean }

const AUTHOR: Record<Sender['kind'], AuthorKind> = {
  user: 'user',
  api: 'api',
  workflow: 'workflow',
  broadcast: 'broadcast',
  ai: 'ai',
}
const authorId = (s: Sender) =>
  s.kind === 'user'
    ? s.userId
    : s.kind === 'api'
      ? s.tokenId
      : s.kind === 'workflow'
        ? s.workflowId
        : s.kind === 'broadcast'
          ? s.broadcastId
          : s.agentId
const actorFor = (s: Sender): Actor =>
  s.kind === 'user'
    ? { kind: 'user', id: s.userId }
    : s.kind === 'api'
      ? { kind: 'api', id: s.tokenId }
      : s.kind === 'workflow'
        ? { kind: 'workflow', id: s.workflowId }
        : { kind: 'system', id: null }

/** A user or API token sending from the inbox or the API. */
export async function sendMessage(ctx: Ctx, p: Principal, input: SendInput): Promise<SendResult> {
  authorize(p, 'inbox.view')
  const sender: Sender =
    p.kind === 'user' ? { kind: 'user', userId: p.userId } : { kind: 'api', tokenId: p.tokenId }
  return send(ctx, p.workspaceId, sender, input, (contact) => assertCanSee(p, contact))
}

/**
 * The one path every outgoing message takes. In one transaction: idempotency, the window check
 * (rules 15–22), the conversation and assignment rules (8, 10), the auto-close timer (39), the
 * message row and the job that will hand it to the provider.
 */
export async function send(
  ctx: Ctx,
  workspaceId: number,
  sender: Sender,
  input: SendInput,
  check: (contact: ContactRow | undefined) => ContactRow = (c) => {
    if (!c) throw new NotFoundError('Contact')
    return c
  },
): Promise<SendResult> {
  if (input.clientKey) {
    const existing = await findByClientKey(ctx.db, workspaceId, input.clientKey)
    if (existing) return sameOrConflict(existing, input)
  }
  try {
    return await ctx.db.transaction((tx) => sendLocked(ctx, tx, workspaceId, sender, input, check))
  } catch (err) {
    // Two concurrent sends with one key: the unique index lets one through; the other returns it.
    if (input.clientKey && isUniqueViolation(err)) {
      const existing = await findByClientKey(ctx.db, workspaceId, input.clientKey)
      if (existing) return sameOrConflict(existing, input)
    }
    throw err
  }
}

/**
 * The same send inside the caller's transaction (a workflow step: its effects and the run's
 * progress commit together). The caller serialises uses of one clientKey (the run row's lock).
 */
export async function sendInTx(
  ctx: Ctx,
  tx: Tx,
  workspaceId: number,
  sender: Sender,
  input: SendInput,
): Promise<SendResult> {
  if (input.clientKey) {
    const existing = await findByClientKey(tx, workspaceId, input.clientKey)
    if (existing) return sameOrConflict(existing, input)
  }
  return sendLocked(ctx, tx, workspaceId, sender, input, (c) => {
    if (!c) throw new NotFoundError('Contact')
    return c
  })
}

function sameOrConflict(existing: MessageRow, input: SendInput): SendResult {
  if (existing.contactId !== input.contactId) {
    throw new ConflictError('This clientKey was already used for another message.', 'idempotency_key_reused')
  }
  return { message: existing, created: false }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } }
  return (e.cause?.code ?? e.code) === '23505'
}

async function sendLocked(
  ctx: Ctx,
  tx: Tx,
  workspaceId: number,
  sender: Sender,
  input: SendInput,
  check: (contact: ContactRow | undefined) => ContactRow,
): Promise<SendResult> {
  const now = ctx.clock.now()
  const contact = check(await lockContact(tx, workspaceId, input.contactId))
  if (contact.blockedAt)
    throw new ConflictError('This contact is blocked; unblock them to send messages.', 'contact_blocked')

  const channelId = input.channelId ?? contact.lastInteractedChannelId
  if (!channelId) {
    throw new UnprocessableError(
      'This contact has no channel to reply on yet; choose a channel.',
      'no_channel',
      [{ path: 'channelId', message: 'Required: the contact has no last interacted channel.' }],
    )
  }
  const channel = await findChannel(tx, workspaceId, channelId)
  if (!channel) throw new NotFoundError('Channel')
  if (channel.status === 'error')
    throw new UnprocessableError(
      `The channel "${channel.name}" needs attention: ${channel.lastError ?? 'its credentials stopped working'}`,
      'channel_error',
    )
  if (channel.status !== 'active')
    throw new UnprocessableError(`The channel "${channel.name}" is disconnected.`, 'channel_disconnected')
  const identity = await findIdentityOfContact(tx, workspaceId, contact.id, channelId, { lock: true })
  if (!identity) {
    throw new UnprocessableError(
      `This contact has no identity on the channel "${channel.name}".`,
      'no_identity_on_channel',
      [{ path: 'channelId', message: 'The contact is not reachable on this channel.' }],
    )
  }
  const adapter = adapterFor(channel.type)
  const type = input.message.type === 'template' ? 'template' : input.message.type
  if (adapter && !adapter.sends.includes(type)) {
    throw new UnprocessableError(
      `${adapter.label} cannot send ${type} messages.`,
      'unsupported_message_type',
      [{ path: 'message.type', message: `Supported: ${adapter.sends.join(', ')}.` }],
    )
  }

  // Rules 15–22: the window of this (contact, channel), now.
  const policy = policyFor(channel.type, channel.config)
  const human = sender.kind === 'user'
  const decision = decideSend(channel.type, policy, identity, now, {
    sender: human ? 'human' : 'automation',
    isTemplate: type === 'template',
    messageTag: input.messageTag,
  })
  if (!decision.allowed) {
    throw new UnprocessableError(decision.reason, decision.code, [
      { path: 'message', message: `Allowed now: ${decision.allows}.` },
    ])
  }
  if (decision.send.mode === 'chatbot_initiated') await checkViberQuota(tx, channel, now)

  const { text, content } = await materialize(tx, workspaceId, channel, input.message)

  // Rule 10: a person writing to a contact with no open conversation opens one and takes the contact.
  let conversation: ConversationRow | undefined = await findOpenConversation(tx, workspaceId, contact.id)
  if (!conversation && (sender.kind === 'user' || sender.kind === 'api')) {
    conversation = await openLocked(ctx, tx, contact, {
      source: sender.kind === 'user' ? 'user' : 'api',
      channelId,
      actor: actorFor(sender),
      userId: sender.kind === 'user' ? sender.userId : null,
    })
    if (sender.kind === 'user')
      await setAssignee(ctx, tx, contact, sender.userId, actorFor(sender), 'opened_by_outbound')
  } else if (sender.kind === 'user' && contact.assigneeUserId === null) {
    // Rule 8: the first person who replies to an unassigned contact is assigned.
    await setAssignee(ctx, tx, contact, sender.userId, actorFor(sender), 'first_reply')
  }

  const message = await insertMessage(tx, {
    workspaceId,
    contactId: contact.id,
    conversationId: conversation?.id ?? null,
    channelId,
    direction: 'out',
    authorKind: AUTHOR[sender.kind],
    authorId: authorId(sender),
    type,
    text,
    content: {
      ...content,
      sendMode: decision.send.mode,
      ...(input.messageTag ? { messageTag: input.messageTag } : {}),
    },
    status: 'pending',
    clientKey: input.clientKey ?? null,
    createdAt: now,
  })
  await updateIdentity(tx, workspaceId, identity.id, {
    lastOutgoingAt: now,
    outboundSinceIncoming: identity.outboundSinceIncoming + 1,
  })
  if (decision.send.mode === 'chatbot_initiated')
    await bumpCounter(tx, workspaceId, channelId, now.toISOString().slice(0, 7), 'chatbot_initiated')
  await updateContact(tx, workspaceId, contact.id, {
    lastMessageAt: now,
    lastMessagePreview: preview(type, text),
    lastMessageDirection: 'out',
    unread: false,
  })
  if (conversation) await afterOutgoing(ctx, tx, conversation, sender, now)
  await ctx.jobs.enqueue(
    tx,
    SEND_QUEUE,
    { workspaceId, messageId: message.id },
    { singletonKey: `send:${workspaceId}:${message.id}` },
  )
  await emit(tx, workspaceId, actorFor(sender), {
    type: 'message.created',
    payload: {
      contactId: contact.id,
      conversationId: conversation?.id ?? null,
      messageId: message.id,
      channelId,
    },
  })
  return { message, created: true }
}

/** Counters, first response (reports) and the auto-close timer (rule 39: humans only start or reset it). */
async function afterOutgoing(ctx: Ctx, tx: Tx, conversation: ConversationRow, sender: Sender, now: Date) {
  const human = sender.kind === 'user'
  const updated = (await updateConversation(tx, conversation.workspaceId, conversation.id, {
    outgoingCount: conversation.outgoingCount + 1,
    lastMessageAt: now,
    ...(human
      ? {
          lastHumanOutgoingAt: now,
          handler: 'human' as const,
          ...(conversation.firstResponseAt === null
            ? { firstResponseAt: now, firstResponseByUserId: sender.userId }
            : {}),
        }
      : {}),
  }))!
  if (human) {
    const ws = (await findWorkspace(tx, conversation.workspaceId))!
    await armAutoClose(ctx, tx, updated, autoCloseDeadline(ws.autoCloseMinutes, updated, now))
  }
}

async function checkViberQuota(tx: Tx, channel: ChannelRow, now: Date) {
  const used = await readCounter(
    tx,
    channel.workspaceId,
    channel.id,
    now.toISOString().slice(0, 7),
    'chatbot_initiated',
  )
  const policy = policyFor(channel.type, channel.config)
  const quota = policy.kind === 'viber' ? policy.monthlyFreeQuota : Number.POSITIVE_INFINITY
  if (used >= quota && channel.config.commercialTermsAccepted !== true) {
    throw new UnprocessableError(
      `Viber's ${quota.toLocaleString('en')} free chatbot-initiated messages for this month are used up; accept Viber's commercial chatbot terms in the channel settings to send more.`,
      'viber_quota_exceeded',
    )
  }
}

/** Resolves files and templates into what is stored and sent. */
async function materialize(
  tx: Tx,
  workspaceId: number,
  channel: ChannelRow,
  m: MessageContent,
): Promise<{ text: string | null; content: Record<string, unknown> }> {
  switch (m.type) {
    case 'text':
      return { text: m.text, content: {} }
    case 'image':
    case 'video':
    case 'audio':
    case 'file': {
      if (!m.fileId && !m.url) {
        throw new UnprocessableError('A media message needs a fileId or a url.', 'media_required', [
          { path: 'message.fileId', message: 'Required.' },
        ])
      }
      const file = m.fileId ? await findFileForMessage(tx, workspaceId, m.fileId) : undefined
      if (m.fileId && !file) throw new NotFoundError('File')
      return {
        text: m.caption ?? null,
        content: {
          media: file
            ? {
                fileId: file.id,
                fileName: m.fileName ?? file.fileName,
                mimeType: file.mimeType,
                size: file.size,
              }
            : { url: m.url, fileName: m.fileName },
        },
      }
    }
    case 'location':
      return {
        text: m.name ?? null,
        content: {
          location: { latitude: m.latitude, longitude: m.longitude, name: m.name, address: m.address },
        },
      }
    case 'template': {
      const t = await findTemplate(tx, workspaceId, channel.id, m.template.name, m.template.language)
      if (!t)
        throw new NotFoundError(`Template "${m.template.name}" (${m.template.language}) on this channel`)
      if (t.status !== 'APPROVED')
        throw new UnprocessableError(
          `Template "${t.name}" is ${t.status.toLowerCase()}, not approved.`,
          'template_not_approved',
        )
      const filled = fillTemplate(t.components as TemplateComponent[], m.template)
      return {
        text: filled.text,
        content: {
          template: {
            name: t.name,
            language: t.language,
            category: t.category,
            components: filled.components,
            // The provider's own id (e.g. Twilio's Content SID, HX…), for providers that send by id.
            ...(t.providerTemplateId ? { providerTemplateId: t.providerTemplateId } : {}),
          },
        },
      }
    }
    case 'interactive':
      return { text: m.interactive.body, content: { interactive: m.interactive } }
    case 'email': {
      if (!m.text && !m.html)
        throw new UnprocessableError('An email needs text or html.', 'email_body_required')
      return {
        text: m.text ?? null,
        // Agents' and integrations' HTML is stored sanitized too: other agents' browsers render it.
        content: {
          email: {
            subject: m.subject ?? '',
            html: m.html ? sanitizeOutboundHtml(m.html) : undefined,
            fileIds: m.fileIds ?? [],
          },
        },
      }
    }
  }
}

export function preview(type: MessageType, text: string | null): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim()
  return t ? t.slice(0, 200) : `[${type}]`
}

export async function listMessages(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  opts: { before?: number | undefined; limit: number },
) {
  authorize(p, 'inbox.view')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  const rows = await listContactMessages(ctx.db, p.workspaceId, contactId, {
    ...(opts.before ? { before: opts.before } : {}),
    limit: opts.limit,
  })
  return { rows, nextBefore: rows.length === opts.limit ? rows.at(-1)!.id : null }
}

/** A contact's messages paged by message id, newest first (the developer API's list). */
export async function listMessagesByIdCursor(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  opts: { cursor: IdCursor; limit: number },
): Promise<{ rows: MessageRow[]; more: boolean }> {
  authorize(p, 'inbox.view')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  return listContactMessagesByIdPage(ctx.db, p.workspaceId, contactId, opts.cursor, opts.limit)
}

export async function getMessage(ctx: Ctx, p: Principal, messageId: number): Promise<MessageRow> {
  authorize(p, 'inbox.view')
  const m = await findMessage(ctx.db, p.workspaceId, messageId)
  if (!m) throw new NotFoundError('Message')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, m.contactId))
  return m
}
