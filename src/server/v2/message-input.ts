import { z } from 'zod'
import { ValidationError } from '../errors'
import { type MessageContent, messageContentSchema } from '../messages/messages.schema'
import { MESSENGER_TAGS, type MessengerTag } from '../messages/windows'

const attachmentType = z.enum(['image', 'video', 'audio', 'file'])
const templateParameter = z
  .object({
    type: z.string().max(20),
    text: z.string().max(1024).optional(),
    payload: z.string().max(1024).optional(),
    image: z
      .object({ link: z.string().max(2000), filename: z.string().max(255).optional() })
      .loose()
      .optional(),
    video: z
      .object({ link: z.string().max(2000), filename: z.string().max(255).optional() })
      .loose()
      .optional(),
    document: z
      .object({ link: z.string().max(2000), filename: z.string().max(255).optional() })
      .loose()
      .optional(),
  })
  .loose()
const templateComponent = z
  .object({
    type: z.string().max(20),
    sub_type: z.string().max(20).optional(),
    index: z.union([z.number().int(), z.string().max(2)]).optional(),
    parameters: z.array(templateParameter).max(30).optional(),
    buttons: z
      .array(
        z
          .object({ type: z.string().max(20), parameters: z.array(templateParameter).max(5).optional() })
          .loose(),
      )
      .max(10)
      .optional(),
  })
  .loose()

/** respond.io's message content (SDK Message types; developers.respond.io sendmessage). */
export const messageIn = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('text'),
    text: z.string().max(4096),
    messageTag: z.enum(MESSENGER_TAGS).optional(),
  }),
  z.strictObject({
    type: z.literal('attachment'),
    attachment: z.strictObject({ type: attachmentType, url: z.string().max(2000) }),
  }),
  z.strictObject({
    type: z.literal('quick_reply'),
    title: z.string().max(1024),
    replies: z.array(z.string()).max(10),
  }),
  z.strictObject({ type: z.literal('custom_payload'), payload: z.record(z.string(), z.unknown()) }),
  z.strictObject({
    type: z.literal('email'),
    text: z.string().max(100_000),
    subject: z.string().max(998).optional(),
    cc: z.array(z.string()).max(50).optional(),
    bcc: z.array(z.string()).max(50).optional(),
    replyToMessageId: z.number().int().optional(),
    attachments: z.array(z.object({}).loose()).max(5).optional(),
  }),
  z.strictObject({
    type: z.literal('whatsapp_template'),
    template: z.strictObject({
      name: z.string().min(1).max(512),
      languageCode: z.string().min(2).max(15),
      components: z.array(templateComponent).max(10).optional(),
    }),
  }),
])
export type MessageIn = z.infer<typeof messageIn>

const unsupported = (path: string, message: string) => new ValidationError(message, [{ path, message }])

/** respond.io's template components (WhatsApp Cloud API parameters) → our header, body and button values. */
function templateValues(components: z.infer<typeof templateComponent>[]) {
  const out: {
    body?: string[]
    header?: string[] | { url: string; fileName?: string }
    buttons?: { index: number; value: string }[]
  } = {}
  const buttons: { index: number; value: string }[] = []
  for (const c of components) {
    const type = c.type.toLowerCase()
    const params = c.parameters ?? []
    if (type === 'body') {
      out.body = params.map((x, i) => {
        if (x.type !== 'text' || x.text === undefined)
          throw unsupported(`message.template.components.body.${i}`, 'Body parameters are text.')
        return x.text
      })
    } else if (type === 'header') {
      const first = params[0]
      const media = first?.image ?? first?.video ?? first?.document
      if (first?.type === 'text' && first.text !== undefined) out.header = [first.text]
      else if (media)
        out.header = { url: media.link, ...(media.filename ? { fileName: media.filename } : {}) }
      else if (first)
        throw unsupported(
          'message.template.components.header',
          'Header parameters are text, image, video or document.',
        )
    } else if (type === 'buttons') {
      for (const [index, b] of (c.buttons ?? []).entries()) {
        const v = b.parameters?.[0]
        if (v) buttons.push({ index, value: v.text ?? v.payload ?? '' })
      }
    } else if (type === 'button') {
      const v = params[0]
      if (v) buttons.push({ index: Number(c.index ?? 0), value: v.text ?? v.payload ?? '' })
    } else if (type !== 'footer') {
      throw unsupported('message.template.components', `Unknown template component "${c.type}".`)
    }
  }
  if (buttons.length) out.buttons = buttons
  return out
}

/**
 * respond.io's message → the message our send service takes, checked by our own schema. What we
 * cannot carry is refused with a precise 400 rather than dropped: custom payloads, email cc/bcc,
 * attachment URLs on emails and replies to an earlier email.
 */
export function toMessage(m: MessageIn): { message: MessageContent; messageTag?: MessengerTag } {
  let raw: unknown
  let messageTag: MessengerTag | undefined
  switch (m.type) {
    case 'text':
      raw = { type: 'text', text: m.text }
      messageTag = m.messageTag
      break
    case 'attachment':
      raw = { type: m.attachment.type, url: m.attachment.url }
      break
    case 'quick_reply':
      raw = {
        type: 'interactive',
        interactive: { kind: 'buttons', body: m.title, buttons: m.replies.map((r) => ({ id: r, title: r })) },
      }
      break
    case 'custom_payload':
      throw unsupported(
        'message.type',
        'custom_payload is not supported: none of this server’s channels sends a raw provider payload.',
      )
    case 'email': {
      for (const key of ['cc', 'bcc', 'attachments'] as const) {
        if (m[key]?.length)
          throw unsupported(`message.${key}`, `Email ${key} are not supported by this server.`)
      }
      if (m.replyToMessageId !== undefined)
        throw unsupported(
          'message.replyToMessageId',
          'Replying to an earlier email is not supported by this server.',
        )
      raw = { type: 'email', text: m.text, ...(m.subject !== undefined ? { subject: m.subject } : {}) }
      break
    }
    case 'whatsapp_template':
      raw = {
        type: 'template',
        template: {
          name: m.template.name,
          language: m.template.languageCode,
          ...templateValues(m.template.components ?? []),
        },
      }
      break
  }
  const parsed = messageContentSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({
      path: ['message', ...i.path].join('.'),
      message: i.message,
    }))
    throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems)
  }
  return { message: parsed.data, ...(messageTag ? { messageTag } : {}) }
}
