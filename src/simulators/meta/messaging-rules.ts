import { checkText, graphError, invalidParam } from './graph-error'

/**
 * What the Send API (`POST /{page-id}/messages`, and Instagram's `POST /{ig-id}/messages`)
 * accepts: recipient, messaging_type and tag, text (Messenger 2,000 characters, Instagram
 * 1,000), one attachment, quick replies (≤13, title 20), button templates (text 640, 1–3
 * buttons, title 20) — and the messaging window: RESPONSE/UPDATE within 24 h of the person's
 * last message, HUMAN_AGENT within 7 days, the other tags (Messenger only) at any time.
 */
type Body = Record<string, unknown>
export type MessagingProduct = 'messenger' | 'instagram'

const HOUR = 3600_000
const MESSENGER_TAGS = ['HUMAN_AGENT', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE']
const obj = (v: unknown): Body | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined
const bad = (details: string) => invalidParam(details, false)

export function checkSendApi(
  product: MessagingProduct,
  body: Body,
  lastInbound: (id: string) => Date | undefined,
  now: Date,
): { recipient: string; text?: string } {
  const recipient = obj(body.recipient)?.id
  if (typeof recipient !== 'string' || !recipient) throw bad('param recipient must be non-empty.')
  const last = lastInbound(recipient)
  if (!last) throw graphError(100, 'No matching user found', { subcode: 2018001 })
  const type = body.messaging_type
  if (type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG')
    throw bad('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}.')
  const tags = product === 'messenger' ? MESSENGER_TAGS : ['HUMAN_AGENT']
  if (type === 'MESSAGE_TAG' && !tags.includes(String(body.tag)))
    throw bad(`param tag must be one of {${tags.join(', ')}}.`)
  const age = now.getTime() - last.getTime()
  const allowed =
    type === 'MESSAGE_TAG' ? (body.tag === 'HUMAN_AGENT' ? age <= 7 * 24 * HOUR : true) : age <= 24 * HOUR
  if (!allowed)
    throw graphError(10, 'This message is sent outside of allowed window.', {
      subcode: 2018278,
      type: 'OAuthException',
    })

  const message = obj(body.message)
  if (!message) throw bad('param message must be non-empty.')
  const hasText = message.text !== undefined
  const attachment = obj(message.attachment)
  if (hasText === Boolean(attachment)) throw bad('param message must have exactly one of text or attachment.')
  checkText(message.text, 'message[text]', product === 'messenger' ? 2000 : 1000, { whatsapp: false })
  checkText(message.metadata, 'message[metadata]', 1000, { whatsapp: false })
  if (message.quick_replies !== undefined) {
    const qr = message.quick_replies
    if (!Array.isArray(qr) || qr.length < 1 || qr.length > 13)
      throw bad('param message[quick_replies] must have between 1 and 13 elements.')
    for (const [n, q] of qr.entries()) {
      const x = obj(q) ?? {}
      if (x.content_type !== 'text')
        throw bad(`param message[quick_replies][${n}][content_type] must be text.`)
      checkText(x.title, `message[quick_replies][${n}][title]`, 20, { required: true, whatsapp: false })
      checkText(x.payload, `message[quick_replies][${n}][payload]`, 1000, { required: true, whatsapp: false })
    }
  }
  if (attachment) {
    const kind = attachment.type
    const payload = obj(attachment.payload) ?? {}
    if (kind === 'template') {
      if (product !== 'messenger' || payload.template_type !== 'button')
        throw bad('param message[attachment][payload][template_type] is not supported.')
      checkText(payload.text, 'message[attachment][payload][text]', 640, { required: true, whatsapp: false })
      const buttons = payload.buttons
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3)
        throw bad('param message[attachment][payload][buttons] must have between 1 and 3 elements.')
      for (const [n, b] of buttons.entries()) {
        const x = obj(b) ?? {}
        if (x.type !== 'postback' && x.type !== 'web_url')
          throw bad(`param buttons[${n}][type] is not supported.`)
        checkText(x.title, `buttons[${n}][title]`, 20, { required: true, whatsapp: false })
      }
    } else if (['image', 'video', 'audio', 'file'].includes(String(kind))) {
      if (typeof payload.url !== 'string' || !/^https?:\/\/\S+$/.test(payload.url))
        throw bad('param message[attachment][payload][url] must be a valid URL.')
    } else {
      throw bad('param message[attachment][type] must be one of {image, video, audio, file, template}.')
    }
  }
  return { recipient, ...(typeof message.text === 'string' ? { text: message.text } : {}) }
}
