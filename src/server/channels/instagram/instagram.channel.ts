import { z } from 'zod'
import { defineChannel } from '../channel'
import { metaSetup } from '../messenger/messenger.channel'
import { downloadAttachment, messagingRule, sendThroughSendApi } from '../messenger/messenger.send'
import { parseMessagingWebhook } from '../messenger/messenger.webhook'
import { GRAPH_VERSION, graphFetch, graphUrl, metaHandshake, verifyMetaSignature } from '../meta-graph'

/**
 * Instagram professional accounts through the Instagram API with Instagram Login
 * (developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api):
 * webhooks with `object: "instagram"`, sends through `POST graph.instagram.com/{ig-id}/messages`.
 * Rule 17: HUMAN_AGENT up to 7 days, nothing after (the core refuses; no tags exist here).
 */
export const INSTAGRAM_BASE_URL = 'https://graph.instagram.com'

const configSchema = z.strictObject({
  accountId: z.string().regex(/^\d{1,30}$/, 'The numeric id of the Instagram professional account.'),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default(INSTAGRAM_BASE_URL),
  apiVersion: z
    .string()
    .regex(/^v\d{2,3}\.\d$/, 'A Graph API version such as v21.0.')
    .default(GRAPH_VERSION),
})
const secretsSchema = z.strictObject({
  /** An Instagram user access token with instagram_business_manage_messages. */
  accessToken: z.string().min(10).max(1000),
  appSecret: z.string().min(8).max(200),
  verifyToken: z.string().min(8).max(200),
})
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>

export const instagramChannel = defineChannel<Config, Secrets>({
  type: 'instagram',
  label: 'Instagram',
  setup: metaSetup('instagram', 'accountId'),
  configSchema,
  secretsSchema,
  sends: ['text', 'image', 'video', 'audio', 'file', 'interactive'],
  handshake: (req, channel) => metaHandshake(req, channel.secrets.verifyToken),
  verify: (req, channel) => verifyMetaSignature(req, channel.secrets.appSecret),
  parse: (req, channel) => parseMessagingWebhook(req.body, 'instagram', channel.config.accountId),
  send: (sc, channel, to, message) =>
    sendThroughSendApi('instagram', sc, channel, channel.config.accountId, to.identifier, message),
  async verifyCredentials(sc, channel) {
    const me = await graphFetch<{ id: string; username?: string }>(
      sc.fetch,
      graphUrl(channel.config, `${channel.config.accountId}?fields=id,username`),
      channel.secrets.accessToken,
      messagingRule,
    )
    return { ok: true, details: me }
  },
  fetchMedia: (sc, _channel, media) => downloadAttachment(sc, media.providerRef),
})
