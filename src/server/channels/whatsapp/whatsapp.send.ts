import { type OutboundMessage, PermanentSendError } from '../channel'

type Media = { url?: string; fileName?: string }
type Interactive =
  | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
  | {
      kind: 'list'
      body: string
      button: string
      sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[]
    }

/**
 * The body of `POST /{phone-number-id}/messages` for one message
 * (developers.facebook.com/documentation/business-messaging/whatsapp/reference/whatsapp-business-phone-number/message-api).
 */
export function whatsappPayload(to: string, m: OutboundMessage): Record<string, unknown> {
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: to.replace(/^\+/, ''),
    ...(m.replyToProviderId ? { context: { message_id: m.replyToProviderId } } : {}),
  }
  const media = m.content.media as Media | undefined
  const link = (kind: string) => {
    if (!media?.url) throw new PermanentSendError('media_missing', `The ${kind} has no URL to send.`)
    return media.url
  }
  switch (m.type) {
    case 'text':
      return { ...base, type: 'text', text: { preview_url: false, body: m.text ?? '' } }
    case 'image':
    case 'video':
      return {
        ...base,
        type: m.type,
        [m.type]: { link: link(m.type), ...(m.text ? { caption: m.text } : {}) },
      }
    case 'audio':
      return { ...base, type: 'audio', audio: { link: link('audio') } }
    case 'sticker':
      return { ...base, type: 'sticker', sticker: { link: link('sticker') } }
    case 'file':
      return {
        ...base,
        type: 'document',
        document: {
          link: link('document'),
          ...(m.text ? { caption: m.text } : {}),
          ...(media?.fileName ? { filename: media.fileName } : {}),
        },
      }
    case 'location': {
      const l = m.content.location as { latitude: number; longitude: number; name?: string; address?: string }
      return {
        ...base,
        type: 'location',
        location: {
          latitude: l.latitude,
          longitude: l.longitude,
          ...(l.name ? { name: l.name } : {}),
          ...(l.address ? { address: l.address } : {}),
        },
      }
    }
    case 'interactive': {
      const i = m.content.interactive as Interactive
      const action =
        i.kind === 'buttons'
          ? { buttons: i.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) }
          : { button: i.button, sections: i.sections }
      return {
        ...base,
        type: 'interactive',
        interactive: { type: i.kind === 'buttons' ? 'button' : 'list', body: { text: i.body }, action },
      }
    }
    case 'template': {
      const t = m.content.template as { name: string; language: string; components: unknown[] }
      return {
        ...base,
        type: 'template',
        template: {
          name: t.name,
          language: { code: t.language },
          ...(t.components.length ? { components: t.components } : {}),
        },
      }
    }
    default:
      throw new PermanentSendError('unsupported_type', `WhatsApp cannot send ${m.type} messages.`)
  }
}
