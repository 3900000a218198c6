import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, labelSchema, okBody, workspaceParams } from '../http/schemas'
import { filterSchema } from './custom-filter'
import {
  createCustomInbox,
  editCustomInbox,
  getCustomInbox,
  listCustomInboxes,
  removeCustomInbox,
} from './custom-inboxes.service'
import { customInboxOut, presentCustomInbox } from './inbox.presenter'

const ids = z.array(idSchema).max(200)
const body = z.strictObject({
  name: labelSchema('Name'),
  filter: filterSchema,
  sharedUserIds: ids.optional(),
  sharedTeamIds: ids.optional(),
})
const itemParams = z.strictObject({ workspaceId: idSchema, customInboxId: idSchema })
const FILTER_DOC =
  'A filter is a group `{ op: "and" | "or", conditions: [...] }`; a condition is a nested group or one of: ' +
  '`contact_field` (key: a standard field or custom field key; is, is_not, contains, not_contains, starts_with, exists, not_exists, greater_than, less_than by field type), ' +
  '`channel` (is / is_not: has an identity on the channel), `tag` (has / has_not), `last_interacted_channel` (is / is_not), ' +
  '`time_since_last_incoming` (more_than / less_than `{ amount, unit: minutes|hours|days }`; contacts who never wrote match neither), ' +
  '`lifecycle` and `assignee` (is, is_not, exists, not_exists; assignee value may be "me").'

export function customInboxRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/custom-inboxes'

  app.get(
    base,
    {
      schema: {
        tags: ['Inbox'],
        summary: 'Custom inboxes this user created or that are shared with them or their team (rule 46)',
        params: workspaceParams,
        response: { 200: z.array(customInboxOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listCustomInboxes(ctx, p)).map(presentCustomInbox)
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Inbox'],
        summary: 'Create a custom inbox: a saved, nested filter, private to you unless shared',
        description: FILTER_DOC,
        params: workspaceParams,
        body,
        response: { 201: customInboxOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return reply.status(201).send(presentCustomInbox(await createCustomInbox(ctx, p, request.body)))
    },
  )

  app.get(
    `${base}/:customInboxId`,
    {
      schema: {
        tags: ['Inbox'],
        summary: 'A custom inbox you can see',
        params: itemParams,
        response: { 200: customInboxOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentCustomInbox(await getCustomInbox(ctx, p, request.params.customInboxId))
    },
  )

  app.patch(
    `${base}/:customInboxId`,
    {
      schema: {
        tags: ['Inbox'],
        summary: 'Edit a custom inbox (its creator only)',
        description: FILTER_DOC,
        params: itemParams,
        body: body.partial(),
        response: { 200: customInboxOut, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentCustomInbox(await editCustomInbox(ctx, p, request.params.customInboxId, request.body))
    },
  )

  app.delete(
    `${base}/:customInboxId`,
    {
      schema: {
        tags: ['Inbox'],
        summary: 'Delete a custom inbox (its creator only)',
        params: itemParams,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeCustomInbox(ctx, p, request.params.customInboxId)
      return { ok: true as const }
    },
  )
}
