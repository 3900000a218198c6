import { z } from 'zod'
import { defineChannel, PermanentSendError, type ProviderTemplate, type SetupField } from '../channel'
import {
  GRAPH_BASE_URL,
  GRAPH_VERSION,
  graphFetch,
  graphUrl,
  metaHandshake,
  parseOr400,
  verifyMetaSignature,
} from '../meta-graph'
import { whatsappRule } from './whatsapp.errors'
import { whatsappPayload } from './whatsapp.send'
import { parseWhatsappWebhook } from './whatsapp.webhook'

/**
 * WhatsApp Business Platform, Cloud API (Graph API v21+): webhooks signed with the app secret,
 * messages sent through `POST /{phone-number-id}/messages`, inbound media fetched through
 * `GET /{media-id}`, templates listed through `GET /{waba-id}/message_templates`.
 */
const graphId = z.string().regex(/^\d{1,30}$/, 'A numeric id from the Meta app dashboard.')

const configSchema = z.strictObject({
  phoneNumberId: graphId,
  businessAccountId: graphId,
  /** Meta's Graph API, or a simulator (tests, the Sandbox). */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default(GRAPH_BASE_URL),
  apiVersion: z
    .string()
    .regex(/^v\d{2,3}\.\d$/, 'A Graph API version such as v21.0.')
    .default(GRAPH_VERSION),
})
const secretsSchema = z.strictObject({
  accessToken: z.string().min(10).max(1000),
  appSecret: z.string().min(8).max(200),
  verifyToken: z.string().min(8).max(200),
})
type Config = z.infer<typeof configSchema>
type Secrets = z.infer<typeof secretsSchema>

const setup: SetupField[] = [
  { key: 'phoneNumberId', in: 'config', input: 'text', required: true },
  { key: 'businessAccountId', in: 'config', input: 'text', required: true },
  { key: 'accessToken', in: 'secrets', input: 'password', required: true },
  { key: 'appSecret', in: 'secrets', input: 'password', required: true },
  { key: 'verifyToken', in: 'secrets', input: 'text', generated: true },
  { key: 'apiBaseUrl', in: 'config', input: 'url' },
  { key: 'apiVersion', in: 'config', input: 'text' },
].map((f) => ({
  ...(f as Omit<SetupField, 'label' | 'help'>),
  label: `channels.whatsapp_cloud.${f.key}`,
  help: `channels.whatsapp_cloud.${f.key}Help`,
}))

const templateList = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string(),
      components: z.array(z.unknown()).default([]),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).optional(),
})

const STATUS: Record<string, ProviderTemplate['status']> = {
  APPROVED: 'APPROVED',
  PENDING: 'PENDING',
  IN_APPEAL: 'PENDING',
  REJECTED: 'REJECTED',
  PAUSED: 'PAUSED',
  DISABLED: 'DISABLED',
}
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const

export const whatsappChannel = defineChannel<Config, Secrets>({
  type: 'whatsapp_cloud',
  label: 'WhatsApp',
  setup,
  configSchema,
  secretsSchema,
  sends: ['text', 'image', 'video', 'audio', 'file', 'location', 'interactive', 'template'],
  handshake: (req, channel) => metaHandshake(req, channel.secrets.verifyToken),
  verify: (req, channel) => verifyMetaSignature(req, channel.secrets.appSecret),
  parse: (req, channel) => parseWhatsappWebhook(req.body, channel.config.phoneNumberId),

  async send(sc, channel, to, message) {
    const res = await graphFetch<{ messages?: { id: string }[] }>(
      sc.fetch,
      graphUrl(channel.config, `${channel.config.phoneNumberId}/messages`),
      channel.secrets.accessToken,
      whatsappRule,
      { method: 'POST', body: whatsappPayload(to.identifier, message) },
    )
    const id = res.messages?.[0]?.id
    if (!id) throw new Error('WhatsApp answered without a message id.')
    return { providerMessageId: id }
  },

  async verifyCredentials(sc, channel) {
    const phone = await graphFetch<{ display_phone_number?: string; verified_name?: string }>(
      sc.fetch,
      graphUrl(
        channel.config,
        `${channel.config.phoneNumberId}?fields=display_phone_number,verified_name,quality_rating`,
      ),
      channel.secrets.accessToken,
      whatsappRule,
    )
    return { ok: true, details: phone }
  },

  async fetchMedia(sc, channel, media) {
    const info = await graphFetch<{ url?: string; mime_type?: string }>(
      sc.fetch,
      graphUrl(channel.config, encodeURIComponent(media.providerRef)),
      channel.secrets.accessToken,
      whatsappRule,
    )
    if (!info.url) throw new PermanentSendError('media_missing', 'WhatsApp returned no URL for this media.')
    // The media URL also needs the access token (it answers 404 without it).
    const res = await sc.fetch(info.url, {
      headers: { authorization: `Bearer ${channel.secrets.accessToken}` },
      signal: AbortSignal.timeout(60_000),
    })
    if (res.status === 404 || res.status === 401 || res.status === 403)
      throw new PermanentSendError(String(res.status), 'The media is no longer available at WhatsApp.')
    if (!res.ok) throw new Error(`media download answered ${res.status}`)
    return {
      data: Buffer.from(await res.arrayBuffer()),
      mimeType: info.mime_type ?? res.headers.get('content-type') ?? 'application/octet-stream',
      fileName: media.fileName,
    }
  },

  async listTemplates(sc, channel) {
    const out: ProviderTemplate[] = []
    let url: string | undefined = graphUrl(
      channel.config,
      `${channel.config.businessAccountId}/message_templates?fields=id,name,language,status,category,components&limit=100`,
    )
    for (let page = 0; url && page < 100; page++) {
      const data: z.infer<typeof templateList> = parseOr400(
        templateList,
        await graphFetch<unknown>(sc.fetch, url, channel.secrets.accessToken, whatsappRule),
      )
      for (const t of data.data) {
        const category = CATEGORIES.find((c) => c === t.category)
        if (!category) continue
        out.push({
          providerTemplateId: t.id,
          name: t.name,
          language: t.language,
          category,
          status: STATUS[t.status] ?? 'DISABLED',
          components: t.components,
        })
      }
      url = data.paging?.next
    }
    return out
  },
})
