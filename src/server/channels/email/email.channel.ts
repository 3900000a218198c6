import { ImapFlow } from 'imapflow'
import nodemailer from 'nodemailer'
import { z } from 'zod'
import { AppError } from '../../errors'
import { ChannelAuthError, defineChannel, PermanentSendError } from '../channel'
import { htmlToText, sanitizeOutboundHtml } from './sanitize'
import { type EmailContent, prepareEmailThread } from './thread'

const host = z.string().trim().min(1).max(253)
const port = z.number().int().min(1).max(65535)

const configSchema = z
  .strictObject({
    /** The mailbox address: From of every email we send, and the RCPT TO the SMTP listener accepts. */
    address: z.email().max(254),
    displayName: z.string().trim().max(100).default(''),
    /** How mail comes in: the built-in SMTP listener (MX or a forward points at it), or IMAP polling. */
    inbound: z.enum(['smtp', 'imap']).default('smtp'),
    smtp: z.strictObject({
      host,
      port: port.default(587),
      /** true: TLS from the first byte (465); false: STARTTLS when the server offers it (587/25). */
      secure: z.boolean().default(false),
      user: z.string().max(320).optional(),
    }),
    imap: z
      .strictObject({
        host,
        port: port.default(993),
        secure: z.boolean().default(true),
        user: z.string().min(1).max(320),
        mailbox: z.string().min(1).max(200).default('INBOX'),
        pollSeconds: z.number().int().min(60).max(3600).default(60),
      })
      .optional(),
  })
  .refine((c) => c.inbound !== 'imap' || c.imap, {
    path: ['imap'],
    message: 'IMAP settings are required when mail comes in by IMAP.',
  })
export type EmailConfig = z.infer<typeof configSchema>

const secretsSchema = z.strictObject({
  smtpPassword: z.string().max(500).optional(),
  imapPassword: z.string().max(500).optional(),
})
export type EmailSecrets = z.infer<typeof secretsSchema>

export function smtpTransport(config: EmailConfig, secrets: EmailSecrets) {
  return nodemailer.createTransport({
    host: config.smtp.host,
    port: config.smtp.port,
    secure: config.smtp.secure,
    ...(config.smtp.user ? { auth: { user: config.smtp.user, pass: secrets.smtpPassword ?? '' } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  })
}

export function imapClient(config: EmailConfig, secrets: EmailSecrets): ImapFlow {
  const imap = config.imap!
  return new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    auth: { user: imap.user, pass: secrets.imapPassword ?? '' },
    logger: false,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
  })
}

/**
 * SMTP replies: 5xx is permanent (unknown mailbox, policy, bad credentials) and fails the message
 * with the server's code and words; 4xx and connection problems are retried by the send job.
 */
export function mapSmtpError(err: unknown): Error {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string }
  // Rejected credentials break the channel, not just this message: it is marked in error.
  if (e.code === 'EAUTH' && (e.responseCode === undefined || e.responseCode >= 500)) {
    return new ChannelAuthError(
      String(e.responseCode ?? 'EAUTH'),
      `The mail server refused the SMTP credentials: ${(e.response ?? e.message ?? '').slice(0, 300)}`,
    )
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) {
    return new PermanentSendError(
      String(e.responseCode),
      (e.response ?? e.message ?? 'The mail server refused the message.').slice(0, 500),
      e.code,
    )
  }
  return err instanceof Error ? err : new Error(String(err))
}

const AUTOMATED = new Set(['workflow', 'broadcast', 'ai'])

