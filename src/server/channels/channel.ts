import type { z } from 'zod'
import type { Ctx } from '../context'
import type { MessageType } from '../db/schema'
import type { Log } from '../log'

/** A normalized inbound event: what every channel adapter's `parse` produces (see ingest/ingest.ts). */
export type InboundMessage = {
  kind: 'message'
  providerMessageId: string
  /** The sender's identity on the channel: phone (E.164), PSID, chat id, email, custom id. */
  from: {
    identifier: string
    displayName?: string | undefined
    firstName?: string | undefined
    lastName?: string | undefined
    phone?: string | undefined
    email?: string | undefined
    avatarUrl?: string | undefined
    language?: string | undefined
  }
  /** When the contact sent it (provider time). */
  timestamp: Date
  type: MessageType
  text?: string | undefined
  content?: Record<string, unknown>
  /** The provider id of the message this one replies to, if any. */
  replyToProviderId?: string | undefined
  /** Echo of a message the business sent from another client (e.g. the phone app). */
  echo?: boolean
  /**
   * A provider call to make once the message is stored (e.g. Telegram's answerCallbackQuery):
   * opaque data handed to the adapter's `followUp` in a job.
   */
  followUp?: Record<string, unknown> | undefined
  /**
   * Short-lived values to keep for this channel (encrypted), e.g. LINE's single-use reply token,
   * readable by `send` through `SendContext.state`. Written only for newly stored messages.
   */
  remember?: { key: string; value: string; ttlSeconds: number }[] | undefined
}

export type InboundStatus = {
  kind: 'status'
  providerMessageId: string
  status: 'sent' | 'delivered' | 'read' | 'failed'
  timestamp: Date
  error?: { code: string; title: string; detail?: string | undefined } | undefined
  /** Internal: how many times a receipt for an unknown message was retried. */
  attempt?: number
}

/**
 * A receipt that covers every outgoing message to one identity up to a moment (Messenger's
 * `read.watermark` / `delivery.watermark`), rather than naming message ids.
 */
export type InboundWatermark = {
  kind: 'watermark'
  identifier: string
  status: 'delivered' | 'read'
  upTo: Date
}

export type InboundEvent = InboundMessage | InboundStatus | InboundWatermark

/** A provider error that will not succeed on retry (bad recipient, policy, auth…). */
export class PermanentSendError extends Error {
  constructor(
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(`${code}: ${title}`)
  }
}

/**
 * A provider error that means the channel itself is broken (expired or revoked token, missing
 * permission): the message fails and the channel is marked `error` with this reason, so the UI can
 * say so instead of failing silently (PEERS pain point 19).
 */
export class ChannelAuthError extends PermanentSendError {}

/** Media the provider holds for an inbound message; downloaded by a job, never in the webhook request. */
export type ProviderMedia = { providerRef: string; mimeType?: string; fileName?: string }

/** A message template as the provider lists it (WhatsApp message_templates). */
export type ProviderTemplate = {
  providerTemplateId: string
  name: string
  language: string
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION'
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED'
  components: unknown[]
}

/**
 * Small per-channel key/value state kept by the core (encrypted, shared by every process, expiring
 * on the server clock): cached provider access tokens, single-use reply tokens.
 */
export type ChannelState = {
  get: (key: string) => Promise<string | undefined>
  set: (key: string, value: string, ttlSeconds: number) => Promise<void>
  /** Reads and deletes in one step: a value taken once is never handed out again. */
  take: (key: string) => Promise<string | undefined>
}

/** Everything `send` may use; nothing else. The HTTP client is injected so tests and simulators can see it. */
export type SendContext = {
  fetch: typeof fetch
  log: Log
  /** The bytes of a workspace file (email attachments travel inside the message, not by URL). */
  readFile: (fileId: number) => Promise<{ fileName: string; mimeType: string; data: Buffer }>
  /**
   * Sends a NOTIFY to every server process (web chat delivers to the visitor's open stream through
   * it, so it works whichever process holds the visitor's connection).
   */
  publish: (topic: string, payload: Record<string, unknown>) => Promise<void>
  /** Per-channel state (absent in bare unit tests: adapters must cope without it). */
  state?: ChannelState | undefined
  /** This channel's public inbound webhook URL (PUBLIC_URL + path): status callbacks, setWebhook. */
  webhookUrl?: string | undefined
}

export type ChannelRef<Config, Secrets> = {
  workspaceId: number
  id: number
  type: string
  config: Config
  secrets: Secrets
}

export type OutboundMessage = {
  id: number
  contactId: number
  authorKind: string
  authorId: number | null
  type: MessageType
  text: string | null
  content: Record<string, unknown>
  /** How the window allows it to go out (windows.ts): free, template, human_agent, message_tag… */
  sendMode: string
  messageTag?: string | undefined
  replyToProviderId?: string | undefined
}

