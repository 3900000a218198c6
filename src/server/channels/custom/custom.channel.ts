import { z } from 'zod'
import { safeEqual } from '../../auth/crypto'
import { UnauthenticatedError, ValidationError } from '../../errors'
import { defineChannel, type InboundEvent, PermanentSendError } from '../channel'

/**
 * respond.io's Custom Channel protocol (PRODUCT.md rule 122, help.respond.io "Custom Channel Quick
 * Start", github.com/respond-io/custom-channel-integration-example): the integration server POSTs
 * `{ channelId, contactId, events[], contact? }` with `Authorization: Bearer <API token>`; outbound
 * messages are POSTed to the destination URL with the same token and answered `{ mId }` (200), or
 * a 4xx with `{ error: { message } }` that fails the message with that reason; other answers retry.
 * Events: `message`, `message_echo` (sent by the business elsewhere), `message_status` (`status.value`
 * sent/delivered/read/failed, `status.message` the reason). Message types in: text, attachment
 * (image/video/audio/file with url, mimeType, fileName, description), quick_reply (the chosen
 * reply's text); location is accepted as an extension. Fixtures: ./fixtures (README there).
 */
const PHONE = /^\+[1-9]\d{6,14}$/
const CUSTOM_ID = /^[A-Za-z0-9_=+/@]{1,50}$/

const configSchema = z.strictObject({
  idType: z.enum(['phone', 'custom']),
  destinationUrl: z.url({ protocol: /^https?$/ }),
  /** Rule 21: custom channels may have a messaging window (hours); none by default. */
  windowHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .optional(),
})
const secretsSchema = z.strictObject({ apiToken: z.string().min(32).max(200) })

const messageSchema = z.object({
  type: z.enum(['text', 'attachment', 'quick_reply', 'location']),
  text: z.string().max(4096).optional(),
  attachment: z
    .object({
      type: z.enum(['image', 'video', 'audio', 'file']),
      url: z.url(),
      mimeType: z.string().max(255).optional(),
      fileName: z.string().max(255).optional(),
      /** The caption. */
      description: z.string().max(4096).optional(),
    })
    .optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
})

const inboundSchema = z.object({
  channelId: z.string().min(1).max(100),
  contactId: z.string().min(1).max(50),
  events: z
    .array(
      z.object({
        type: z.enum(['message', 'message_echo', 'message_status']),
        mId: z.string().min(1).max(50),
        timestamp: z.number().int().positive(),
        message: messageSchema.optional(),
        status: z
          .object({
            value: z.enum(['sent', 'delivered', 'read', 'failed']),
            message: z.string().max(1000).optional(),
          })
          .optional(),
      }),
    )
    .min(1)
    .max(100),
  contact: z
    .object({
      firstName: z.string().max(100).optional(),
      lastName: z.string().max(100).optional(),
      profilePic: z.string().max(2000).optional(),
      countryCode: z.string().max(2).optional(),
      email: z.string().max(254).optional(),
      phone: z.string().max(20).optional(),
      language: z.string().max(10).optional(),
    })
    .optional(),
})