export const emailChannel = defineChannel<EmailConfig, EmailSecrets>({
  type: 'email',
  label: 'Email',
  configSchema: configSchema as unknown as z.ZodType<EmailConfig>,
  secretsSchema,
  sends: ['email', 'text'],
  setup: [
    {
      key: 'address',
      in: 'config',
      label: 'channels.email.address',
      help: 'channels.email.addressHelp',
      input: 'text',
      required: true,
    },
    {
      key: 'displayName',
      in: 'config',
      label: 'channels.email.displayName',
      help: 'channels.email.displayNameHelp',
      input: 'text',
    },
    {
      key: 'inbound',
      in: 'config',
      label: 'channels.email.inbound',
      help: 'channels.email.inboundHelp',
      input: 'select',
      options: ['smtp', 'imap'],
      required: true,
    },
    {
      key: 'smtp.host',
      in: 'config',
      label: 'channels.email.smtpHost',
      help: 'channels.email.smtpHostHelp',
      input: 'text',
      required: true,
    },
    { key: 'smtp.port', in: 'config', label: 'channels.email.smtpPort', input: 'number', required: true },
    {
      key: 'smtp.secure',
      in: 'config',
      label: 'channels.email.smtpSecure',
      help: 'channels.email.smtpSecureHelp',
      input: 'checkbox',
    },
    { key: 'smtp.user', in: 'config', label: 'channels.email.smtpUser', input: 'text' },
    { key: 'smtpPassword', in: 'secrets', label: 'channels.email.smtpPassword', input: 'password' },
    {
      key: 'imap.host',
      in: 'config',
      label: 'channels.email.imapHost',
      help: 'channels.email.imapHostHelp',
      input: 'text',
    },
    { key: 'imap.port', in: 'config', label: 'channels.email.imapPort', input: 'number' },
    { key: 'imap.secure', in: 'config', label: 'channels.email.imapSecure', input: 'checkbox' },
    { key: 'imap.user', in: 'config', label: 'channels.email.imapUser', input: 'text' },
    { key: 'imapPassword', in: 'secrets', label: 'channels.email.imapPassword', input: 'password' },
    {
      key: 'imap.mailbox',
      in: 'config',
      label: 'channels.email.imapMailbox',
      help: 'channels.email.imapMailboxHelp',
      input: 'text',
    },
    {
      key: 'imap.pollSeconds',
      in: 'config',
      label: 'channels.email.imapPollSeconds',
      help: 'channels.email.imapPollSecondsHelp',
      input: 'number',
    },
  ],
  async verifyCredentials(_sc, channel) {
    const transport = smtpTransport(channel.config, channel.secrets)
    try {
      await transport.verify()
    } catch (err) {
      throw new AppError(422, 'smtp_verify_failed', `SMTP check failed: ${(err as Error).message}`)
    } finally {
      transport.close()
    }
    if (channel.config.imap) {
      const client = imapClient(channel.config, channel.secrets)
      try {
        await client.connect()
        await client.logout()
      } catch (err) {
        throw new AppError(422, 'imap_verify_failed', `IMAP login failed: ${(err as Error).message}`)
      }
    }
    return { ok: true }
  },
  verify() {
    throw new AppError(
      405,
      'not_a_webhook_channel',
      'Email channels receive mail through the SMTP listener or IMAP, not through webhooks.',
    )
  },
  parse: () => [],
  prepare: (ctx, channel, message) => prepareEmailThread(ctx, channel, message),
  async send(sc, channel, to, message) {
    const email = (message.content.email ?? {}) as EmailContent
    if (!email.messageId) throw new Error('email threading headers were not prepared')
    const files = await Promise.all((email.fileIds ?? []).slice(0, 5).map((id) => sc.readFile(id)))
    const html = email.html ? sanitizeOutboundHtml(email.html) : undefined
    const transport = smtpTransport(channel.config, channel.secrets)
    try {
      await transport.sendMail({
        from: { name: channel.config.displayName, address: channel.config.address },
        to: to.identifier,
        subject: email.subject ?? '',
        text: message.text ?? (html ? htmlToText(html) : ''),
        ...(html ? { html } : {}),
        messageId: email.messageId,
        ...(email.inReplyTo ? { inReplyTo: email.inReplyTo, references: email.references ?? [] } : {}),
        attachments: files.map((f) => ({ filename: f.fileName, content: f.data, contentType: f.mimeType })),
        // RFC 3834: automated mail says so, so the other side's auto-responders do not answer it.
        ...(AUTOMATED.has(message.authorKind) ? { headers: { 'Auto-Submitted': 'auto-generated' } } : {}),
      })
    } catch (err) {
      throw mapSmtpError(err)
    } finally {
      transport.close()
    }
    return { providerMessageId: email.messageId }
  },
})
