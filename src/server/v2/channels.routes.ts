import { z } from 'zod'
import type { App } from '../app'
import { listWorkspaceChannels } from '../channels/channels.service'
import { findContactByRef, getContactDetail } from '../contacts/contacts.service'
import type { Ctx } from '../context'
import { channelTemplates, getTemplate } from '../messages/templates.service'
import { apiPrincipal } from './auth'
import {
  contactChannelOut,
  presentChannel,
  presentContactChannel,
  presentTemplate,
  spaceChannelOut,
  templateOut,
} from './channels.presenter'
import { identifierParam } from './identifier'
import { links, pageOf } from './pagination'
import { rateLimited } from './rate-limit'
import { numericId, pageQuery, paginationOut, V2_TAG, v2Errors } from './schemas'

/** Channels of a contact and of the workspace, and message templates. */
export function channelRoutes(app: App, ctx: Ctx) {
  const config = rateLimited(ctx)

  app.get(
    '/contact/:identifier/channels',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List the channels of a contact',
        description:
          "respond.io's SDK ContactClient.listChannels and its n8n node (GET /contact/{identifier}/channels, paged like every list). One item per channel the contact is reachable on, oldest first; meta.identifier is the contact's id on that channel (respond.io leaves meta open).",
        params: z.strictObject({ identifier: identifierParam }),
        querystring: pageQuery,
        response: {
          200: z.object({ items: z.array(contactChannelOut), pagination: paginationOut }),
          ...v2Errors(400, 404),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { identifier } = request.params
      const contact = await findContactByRef(ctx, p, identifier.ref)
      const [detail, channels] = await Promise.all([
        getContactDetail(ctx, p, contact.id),
        listWorkspaceChannels(ctx, p),
      ])
      const byId = new Map(channels.map((c) => [c.id, c]))
      const rows = detail.identities.flatMap((i) => {
        const c = byId.get(i.channelId)
        return c ? [presentContactChannel(i, c)] : []
      })
      const { limit, cursorId } = request.query
      const page = pageOf(rows, (r) => r.id, limit, cursorId)
      return {
        items: page.items,
        pagination: links(ctx, `/contact/id:${contact.id}/channels`, limit, page),
      }
    },
  )

  app.get(
    '/space/channel',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List channels',
        description:
          "respond.io's SDK SpaceClient.listChannels: the workspace's channels by id. source uses respond.io's names (whatsapp_cloud, facebook, instagram, custom_channel).",
        querystring: pageQuery,
        response: {
          200: z.object({ items: z.array(spaceChannelOut), pagination: paginationOut }),
          ...v2Errors(400),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const page = pageOf(await listWorkspaceChannels(ctx, p), (c) => c.id, limit, cursorId)
      return { items: page.items.map(presentChannel), pagination: links(ctx, '/space/channel', limit, page) }
    },
  )

  app.get(
    '/space/channel/:id/template',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'List message templates',
        description:
          'https://developers.respond.io (operation listchannels, "List message templates"): the templates last synced from the provider for this channel, by name and language. An unknown channel is a 404.',
        params: z.strictObject({ id: numericId('id') }),
        querystring: pageQuery,
        response: {
          200: z.object({ items: z.array(templateOut), pagination: paginationOut }),
          ...v2Errors(400, 404),
        },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      const { limit, cursorId } = request.query
      const page = pageOf(await channelTemplates(ctx, p, request.params.id), (t) => t.id, limit, cursorId)
      return {
        items: page.items.map(presentTemplate),
        pagination: links(ctx, `/space/channel/${request.params.id}/template`, limit, page),
      }
    },
  )

  app.get(
    '/space/mtm/:templateId',
    {
      config,
      schema: {
        tags: [V2_TAG],
        summary: 'Get a message template',
        description:
          "respond.io's n8n node reads one template with GET /space/mtm/{templateId}, answered as { data: template }; the public reference does not list it, so we follow that client. An unknown id is a 404.",
        params: z.strictObject({ templateId: numericId('templateId') }),
        response: { 200: z.object({ data: templateOut }), ...v2Errors(400, 404) },
      },
    },
    async (request) => {
      const p = await apiPrincipal(ctx, request)
      return { data: presentTemplate(await getTemplate(ctx, p, request.params.templateId)) }
    },
  )
}
