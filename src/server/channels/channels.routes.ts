import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, okBody } from '../http/schemas'
import type { ChannelRow } from './channels.repo'
import {
  createChannel,
  disconnectChannel,
  editChannel,
  getChannel,
  listChannelTypes,
  listWorkspaceChannels,
  setupChannel,
  webhookPath,
} from './channels.service'
import { CHANNELS } from './registry'
import { widgetKey } from './webchat/webchat.service'

export const channelOut = z.object({
  id: z.number(),
  type: z.string(),
  name: z.string(),
  status: z.enum(['active', 'disconnected', 'error']),
  config: z.record(z.string(), z.unknown()),
  /** Paste this at the provider; it is the inbound webhook for this channel. */
  webhookUrl: z.string(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  /** Website chat only: the script tag to paste into the site (docs/widget.md). */
  embedCode: z.string().optional(),
})

export const channelTypeOut = z.object({
  type: z.string(),
  label: z.string(),
  setup: z.array(
    z.object({
      key: z.string(),
      in: z.enum(['config', 'secrets']),
      label: z.string(),
      help: z.string().optional(),
      input: z.enum(['text', 'password', 'url', 'number', 'select', 'checkbox', 'lines']),
      options: z.array(z.string()).optional(),
      required: z.boolean().optional(),
      generated: z.boolean().optional(),
    }),
  ),
  /** Whether POST …/channels/:id/setup can check the credentials or register the webhook. */
  canTest: z.boolean(),
})

export function channelRoutes(app: App, ctx: Ctx) {
  const present = (c: ChannelRow): z.infer<typeof channelOut> => ({
    id: c.id,
    type: c.type,
    name: c.name,
    status: c.status,
    config: c.config,
    webhookUrl: `${ctx.config.publicUrl}${webhookPath(c)}`,
    lastError: c.lastError,
    createdAt: c.createdAt.toISOString(),
    ...(c.type === 'webchat'
      ? {
          embedCode: `<script src="${ctx.config.publicUrl}/widget.js" data-channel="${widgetKey(c)}" charset="utf-8" async></script>`,
        }
      : {}),
  })
  const ws = z.strictObject({ workspaceId: idSchema })
  const one = z.strictObject({ workspaceId: idSchema, channelId: idSchema })

  app.get(
    '/api/v1/workspaces/:workspaceId/channel-types',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Channel types that can be connected, with the fields of their setup wizard',
        description: '`label` and `help` of each field are i18n keys of the web app (channels.<type>.<key>).',
        params: ws,
        response: { 200: z.array(channelTypeOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return listChannelTypes(p)
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/channels',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Connected channels (secrets are never returned)',
        params: ws,
        response: { 200: z.array(channelOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listWorkspaceChannels(ctx, p)).map(present)
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/channels',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Connect a channel',
        description: `Types: ${CHANNELS.map((c) => c.type).join(', ')}. Secrets are stored encrypted. Secrets Tawasul generates (a custom channel's API token, a Meta webhook verify token, a web chat's identity secret) are returned here once, in credentials.`,
        params: ws,
        body: z.strictObject({
          type: z.string().min(1).max(40),
          name: labelSchema('Channel name', 80),
          config: z.record(z.string(), z.unknown()).default({}),
          secrets: z.record(z.string(), z.unknown()).optional(),
        }),
        response: {
          201: channelOut.extend({ credentials: z.record(z.string(), z.string()).nullable() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { channel, generated } = await createChannel(ctx, p, request.body)
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ ...present(channel), credentials: Object.keys(generated).length ? generated : null })
    },
  )

  app.get(
    '/api/v1/workspaces/:workspaceId/channels/:channelId',
    {
      schema: {
        tags: ['Channels'],
        summary: 'A channel',
        params: one,
        response: { 200: channelOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await getChannel(ctx, p, request.params.channelId))
    },
  )

  app.patch(
    '/api/v1/workspaces/:workspaceId/channels/:channelId',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Rename a channel or change its settings or credentials',
        params: one,
        body: z.strictObject({
          name: labelSchema('Channel name', 80).optional(),
          config: z.record(z.string(), z.unknown()).optional(),
          secrets: z.record(z.string(), z.unknown()).optional(),
        }),
        response: { 200: channelOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await editChannel(ctx, p, request.params.channelId, request.body))
    },
  )

  app.post(
    '/api/v1/workspaces/:workspaceId/channels/:channelId/setup',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Check the credentials and register the webhook at the provider again',
        description:
          'Runs in the background (nothing calls a provider inside a request). The result shows in the channel: status `active`, or `error` with `lastError`.',
        params: one,
        response: { 202: okBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await setupChannel(ctx, p, request.params.channelId)
      return reply.status(202).send({ ok: true as const })
    },
  )

  app.delete(
    '/api/v1/workspaces/:workspaceId/channels/:channelId',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Disconnect a channel (its history stays)',
        params: one,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await disconnectChannel(ctx, p, request.params.channelId)
      return { ok: true as const }
    },
  )
}