export const customChannel = defineChannel({
  type: 'custom',
  label: 'Custom channel',
  configSchema,
  secretsSchema,
  sends: ['text', 'image', 'video', 'audio', 'file', 'location'],
  setup: [
    {
      key: 'idType',
      in: 'config',
      label: 'channels.custom.idType',
      help: 'channels.custom.idTypeHelp',
      input: 'select',
      options: ['phone', 'custom'],
      required: true,
    },
    {
      key: 'destinationUrl',
      in: 'config',
      label: 'channels.custom.destinationUrl',
      help: 'channels.custom.destinationUrlHelp',
      input: 'url',
      required: true,
    },
    {
      key: 'windowHours',
      in: 'config',
      label: 'channels.custom.windowHours',
      help: 'channels.custom.windowHoursHelp',
      input: 'number',
    },
    {
      key: 'apiToken',
      in: 'secrets',
      label: 'channels.custom.apiToken',
      help: 'channels.custom.apiTokenHelp',
      input: 'password',
      generated: true,
    },
  ],
  verify(req, channel) {
    const header = req.headers.authorization
    const token = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header)?.[1] : undefined
    if (!token || !safeEqual(token, channel.secrets.apiToken)) {
      throw new UnauthenticatedError('Invalid or missing Bearer token for this custom channel.')
    }
  },
  parse(req, channel) {
    const parsed = inboundSchema.safeParse(req.body)
    if (!parsed.success) {
      throw new ValidationError(
        parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      )
    }
    const body = parsed.data
    if (body.channelId !== String(channel.id)) {
      throw new ValidationError(`channelId ${body.channelId} does not belong to this webhook.`, [
        { path: 'channelId', message: 'Does not match this channel.' },
      ])
    }
    const idOk =
      channel.config.idType === 'phone' ? PHONE.test(body.contactId) : CUSTOM_ID.test(body.contactId)
    if (!idOk) {
      const message =
        channel.config.idType === 'phone'
          ? 'Must be an E.164 phone number.'
          : 'Up to 50 of A–Z a–z 0–9 _ = + / @.'
      throw new ValidationError(`contactId: ${message}`, [{ path: 'contactId', message }])
    }
    const c = body.contact
    return body.events.map((e): InboundEvent => {
      const timestamp = new Date(e.timestamp)
      if (e.type === 'message_status') {
        const value = e.status?.value ?? 'delivered'
        return {
          kind: 'status',
          providerMessageId: e.mId,
          status: value,
          timestamp,
          // The integration's reason for a failure is what the agent sees on the message.
          ...(value === 'failed'
            ? {
                error: {
                  code: 'custom_channel_failed',
                  title: e.status?.message || 'The integration reported a failure.',
                },
              }
            : {}),
        }
      }
      const m = e.message ?? { type: 'text' as const, text: '' }
      const media = m.type === 'attachment' && m.attachment
      return {
        kind: 'message',
        providerMessageId: e.mId,
        echo: e.type === 'message_echo',
        from: {
          identifier: body.contactId,
          firstName: c?.firstName,
          lastName: c?.lastName,
          avatarUrl: c?.profilePic || undefined,
          email: c?.email,
          phone: channel.config.idType === 'phone' ? body.contactId : c?.phone,
          language: c?.language,
        },
        timestamp,
        type: media ? media.type : m.type === 'location' ? 'location' : 'text',
        text: media ? (m.text ?? media.description) : m.text,
        content: media
          ? { media: { url: media.url, fileName: media.fileName, mimeType: media.mimeType } }
          : m.type === 'location'
            ? { location: { latitude: m.latitude, longitude: m.longitude } }
            : {},
      }
    })
  },
  async send(sc, channel, to, message) {
    const media = message.content.media as { url?: string; fileName?: string; mimeType?: string } | undefined
    const location = message.content.location as { latitude: number; longitude: number } | undefined
    const body =
      message.type === 'text'
        ? { type: 'text', text: message.text ?? '' }
        : message.type === 'location' && location
          ? { type: 'location', latitude: location.latitude, longitude: location.longitude }
          : {
              type: 'attachment',
              attachment: {
                type: message.type,
                url: media?.url,
                ...(media?.mimeType ? { mimeType: media.mimeType } : {}),
                ...(media?.fileName ? { fileName: media.fileName } : {}),
                ...(message.text ? { description: message.text } : {}),
              },
            }
    // Our extension of respond.io's protocol (issue 5): a send retried after a crash or a
    // timeout carries the same key, so the destination can answer the first mId (or 409) instead of
    // delivering twice.
    const key = `tawasul-${channel.workspaceId}-${channel.id}-${message.id}`
    const res = await sc.fetch(channel.config.destinationUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${channel.secrets.apiToken}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify({ channelId: String(channel.id), contactId: to.identifier, message: body }),
      signal: AbortSignal.timeout(15_000),
    })
    const data = (await res.json().catch(() => ({}))) as { mId?: string; error?: { message?: string } }
    if (res.ok && data.mId) return { providerMessageId: String(data.mId) }
    // 409: an earlier attempt with this key was accepted; it is sent, not to be sent again.
    if (res.status === 409) return { providerMessageId: data.mId ? String(data.mId) : `retry:${key}` }
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      throw new PermanentSendError(
        String(res.status),
        data.error?.message ?? `Destination answered ${res.status}`,
      )
    }
    throw new Error(`custom channel destination answered ${res.status}`)
  },
})