export type WebhookRequest = {
  method: string
  url: string
  /**
   * The URL as the provider called it: PUBLIC_URL + path and query. Providers that sign the URL
   * (Twilio) check against this, so PUBLIC_URL must be exactly what is configured at the provider.
   */
  publicUrl?: string | undefined
  query: Record<string, string | string[] | undefined>
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer
  body: unknown
}

export type WebhookReply = { status: number; body: string | Record<string, unknown>; contentType?: string }

/** One field of a channel's setup wizard (web app) and CLI `--config` documentation. */
export type SetupField = {
  key: string
  /** Where the value is kept: shown config, or encrypted secret. */
  in: 'config' | 'secrets'
  /** i18n key of the label in src/web/i18n (channels.<type>.<key>). */
  label: string
  /** i18n key of the help text: where to find the value at the provider. */
  help?: string
  /** `lines`: a list, one item per line (e.g. allowed origins). */
  input: 'text' | 'password' | 'url' | 'number' | 'select' | 'checkbox' | 'lines'
  options?: string[]
  required?: boolean
  /** Generated by Tawasul (e.g. a verify token); shown after connecting. */
  generated?: boolean
}

export type ChannelAdapter<Config = Record<string, unknown>, Secrets = Record<string, unknown>> = {
  type: string
  label: string
  /** The setup wizard's fields, in order. */
  setup?: SetupField[]
  /** Calls the provider to check the credentials (e.g. GET /me); throws a clear error when they fail. */
  verifyCredentials?: (
    sc: SendContext,
    channel: ChannelRef<Config, Secrets>,
  ) => Promise<{ ok: true; details?: Record<string, unknown> }>
  /**
   * Tells the provider where to post (Telegram setWebhook, Viber set_webhook) using
   * `sc.webhookUrl`. Runs in the channels.setup job: after connecting and on POST …/channels/:id/setup.
   */
  configureWebhook?: (
    sc: SendContext,
    channel: ChannelRef<Config, Secrets>,
  ) => Promise<{ ok: true; details?: Record<string, unknown> }>
  /** The provider call an inbound message asked for (`InboundMessage.followUp`); runs in a job. */
  followUp?: (
    sc: SendContext,
    channel: ChannelRef<Config, Secrets>,
    data: Record<string, unknown>,
  ) => Promise<void>
  /** Non-secret settings, shown back to the user. */
  configSchema: z.ZodType<Config>
  /** Credentials, stored encrypted and never returned. */
  secretsSchema: z.ZodType<Secrets>
  /** Message types this channel can send. */
  sends: readonly MessageType[]
  /**
   * Answers a provider's verification handshake (GET), or null when the request is not one.
   * Throwing an AppError answers with its status.
   */
  handshake?: (req: WebhookRequest, channel: ChannelRef<Config, Secrets>) => WebhookReply | null
  /** Checks the request's signature/secret; throws UnauthenticatedError (401) when it fails. */
  verify: (req: WebhookRequest, channel: ChannelRef<Config, Secrets>) => void
  /** Pure: the verified request → normalized events. Throws ValidationError (400) when malformed. */
  parse: (req: WebhookRequest, channel: ChannelRef<Config, Secrets>) => InboundEvent[]
  /**
   * Downloads inbound media named by `content.media.providerRef` (set by `parse`). Ingest enqueues
   * the download in the webhook's transaction; the job stores the bytes as a file.
   */
  fetchMedia?: (
    sc: SendContext,
    channel: ChannelRef<Config, Secrets>,
    media: ProviderMedia,
  ) => Promise<{ data: Buffer; mimeType: string; fileName?: string | undefined }>
  /** Lists the provider's message templates (all pages); the template sync job upserts them. */
  listTemplates?: (sc: SendContext, channel: ChannelRef<Config, Secrets>) => Promise<ProviderTemplate[]>
  /** The acknowledgement the provider expects (defaults to 200 "OK"). */
  ack?: (req: WebhookRequest) => WebhookReply
  /**
   * Runs in the send job before `send`, with our own records at hand: what the adapter needs from
   * them (email threading headers). The result is merged into `message.content`.
   */
  prepare?: (
    ctx: Ctx,
    channel: ChannelRef<Config, Secrets>,
    message: OutboundMessage,
  ) => Promise<Record<string, unknown>>
  /** Sends one message; returns the provider's message id. Throws PermanentSendError or any error to retry. */
  send: (
    sc: SendContext,
    channel: ChannelRef<Config, Secrets>,
    to: { identifier: string },
    message: OutboundMessage,
  ) => Promise<{ providerMessageId: string }>
}

export function defineChannel<C, S>(adapter: ChannelAdapter<C, S>): ChannelAdapter<C, S> {
  return adapter
}
