import { z } from 'zod'
import { idSchema } from '../http/schemas'
import { MESSENGER_TAGS } from './windows'

const media = (type: 'image' | 'video' | 'audio' | 'file') =>
  z.strictObject({
    type: z.literal(type),
    /** A file uploaded to the workspace (POST /files), or a public URL. */
    fileId: idSchema.optional(),
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    caption: z.string().max(1024).optional(),
    fileName: z.string().max(255).optional(),
  })

export const templateParamsSchema = z.strictObject({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  /** Values for {{1}}, {{2}}… in the body, in order. */
  body: z.array(z.string().min(1).max(1024)).max(30).optional(),
  /** A text header's {{1}}, or the media of an image/video/document header. */
  header: z
    .union([
      z.array(z.string().min(1).max(60)).max(1),
      z.strictObject({ url: z.url().max(2000), fileName: z.string().max(255).optional() }),
    ])
    .optional(),
  /** Dynamic URL suffixes or quick-reply payloads, by button index. */
  buttons: z
    .array(z.strictObject({ index: z.number().int().min(0).max(9), value: z.string().min(1).max(2000) }))
    .max(10)
    .optional(),
})

export const messageContentSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().trim().min(1, 'Text is required.').max(4096) }),
  media('image'),
  media('video'),
  media('audio'),
  media('file'),
  z.strictObject({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().max(200).optional(),
    address: z.string().max(500).optional(),
  }),
  z.strictObject({ type: z.literal('template'), template: templateParamsSchema }),
  z.strictObject({
    type: z.literal('interactive'),
    interactive: z.discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('buttons'),
        body: z.string().min(1).max(1024),
        buttons: z
          .array(z.strictObject({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }))
          .min(1)
          .max(3),
      }),
      z.strictObject({
        kind: z.literal('list'),
        body: z.string().min(1).max(4096),
        button: z.string().min(1).max(20),
        sections: z
          .array(
            z.strictObject({
              title: z.string().max(24).optional(),
              rows: z
                .array(
                  z.strictObject({
                    id: z.string().min(1).max(200),
                    title: z.string().min(1).max(24),
                    description: z.string().max(72).optional(),
                  }),
                )
                .min(1)
                .max(10),
            }),
          )
          .min(1)
          .max(10),
      }),
    ]),
  }),
  z.strictObject({
    type: z.literal('email'),
    subject: z.string().max(998).optional(),
    text: z.string().max(100_000).optional(),
    html: z.string().max(500_000).optional(),
    /** Rule 69: up to 5 attachments per email. */
    fileIds: z.array(idSchema).max(5, 'At most 5 attachments per email.').optional(),
  }),
])

export type MessageContent = z.infer<typeof messageContentSchema>

export const sendMessageSchema = z
  .strictObject({
    /** The channel to send on; defaults to the contact's last interacted channel. */
    channelId: idSchema.optional(),
    message: messageContentSchema,
    /** Messenger message tag for sends after the 7-day human-agent window (rule 16). */
    messageTag: z.enum(MESSENGER_TAGS).optional(),
    /** Idempotency: the same key returns the same message instead of sending twice. */
    clientKey: z.string().min(8).max(100).optional(),
  })
  .meta({
    examples: [
      {
        channelId: 3,
        message: { type: 'text', text: 'أهلاً ليلى، طلبك رقم 4471 في الطريق وسيصل غداً إن شاء الله.' },
        clientKey: 'c6f1d2a0-7b3e-4e58-9a41-2f0d8b1c5e77',
      },
      {
        message: {
          type: 'template',
          template: { name: 'order_shipped', language: 'ar', body: ['ليلى', '4471'] },
        },
      },
      { message: { type: 'image', fileId: 88, caption: 'Your invoice / فاتورتك' } },
    ],
  })
