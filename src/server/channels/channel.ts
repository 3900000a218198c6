import type { z } from 'zod'
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

export type InboundEvent = InboundMessage | InboundStatus

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

/** Everything `send` may use; nothing else. The HTTP client is injected so tests and simulators can see it. */
export type SendContext = { fetch: typeof fetch; log: Log }

export type ChannelRef<Config, Secrets> = {
  workspaceId: number
  id: number
  type: string
  config: Config
  secrets: Secrets
}

export type OutboundMessage = {
  id: number
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
  query: Record<string, string | string[] | undefined>
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer
  body: unknown
}

export type WebhookReply = { status: number; body: string | Record<string, unknown>; contentType?: string }

export type ChannelAdapter<Config = Record<string, unknown>, Secrets = Record<string, unknown>> = {
  type: string
  label: string
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
  /** The acknowledgement the provider expects (defaults to 200 "OK"). */
  ack?: (req: WebhookRequest) => WebhookReply
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
