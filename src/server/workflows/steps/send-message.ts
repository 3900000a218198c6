import { z } from 'zod'
import { AppError } from '../../errors'
import { findMessage } from '../../messages/messages.repo'
import type { MessageContent } from '../../messages/messages.schema'
import { sendInTx } from '../../messages/messages.service'
import { defineStep, type StepContext, StepError } from '../step'

const id = z.number().int().positive()

const textMessage = z.strictObject({
  type: z.literal('text'),
  /** Rule 69: up to 2,000 characters, with $variables. */
  text: z.string().trim().min(1, 'The message is required.').max(2000, 'At most 2,000 characters.'),
})
const mediaMessage = z
  .strictObject({
    type: z.enum(['image', 'video', 'audio', 'file']),
    fileId: id.optional(),
    url: z.string().max(2000).optional(),
    caption: z.string().max(1024).optional(),
    fileName: z.string().max(255).optional(),
  })
  .refine((m) => m.fileId !== undefined || Boolean(m.url), {
    message: 'Choose a file or give a URL.',
    path: ['fileId'],
  })
const templateMessage = z.strictObject({
  type: z.literal('template'),
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  /** Values for {{1}}, {{2}}… (with $variables). */
  body: z.array(z.string().min(1).max(1024)).max(30).optional(),
  header: z.array(z.string().min(1).max(60)).max(1).optional(),
})
const emailMessage = z.strictObject({
  type: z.literal('email'),
  subject: z.string().max(998).optional(),
  text: z.string().min(1).max(100_000),
})

const message = z.discriminatedUnion('type', [textMessage, mediaMessage, templateMessage, emailMessage])
type StepMessage = z.infer<typeof message>

const configSchema = z.strictObject({
  /** The channel to send on; null: the contact's last interacted channel (rule 69). */
  channelId: id.nullable().default(null),
  /** The default message: text or media. */
  message: z.discriminatedUnion('type', [textMessage, mediaMessage]),
  /** Per-channel responses replace the default on that channel (WhatsApp templates, email…). */
  channelResponses: z
    .array(z.strictObject({ channelId: id, message }))
    .max(20)
    .default([]),
  /** Rule 69: a message that fails follows the Failure branch (the step then waits for its final status). */
  failureBranch: z.boolean().default(false),
})
type Config = z.infer<typeof configSchema>

/** Bound on waiting for a final status; the send job gives up well before (retries ≈ 2 min). */
const STATUS_WAIT_MS = 24 * 3600_000

async function materialize(s: StepContext<Config>, m: StepMessage): Promise<MessageContent> {
  switch (m.type) {
    case 'text':
      return { type: 'text', text: (await s.interpolate(m.text)).slice(0, 4096) }
    case 'template':
      return {
        type: 'template',
        template: {
          name: m.name,
          language: m.language,
          ...(m.body ? { body: await Promise.all(m.body.map((b) => s.interpolate(b))) } : {}),
          ...(m.header ? { header: await Promise.all(m.header.map((b) => s.interpolate(b))) } : {}),
        },
      }
    case 'email':
      return {
        type: 'email',
        ...(m.subject !== undefined ? { subject: await s.interpolate(m.subject) } : {}),
        text: await s.interpolate(m.text),
      }
    default:
      return {
        type: m.type,
        ...(m.fileId ? { fileId: m.fileId } : {}),
        ...(m.url ? { url: await s.interpolate(m.url, 'none') } : {}),
        ...(m.caption ? { caption: await s.interpolate(m.caption) } : {}),
        ...(m.fileName ? { fileName: m.fileName } : {}),
      }
  }
}

/**
 * Rule 69. The message goes through the one send path (window rules, conversation, job), with
 * the run's idempotency key as clientKey, so a retried step never sends twice. Workflow messages
 * never start the auto-close timer (rule 39; the send path's sender kind 'workflow').
 */
export const sendMessage = defineStep({
  kind: 'send_message',
  label: 'Send a Message',
  configSchema,
  outcomes: (c) => ({ continue: 'success', branches: c.failureBranch ? ['failure'] : [] }),
  references: (c) => [
    ...(c.channelId ? [{ kind: 'channel' as const, id: c.channelId, path: 'config.channelId' }] : []),
    ...c.channelResponses.map((r, i) => ({
      kind: 'channel' as const,
      id: r.channelId,
      path: `config.channelResponses.${i}.channelId`,
    })),
  ],
  async run(s) {
    if (s.resume?.kind === 'message_status') {
      return {
        next: s.resume.status === 'failed' ? 'failure' : 'success',
        output: { status: s.resume.status },
      }
    }
    if (s.resume?.kind === 'timer') {
      const m = await findMessage(s.tx!, s.workspaceId, Number(s.resume.state.messageId))
      const status = m?.status ?? 'missing'
      return {
        next: status === 'failed' || status === 'pending' || status === 'missing' ? 'failure' : 'success',
        output: { status },
      }
    }
    const contact = await s.contact()
    const channelId = s.config.channelId ?? contact.lastInteractedChannelId
    const chosen =
      s.config.channelResponses.find((r) => r.channelId === channelId)?.message ?? s.config.message
    const content = await materialize(s, chosen)
    let sent: Awaited<ReturnType<typeof sendInTx>>
    try {
      if (!s.tx) throw new StepError('Send a Message needs the run transaction.')
      sent = await sendInTx(
        s.ctx,
        s.tx,
        s.workspaceId,
        { kind: 'workflow', workflowId: s.run.workflowId },
        {
          contactId: s.run.contactId,
          ...(channelId ? { channelId } : {}),
          message: content,
          clientKey: s.key,
        },
      )
    } catch (err) {
      // Window closed, blocked contact, no channel…: the message is not sent.
      if (!(err instanceof AppError)) throw err
      const output = { sent: false, error: { code: err.code, message: err.message } }
      return { next: s.config.failureBranch ? 'failure' : 'success', output }
    }
    const output = {
      sent: true,
      messageId: sent.message.id,
      channelId: sent.message.channelId,
      message: content,
    }
    if (!s.config.failureBranch) return { next: 'success', output }
    const status = sent.message.status
    if (status !== 'pending')
      return { next: status === 'failed' ? 'failure' : 'success', output: { ...output, status } }
    return {
      wait: {
        for: 'message_status',
        messageId: sent.message.id,
        until: new Date(s.now.getTime() + STATUS_WAIT_MS),
      },
      state: { messageId: sent.message.id },
      output,
    }
  },
})
