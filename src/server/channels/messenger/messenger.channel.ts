import { z } from 'zod'
import { defineChannel, type SetupField } from '../channel'
import {
  GRAPH_BASE_URL,
  GRAPH_VERSION,
  graphFetch,
  graphUrl,
  metaHandshake,
  verifyMetaSignature,
} from '../meta-graph'
import { downloadAttachment, messagingRule, sendThroughSendApi } from './messenger.send'
import { parseMessagingWebhook } from './messenger.webhook'

/** Facebook Messenger through a Page (Messenger Platform webhooks and Send API). */
const configSchema = z.strictObject({
  pageId: z.string().regex(/^\d{1,30}$/, 'The numeric id of the Facebook Page.'),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default(GRAPH_BASE_URL),
  apiVersion: z
    .string()
    .regex(/^v\d{2,3}\.\d$/, 'A Graph API version such as v21.0.')
    .default(GRAPH_VERSION),
})
const secretsSchema = z.strictObject({
  /** A Page access token with pages_messaging. */
  accessToken: z.string().min(10).max(1000),
  appSecret: z.string().min(8).max(200),
  verifyToken: z.string().min(8).max(200),
})
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>

export function metaSetup(type: string, idKey: string): SetupField[] {
  const fields: Omit<SetupField, 'label' | 'help'>[] = [
    { key: idKey, in: 'config', input: 'text', required: true },
    { key: 'accessToken', in: 'secrets', input: 'password', required: true },
    { key: 'appSecret', in: 'secrets', input: 'password', required: true },
    { key: 'verifyToken', in: 'secrets', input: 'text', generated: true },
    { key: 'apiBaseUrl', in: 'config', input: 'url' },
    { key: 'apiVersion', in: 'config', input: 'text' },
  ]
  return fields.map((f) => ({
    ...f,
    label: `channels.${type}.${f.key}`,
    help: `channels.${type}.${f.key}Help`,
  }))
}

export const messengerChannel = defineChannel<Config, Secrets>({
  type: 'messenger',
  label: 'Facebook Messenger',
  setup: metaSetup('messenger', 'pageId'),
  configSchema,
  secretsSchema,
  sends: ['text', 'image', 'video', 'audio', 'file', 'interactive'],
  handshake: (req, channel) => metaHandshake(req, channel.secrets.verifyToken),
  verify: (req, channel) => verifyMetaSignature(req, channel.secrets.appSecret),
  parse: (req, channel) => parseMessagingWebhook(req.body, 'page', channel.config.pageId),
  send: (sc, channel, to, message) =>
    sendThroughSendApi('messenger', sc, channel, channel.config.pageId, to.identifier, message),
  async verifyCredentials(sc, channel) {
    const page = await graphFetch<{ id: string; name?: string }>(
      sc.fetch,
      graphUrl(channel.config, `${channel.config.pageId}?fields=id,name`),
      channel.secrets.accessToken,
      messagingRule,
    )
    return { ok: true, details: page }
  },
  fetchMedia: (sc, _channel, media) => downloadAttachment(sc, media.providerRef),
})
