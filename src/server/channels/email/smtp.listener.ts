import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server'
import type { Ctx } from '../../context'
import type { ChannelRow } from '../channels.repo'
import { emailChannelsForAddress } from './email.repo'
import { receiveEmail } from './inbound'

export type SmtpListener = { port: number; close: () => Promise<void> }

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code })

/**
 * The built-in SMTP server for email channels (SMTP_LISTEN_PORT; off by default). Point the domain's
 * MX, or a forwarding rule of the mail host, at it. It accepts mail only for the addresses of
 * connected email channels and refuses every other recipient at RCPT TO (550 5.1.1), so it is no
 * open relay. The sender hears 250 only once the email is stored (like webhooks answer 200); a
 * failure on our side answers 451 so the sending server tries again later. Bounces (empty MAIL
 * FROM) are accepted and dropped: they are not customer messages.
 */
export async function startSmtpListener(
  ctx: Ctx,
  opts: { port: number; host: string; maxBytes: number },
): Promise<SmtpListener> {
  const server = new SMTPServer({
    name: new URL(ctx.config.publicUrl).hostname,
    banner: 'Tawasul',
    size: opts.maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      emailChannelsForAddress(ctx.db, address.address).then(
        (found) => {
          if (found.length === 0) {
            return callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`))
          }
          const bag = session as SMTPServerSession & { channels?: ChannelRow[] }
          bag.channels = [...(bag.channels ?? []), ...found]
          callback()
        },
        (err) => {
          ctx.log.error({ err }, 'smtp: recipient lookup failed')
          callback(smtpError(451, '4.3.0 Temporary failure, try again later'))
        },
      )
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(smtpError(552, `5.3.4 Message exceeds the ${opts.maxBytes} byte limit`))
        }
        const raw = Buffer.concat(chunks)
        const mailFrom = session.envelope.mailFrom
        if (mailFrom === false || !mailFrom.address) {
          ctx.log.info({ bytes: raw.length }, 'smtp: bounce (empty MAIL FROM) accepted and dropped')
          return callback()
        }
        const targets = (session as SMTPServerSession & { channels?: ChannelRow[] }).channels ?? []
        const unique = [...new Map(targets.map((c) => [`${c.workspaceId}:${c.id}`, c])).values()]
        Promise.all(unique.map((c) => receiveEmail(ctx, c, raw))).then(
          (results) => {
            ctx.log.info({ results }, 'smtp: email received')
            callback()
          },
          (err) => {
            ctx.log.error({ err }, 'smtp: storing the email failed')
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'))
          },
        )
      })
    },
  })
  server.on('error', (err) => ctx.log.error({ err }, 'smtp listener error'))
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(opts.port, opts.host, () => resolve())
  })
  const port = (server.server.address() as { port: number }).port
  ctx.log.info({ port, host: opts.host }, 'SMTP listener for email channels is up')
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) }
}
