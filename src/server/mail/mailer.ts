import nodemailer from 'nodemailer'

export type MailMessage = { to: string; subject: string; text: string; html?: string }

export type Mailer = {
  /** False when SMTP_URL is unset: callers show links to the user instead of emailing them. */
  configured: boolean
  send: (message: MailMessage) => Promise<void>
  close: () => void
}

export function createMailer(smtpUrl: string | undefined, from: string): Mailer {
  if (!smtpUrl) {
    return {
      configured: false,
      send: async () => {
        throw new Error('SMTP is not configured (set SMTP_URL).')
      },
      close: () => {},
    }
  }
  const transport = nodemailer.createTransport(smtpUrl)
  return {
    configured: true,
    send: async (m) => {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, html: m.html })
    },
    close: () => transport.close(),
  }
}
