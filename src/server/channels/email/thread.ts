import type { Ctx } from '../../context'
import type { ChannelRef, OutboundMessage } from '../channel'
import { latestThreadMessage, mergeEmailContent, type ThreadMessage } from './email.repo'
import { domainOf, outboundMessageId, trimReferences } from './message-id'
import { normalizeSubject, replySubject } from './subject'

export type EmailContent = {
  subject?: string
  html?: string
  fileIds?: number[]
  messageId?: string
  inReplyTo?: string
  references?: string[]
  threadId?: string
  normalizedSubject?: string
}

const emailOf = (m: { content: Record<string, unknown> }) => (m.content.email ?? {}) as EmailContent

/**
 * The threading headers of an outgoing email, decided once and recorded on the message (a retried
 * send job reuses them, and later emails reply to it):
 * - Message-ID: ours, stable, on the channel address's domain (message-id.ts);
 * - a person's or the API's email continues the contact's latest email thread on this channel;
 * - a workflow's email continues the thread of that workflow's earlier emails to the contact,
 *   including the contact's replies to them (rule 69: one thread per workflow and contact);
 * - In-Reply-To is the latest message of that thread, References its chain plus that message;
 * - a blank subject (allowed, rule 69) becomes "Re: <thread subject>".
 */
export async function prepareEmailThread(
  ctx: Ctx,
  channel: ChannelRef<{ address: string }, unknown>,
  message: OutboundMessage,
): Promise<{ email: EmailContent }> {
  const current = emailOf(message)
  if (current.messageId) return { email: current }
  const ws = channel.workspaceId
  const derive = (id: number) =>
    outboundMessageId(ctx.config.secret, ws, id, domainOf(channel.config.address))
  const idOf = (m: ThreadMessage) =>
    emailOf(m).messageId ?? m.providerMessageId ?? (m.direction === 'out' ? derive(m.id) : undefined)

  let anchor: ThreadMessage | undefined
  if (message.authorKind === 'workflow' && message.authorId !== null) {
    const own = await latestThreadMessage(ctx.db, ws, message.contactId, channel.id, message.id, {
      workflowId: message.authorId,
    })
    const thread = own && (emailOf(own).threadId ?? idOf(own))
    anchor = thread
      ? ((await latestThreadMessage(ctx.db, ws, message.contactId, channel.id, message.id, {
          threadId: thread,
        })) ?? own)
      : undefined
  } else {
    anchor = await latestThreadMessage(ctx.db, ws, message.contactId, channel.id, message.id)
  }

  const messageId = derive(message.id)
  const anchorId = anchor && idOf(anchor)
  const given = current.subject?.trim()
  const subject = given || (anchor ? replySubject(emailOf(anchor).subject) : '')
  const email: EmailContent = {
    ...current,
    subject,
    normalizedSubject: normalizeSubject(subject),
    messageId,
    ...(anchorId
      ? {
          inReplyTo: anchorId,
          references: trimReferences([...(emailOf(anchor!).references ?? []), anchorId]),
          threadId: emailOf(anchor!).threadId ?? anchorId,
        }
      : { references: [], threadId: messageId }),
  }
  const { html: _html, fileIds: _fileIds, ...headers } = email
  await mergeEmailContent(ctx.db, ws, message.id, headers)
  return { email }
}
