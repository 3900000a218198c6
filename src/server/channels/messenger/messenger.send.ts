import { type ChannelRef, type OutboundMessage, PermanentSendError, type SendContext } from '../channel'
import { type ErrorRule, type GraphError, graphFetch, graphUrl } from '../meta-graph'
import { OWN_METADATA } from './messenger.webhook'

/**
 * Send API (developers.facebook.com/docs/messenger-platform/reference/send-api), shared by
 * Messenger and Instagram: `POST /{page-or-ig-id}/messages` with `recipient.id`, `messaging_type`
 * and, outside the 24-hour window, `tag` (rules 16–17: HUMAN_AGENT up to 7 days, then for
 * Messenger the three non-promotional tags).
 */
export type MessagingProduct = 'messenger' | 'instagram'

const MEDIA_KINDS: Record<string, string> = { image: 'image', video: 'video', audio: 'audio', file: 'file' }
const QUICK_REPLY_TITLE = 20
const MAX_QUICK_REPLIES = 13

type Interactive =
  | { kind: 'buttons'; body: string; buttons: { id: string; title: string }[] }
  | { kind: 'list'; body: string; sections: { rows: { id: string; title: string }[] }[] }

function quickReplies(body: string, options: { id: string; title: string }[]) {
  if (options.length > MAX_QUICK_REPLIES || options.some((o) => o.title.length > QUICK_REPLY_TITLE)) {
    throw new PermanentSendError(
      'too_many_options',
      `Meta allows at most ${MAX_QUICK_REPLIES} quick replies of ${QUICK_REPLY_TITLE} characters.`,
    )
  }
  return {
    text: body,
    quick_replies: options.map((o) => ({ content_type: 'text', title: o.title, payload: o.id })),
  }
}

function messageBody(product: MessagingProduct, m: OutboundMessage): Record<string, unknown> {
  const media = m.content.media as { url?: string } | undefined
  const kind = MEDIA_KINDS[m.type]
  if (m.type === 'text') return { text: m.text ?? '' }
  if (kind) {
    if (!media?.url) throw new PermanentSendError('media_missing', `The ${m.type} has no URL to send.`)
    return { attachment: { type: kind, payload: { url: media.url, is_reusable: false } } }
  }
  if (m.type === 'interactive') {
    const i = m.content.interactive as Interactive
    if (i.kind === 'buttons' && product === 'messenger') {
      return {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: i.body,
            buttons: i.buttons.map((b) => ({ type: 'postback', title: b.title, payload: b.id })),
          },
        },
      }
    }
    return quickReplies(i.body, i.kind === 'buttons' ? i.buttons : i.sections.flatMap((s) => s.rows))
  }
  throw new PermanentSendError(
    'unsupported_type',
    `${product === 'messenger' ? 'Messenger' : 'Instagram'} cannot send ${m.type} messages.`,
  )
}

/** `messaging_type` and `tag` from the window decision the core made at send time (windows.ts). */
export function messagingType(m: OutboundMessage): { messaging_type: string; tag?: string } {
  if (m.sendMode === 'human_agent') return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
  if (m.sendMode === 'message_tag' && m.messageTag)
    return { messaging_type: 'MESSAGE_TAG', tag: m.messageTag }
  return { messaging_type: 'RESPONSE' }
}

export function sendApiPayload(product: MessagingProduct, to: string, m: OutboundMessage) {
  const message = messageBody(product, m)
  return {
    recipient: { id: to },
    ...messagingType(m),
    message: product === 'messenger' ? { ...message, metadata: OWN_METADATA } : message,
  }
}

/** Messenger Platform error codes (developers.facebook.com/docs/messenger-platform/error-codes). */
export function messagingRule(e: GraphError): ErrorRule | undefined {
  const sub = e.error_subcode
  if (e.code === 10 && (sub === 2018278 || sub === 2018065 || sub === 2534022))
    return {
      retry: false,
      title:
        'Sent outside the allowed messaging window: the customer has not written within the window this message needs.',
    }
  if (e.code === 551 || sub === 1545041)
    return { retry: false, title: "This person isn't available right now (blocked messages or left)." }
  if (e.code === 100 && sub === 2018001)
    return { retry: false, title: 'No matching user found for this recipient.' }
  if (e.code === 100 && (sub === 2018047 || sub === 2018074 || sub === 2018008))
    return { retry: false, title: 'Meta could not fetch the attachment from our link (check PUBLIC_URL).' }
  if (e.code === 100)
    return { retry: false, title: 'Meta rejected a parameter of the message (invalid parameter).' }
  if (e.code === 613) return { retry: true, title: 'Too many messages sent in a short time; retrying.' }
  if (e.code === 1200) return { retry: true, title: 'Temporary send failure at Meta; retrying.' }
  if (e.code === 2022) return { retry: true, title: 'Instagram is temporarily unavailable; retrying.' }
  return undefined
}

export async function sendThroughSendApi(
  product: MessagingProduct,
  sc: SendContext,
  channel: ChannelRef<{ apiBaseUrl: string; apiVersion: string }, { accessToken: string }>,
  accountId: string,
  to: string,
  message: OutboundMessage,
): Promise<{ providerMessageId: string }> {
  const url = graphUrl(channel.config, `${accountId}/messages`)
  const res = await graphFetch<{ message_id?: string }>(
    sc.fetch,
    url,
    channel.secrets.accessToken,
    messagingRule,
    {
      method: 'POST',
      body: sendApiPayload(product, to, message),
    },
  )
  if (!res.message_id) throw new Error('The Send API answered without a message_id.')
  // The Send API has no captions: a media message's text follows as its own message.
  if (MEDIA_KINDS[message.type] && message.text) {
    await graphFetch(sc.fetch, url, channel.secrets.accessToken, messagingRule, {
      method: 'POST',
      body: sendApiPayload(product, to, { ...message, type: 'text', content: {} }),
    }).catch((err) => sc.log.warn({ err, messageId: message.id }, 'caption could not be sent'))
  }
  return { providerMessageId: res.message_id }
}

/** Attachment URLs in Messenger/Instagram webhooks are plain CDN links (no token), valid for a while. */
export async function downloadAttachment(sc: SendContext, url: string) {
  const res = await sc.fetch(url, { signal: AbortSignal.timeout(60_000) })
  if (res.status === 403 || res.status === 404 || res.status === 410)
    throw new PermanentSendError(String(res.status), 'The attachment link has expired.')
  if (!res.ok) throw new Error(`attachment download answered ${res.status}`)
  return {
    data: Buffer.from(await res.arrayBuffer()),
    mimeType: res.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream',
  }
}
