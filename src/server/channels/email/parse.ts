import { type AddressObject, type Attachment, simpleParser } from 'mailparser'
import { messageIdList, normalizeMessageId, syntheticMessageId } from './message-id'
import { htmlToText, sanitizeInboundHtml } from './sanitize'
import { normalizeSubject } from './subject'

/** Rule 69: at most 5 attachments per email are kept; the others are listed on the message. */
export const MAX_ATTACHMENTS = 5

export type ParsedEmail = {
  messageId: string
  inReplyTo: string | undefined
  references: string[]
  from: { address: string; name: string | undefined }
  to: string[]
  cc: string[]
  subject: string
  normalizedSubject: string
  text: string
  /** Sanitized (sanitize.ts); undefined for plain-text mail. */
  html: string | undefined
  remoteImages: number
  date: Date | undefined
  /** Automatic replies (RFC 3834 Auto-Submitted, out-of-office) are kept but flagged. */
  autoSubmitted: boolean
  attachments: { fileName: string; mimeType: string; data: Buffer }[]
  omitted: { fileName: string; mimeType: string; size: number; reason: 'limit' | 'too_large' }[]
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : []
  return list.flatMap((o) => o.value.map((v) => (v.address ?? '').toLowerCase())).filter(Boolean)
}

/**
 * A raw RFC 5322 message → what ingest needs. Pure apart from parsing: no storage, no database.
 * Inline parts (images the HTML shows through cid:) stay in the HTML and do not count as attachments.
 */
export async function parseEmail(raw: Buffer, opts: { maxFileBytes: number }): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true })
  const fromValue = mail.from?.value[0]
  const subject = mail.subject ?? ''
  const sanitized = typeof mail.html === 'string' ? sanitizeInboundHtml(mail.html) : undefined
  const text = (mail.text ?? '').trim() || (sanitized ? htmlToText(sanitized.html) : '')
  const files = mail.attachments.filter((a: Attachment) => !(a.related && a.contentDisposition === 'inline'))
  const attachments: ParsedEmail['attachments'] = []
  const omitted: ParsedEmail['omitted'] = []
  for (const a of files) {
    const meta = {
      fileName: a.filename || 'attachment',
      mimeType: a.contentType || 'application/octet-stream',
      size: a.size ?? a.content.length,
    }
    if (a.content.length > opts.maxFileBytes) omitted.push({ ...meta, reason: 'too_large' })
    else if (attachments.length >= MAX_ATTACHMENTS) omitted.push({ ...meta, reason: 'limit' })
    else attachments.push({ fileName: meta.fileName, mimeType: meta.mimeType, data: a.content })
  }
  const auto = String(mail.headers.get('auto-submitted') ?? 'no').toLowerCase()
  return {
    messageId: normalizeMessageId(mail.messageId) ?? syntheticMessageId(raw),
    inReplyTo: messageIdList(mail.inReplyTo)[0],
    references: messageIdList(mail.references),
    from: { address: (fromValue?.address ?? '').toLowerCase(), name: fromValue?.name || undefined },
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject,
    normalizedSubject: normalizeSubject(subject),
    text,
    html: sanitized?.html,
    remoteImages: sanitized?.remoteImages ?? 0,
    date: mail.date,
    autoSubmitted: auto !== 'no',
    attachments,
    omitted,
  }
}
