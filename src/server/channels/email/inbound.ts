import type { Ctx } from '../../context'
import { MAX_FILE_BYTES, storeFile } from '../../files/files.service'
import { ingest } from '../../ingest/ingest'
import { findByProviderId } from '../../messages/messages.repo'
import type { InboundMessage } from '../channel'
import type { ChannelRow } from '../channels.repo'
import { latestBySubject, messagesByMessageIds, type ThreadMessage } from './email.repo'
import { type ParsedEmail, parseEmail } from './parse'

const SUBJECT_MATCH_DAYS = 30

export type ReceiveResult = {
  outcome: 'stored' | 'duplicate' | 'ignored'
  messageId: string
  reason?: string
}

const threadOf = (m: ThreadMessage): string | undefined => {
  const email = m.content.email as { threadId?: string; messageId?: string } | undefined
  return email?.threadId ?? email?.messageId ?? m.providerMessageId ?? undefined
}

/**
 * Which thread an incoming email continues (peers' pain point 16: replies must not start new
 * threads). In order: a message we know among In-Reply-To and References (ours or theirs, on this
 * channel); else the sender's recent email with the same subject once reply prefixes are stripped
 * (for clients that drop the headers); else a new thread rooted at the first reference or itself.
 * The thread is recorded for replies; the conversation is the contact's (rule 3), whatever the thread.
 */
async function resolveThread(ctx: Ctx, channel: ChannelRow, p: ParsedEmail): Promise<string> {
  const refs = [...(p.inReplyTo ? [p.inReplyTo] : []), ...[...p.references].reverse()]
  const known = await messagesByMessageIds(ctx.db, channel.workspaceId, channel.id, refs)
  for (const ref of refs) {
    const hit = known.find((m) => m.providerMessageId === ref)
    if (hit) return threadOf(hit) ?? ref
  }
  if (refs.length === 0 && p.normalizedSubject) {
    const since = new Date(ctx.clock.now().getTime() - SUBJECT_MATCH_DAYS * 86_400_000)
    const same = await latestBySubject(
      ctx.db,
      channel.workspaceId,
      channel.id,
      p.from.address,
      p.normalizedSubject,
      since,
    )
    const t = same && threadOf(same)
    if (t) return t
  }
  return p.references[0] ?? p.inReplyTo ?? p.messageId
}

/**
 * One email for one channel (from the SMTP listener or an IMAP poll) → stored attachments → ingest.
 * Idempotent by Message-ID: a redelivery or a second poll stores nothing new.
 */
export async function receiveEmail(ctx: Ctx, channel: ChannelRow, raw: Buffer): Promise<ReceiveResult> {
  const p = await parseEmail(raw, { maxFileBytes: MAX_FILE_BYTES })
  const address = String(channel.config.address ?? '').toLowerCase()
  if (!p.from.address) return { outcome: 'ignored', messageId: p.messageId, reason: 'no sender address' }
  if (p.from.address === address) {
    return { outcome: 'ignored', messageId: p.messageId, reason: 'sent by this mailbox itself' }
  }
  if (await findByProviderId(ctx.db, channel.workspaceId, channel.id, p.messageId)) {
    return { outcome: 'duplicate', messageId: p.messageId }
  }
  const threadId = await resolveThread(ctx, channel, p)
  const files = []
  for (const a of p.attachments) {
    const f = await storeFile(ctx, channel.workspaceId, a, null)
    files.push({ fileId: f.id, fileName: f.fileName, mimeType: f.mimeType, size: f.size })
  }
  if (p.omitted.length) {
    ctx.log.warn(
      { channelId: channel.id, messageId: p.messageId, omitted: p.omitted.length },
      'email attachments not stored (over the limit of 5 or too large); listed on the message',
    )
  }
  const event: InboundMessage = {
    kind: 'message',
    providerMessageId: p.messageId,
    from: { identifier: p.from.address, email: p.from.address, displayName: p.from.name },
    timestamp: p.date ?? ctx.clock.now(),
    type: 'email',
    text: p.text,
    replyToProviderId: p.inReplyTo,
    content: {
      email: {
        subject: p.subject,
        normalizedSubject: p.normalizedSubject,
        ...(p.html ? { html: p.html } : {}),
        messageId: p.messageId,
        ...(p.inReplyTo ? { inReplyTo: p.inReplyTo } : {}),
        references: p.references,
        threadId,
        to: p.to,
        cc: p.cc,
        ...(p.remoteImages ? { remoteImagesBlocked: p.remoteImages } : {}),
        ...(p.autoSubmitted ? { autoSubmitted: true } : {}),
      },
      attachments: files,
      ...(p.omitted.length ? { attachmentsOmitted: p.omitted } : {}),
    },
  }
  const result = await ingest(ctx, channel, [event])
  return { outcome: result.received ? 'stored' : 'duplicate', messageId: p.messageId }
}
