import { z } from 'zod'
import { AppError } from '../../errors'
import { defineChannel } from '../channel'

/** The NOTIFY topic that carries agent messages to visitors' open streams, in every process. */
export const WEBCHAT_TOPIC = 'tawasul_webchat'

/** An origin as browsers send it: scheme://host[:port], no path; or "*" for any site (not advised). */
const origin = z
  .string()
  .trim()
  .refine((o) => o === '*' || /^https?:\/\/[^/\s?#]+$/i.test(o), 'An origin such as https://www.example.com')
  .transform((o) => (o === '*' ? o : o.toLowerCase().replace(/\/+$/, '')))

const configSchema = z.strictObject({
  allowedOrigins: z.array(origin).min(1).max(50),
  title: z.string().trim().max(80).default(''),
  greeting: z.string().trim().max(500).default(''),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'A colour such as #0f766e')
    .default('#0f766e'),
  preChat: z
    .strictObject({
      enabled: z.boolean().default(false),
      requireName: z.boolean().default(false),
      requireEmail: z.boolean().default(false),
    })
    .default({ enabled: false, requireName: false, requireEmail: false }),
  /** Corner of the launcher, in the page's reading direction: end = right in English, left in Arabic. */
  position: z.enum(['end', 'start']).default('end'),
})
export type WebchatConfig = z.infer<typeof configSchema>

const secretsSchema = z.strictObject({ identitySecret: z.string().min(32).max(200) })
export type WebchatSecrets = z.infer<typeof secretsSchema>

/** What the widget gets told about each visitor's message: by message id (the row holds the rest). */
export type WebchatNotice = { workspaceId: number; channelId: number; identifier: string; messageId: number }

export const webchatChannel = defineChannel<WebchatConfig, WebchatSecrets>({
  type: 'webchat',
  label: 'Website chat',
  configSchema: configSchema as unknown as z.ZodType<WebchatConfig>,
  secretsSchema,
  sends: ['text', 'image', 'file'],
  setup: [
    {
      key: 'allowedOrigins',
      in: 'config',
      label: 'channels.webchat.allowedOrigins',
      help: 'channels.webchat.allowedOriginsHelp',
      input: 'lines',
      required: true,
    },
    { key: 'title', in: 'config', label: 'channels.webchat.title', input: 'text' },
    {
      key: 'greeting',
      in: 'config',
      label: 'channels.webchat.greeting',
      help: 'channels.webchat.greetingHelp',
      input: 'text',
    },
    { key: 'color', in: 'config', label: 'channels.webchat.color', input: 'text' },
    {
      key: 'position',
      in: 'config',
      label: 'channels.webchat.position',
      input: 'select',
      options: ['end', 'start'],
    },
    {
      key: 'preChat.enabled',
      in: 'config',
      label: 'channels.webchat.preChatEnabled',
      help: 'channels.webchat.preChatEnabledHelp',
      input: 'checkbox',
    },
    {
      key: 'preChat.requireName',
      in: 'config',
      label: 'channels.webchat.preChatRequireName',
      input: 'checkbox',
    },
    {
      key: 'preChat.requireEmail',
      in: 'config',
      label: 'channels.webchat.preChatRequireEmail',
      input: 'checkbox',
    },
    {
      key: 'identitySecret',
      in: 'secrets',
      label: 'channels.webchat.identitySecret',
      help: 'channels.webchat.identitySecretHelp',
      input: 'password',
      generated: true,
    },
  ],
  verify() {
    throw new AppError(
      405,
      'not_a_webhook_channel',
      'The website chat talks to its widget through /widget/v1, not through webhooks.',
    )
  },
  parse: () => [],
  /**
   * Delivery to the visitor: a NOTIFY that every server process hears; the one holding the
   * visitor's stream loads the message and pushes it. The visitor's widget then acknowledges
   * delivered/read through the status path like any provider's receipts.
   */
  async send(sc, channel, to, message) {
    const notice: WebchatNotice = {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      identifier: to.identifier,
      messageId: message.id,
    }
    await sc.publish(WEBCHAT_TOPIC, notice)
    return { providerMessageId: `wc-${message.id}` }
  },
})
