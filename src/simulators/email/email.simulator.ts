import { startSmtpSink } from '../../server/test/smtp-sink'
import type { SimulatorHandle } from '../simulator'
import { startImapServer } from './imap.server'

/**
 * The mail side of an email channel: an SMTP server that accepts what Tawasul sends (configure the
 * channel's SMTP host/port to it; no auth) and an IMAP mailbox it can poll (user
 * support@example.test, password "simulator"). Inbound over SMTP needs no simulator: any mail
 * client or `swaks` can talk to Tawasul's own listener (SMTP_LISTEN_PORT).
 */
export async function startEmailSimulator(opts: { port?: number; host?: string } = {}) {
  const smtp = await startSmtpSink()
  const imap = await startImapServer({ user: 'support@example.test', pass: 'simulator' })
  const host = opts.host ?? '127.0.0.1'
  return {
    provider: 'email',
    url: `${smtp.url} imap://${host}:${imap.port}`,
    smtp,
    imap,
    close: async () => {
      await smtp.close()
      await imap.close()
    },
  } satisfies SimulatorHandle & Record<string, unknown>
}
