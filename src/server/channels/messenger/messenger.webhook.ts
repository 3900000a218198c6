import { z } from 'zod'
import type { MessageType } from '../../db/schema'
import type { InboundEvent, InboundMessage } from '../channel'
import { fromUnix, parseOr400 } from '../meta-graph'

/**
 * Messenger Platform webhooks (developers.facebook.com/docs/messenger-platform/webhooks), which
 * Instagram messaging shares with `object: "instagram"`: `entry[].messaging[]` events for
 * messages, echoes, postbacks, deliveries, reads and reactions.
 */
const attachment = z.object({
  type: z.string(),
  payload: z
    .object({
      url: z.string().optional(),
      title: z.string().optional(),
      sticker_id: z.number().optional(),
      coordinates: z.object({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullish(),
})

const event = z.object({
  sender: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }),
  timestamp: z.number(),
  message: z
    .object({
      mid: z.string().min(1),
      text: z.string().optional(),
      attachments: z.array(attachment).optional(),
      quick_reply: z.object({ payload: z.string() }).optional(),
      reply_to: z.object({ mid: z.string().optional() }).optional(),
      is_echo: z.boolean().optional(),
      metadata: z.string().optional(),
      is_deleted: z.boolean().optional(),
      is_unsupported: z.boolean().optional(),
    })
    .optional(),
  postback: z
    .object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string() })
    .optional(),
  delivery: z.object({ mids: z.array(z.string()).optional(), watermark: z.number() }).optional(),
  read: z.object({ watermark: z.number().optional(), mid: z.string().optional() }).optional(),
  reaction: z
    .object({
      mid: z.string(),
      action: z.string(),
      emoji: z.string().optional(),
      reaction: z.string().optional(),
    })
    .optional(),
})

const webhook = z.object({
  object: z.enum(['page', 'instagram']),
  entry: z.array(z.object({ id: z.string(), time: z.number(), messaging: z.array(event).optional() })).min(1),
})

/** Our own sends carry this metadata; Messenger echoes it back, so the echo is not stored twice. */
export const OWN_METADATA = 'tawasul'

const TYPES: Record<string, MessageType> = { image: 'image', video: 'video', audio: 'audio', file: 'file' }

function attachmentBody(a: z.infer<typeof attachment>): Pick<InboundMessage, 'type' | 'text' | 'content'> {
  const url = a.payload?.url
  if (a.type === 'image' && a.payload?.sticker_id)
    return { type: 'sticker', content: { media: { url, stickerId: a.payload.sticker_id } } }
  const type = TYPES[a.type]
  if (type && url) return { type, content: { media: { providerRef: url, url, download: 'pending' } } }
  if (a.type === 'location' && a.payload?.coordinates)
    return {
      type: 'location',
      text: a.payload.title,
      content: { location: { latitude: a.payload.coordinates.lat, longitude: a.payload.coordinates.long } },
    }
  // Shares, story mentions, reels, fallbacks: kept with their link, shown as unsupported.
  return { type: 'unsupported', text: a.payload?.title, content: { unsupported: { type: a.type, url } } }
}

/** Pure: a verified webhook body → normalized events for one Page or Instagram account. */
export function parseMessagingWebhook(
  raw: unknown,
  object: 'page' | 'instagram',
  accountId: string,
): InboundEvent[] {
  const payload = parseOr400(webhook, raw)
  if (payload.object !== object) return [] // a webhook for another product of the same app is not ours to store
  const out: InboundEvent[] = []
  for (const entry of payload.entry) {
    if (entry.id !== accountId) continue
    for (const e of entry.messaging ?? []) {
      const at = fromUnix(e.timestamp, 'ms')
      const m = e.message
      if (m) {
        if (m.is_deleted || (m.is_echo && m.metadata === OWN_METADATA)) continue
        const echo = m.is_echo === true
        // An echo is the business writing from another client: the customer is the recipient.
        const identifier = echo ? e.recipient.id : e.sender.id
        const base = { kind: 'message' as const, from: { identifier }, timestamp: at, echo }
        const replyTo = m.reply_to?.mid
        const attachments = m.attachments ?? []
        if (attachments.length === 0 || m.text) {
          out.push({
            ...base,
            providerMessageId: m.mid,
            type: m.is_unsupported ? 'unsupported' : 'text',
            text: m.text ?? '',
            content: m.quick_reply ? { reply: { kind: 'quick_reply', payload: m.quick_reply.payload } } : {},
            replyToProviderId: replyTo,
          })
        }
        attachments.forEach((a, i) => {
          const first = i === 0 && !m.text
          out.push({
            ...base,
            providerMessageId: first ? m.mid : `${m.mid}#${i + 1}`,
            ...attachmentBody(a),
            replyToProviderId: first ? replyTo : undefined,
          })
        })
      } else if (e.postback) {
        out.push({
          kind: 'message',
          providerMessageId: e.postback.mid ?? `postback:${e.sender.id}:${e.timestamp}`,
          from: { identifier: e.sender.id },
          timestamp: at,
          type: 'interactive',
          text: e.postback.title ?? e.postback.payload,
          content: { reply: { kind: 'postback', title: e.postback.title, payload: e.postback.payload } },
        })
      } else if (e.reaction) {
        out.push({
          kind: 'message',
          providerMessageId: `reaction:${e.reaction.mid}:${e.sender.id}:${e.timestamp}`,
          from: { identifier: e.sender.id },
          timestamp: at,
          type: 'reaction',
          text: e.reaction.action === 'unreact' ? '' : (e.reaction.emoji ?? ''),
          content: {
            reaction: {
              emoji: e.reaction.action === 'unreact' ? '' : (e.reaction.emoji ?? ''),
              messageId: e.reaction.mid,
            },
          },
          replyToProviderId: e.reaction.mid,
        })
      } else if (e.delivery) {
        for (const mid of e.delivery.mids ?? [])
          out.push({ kind: 'status', providerMessageId: mid, status: 'delivered', timestamp: at })
        out.push({
          kind: 'watermark',
          identifier: e.sender.id,
          status: 'delivered',
          upTo: fromUnix(e.delivery.watermark, 'ms'),
        })
      } else if (e.read) {
        if (e.read.mid)
          out.push({ kind: 'status', providerMessageId: e.read.mid, status: 'read', timestamp: at })
        if (e.read.watermark !== undefined)
          out.push({
            kind: 'watermark',
            identifier: e.sender.id,
            status: 'read',
            upTo: fromUnix(e.read.watermark, 'ms'),
          })
      }
    }
  }
  return out
}
