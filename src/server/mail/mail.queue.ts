import type { Ctx } from '../context'
import { defineQueue } from '../jobs/jobs'
import type { MailMessage } from './mailer'

export const MAIL_QUEUE = 'mail.send'

/** Outgoing email is a job: a slow or failing SMTP server never blocks a request. */
export function mailQueue(ctx: Ctx) {
  return defineQueue<MailMessage>({
    name: MAIL_QUEUE,
    options: { retryLimit: 8, retryDelay: 30, retryBackoff: true },
    handler: async (message) => {
      await ctx.mailer.send(message)
      ctx.log.info({ mail: { subject: message.subject } }, 'email sent')
    },
  })
}
