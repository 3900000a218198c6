import { z } from 'zod'
import { CAPABILITY_NAMES } from '../../shared/permissions'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import {
  errors,
  labelSchema,
  localeSchema,
  restrictionsOut,
  roleSchema,
  workspaceParams,
} from '../http/schemas'
import type { WorkspaceRow } from './workspaces.repo'
import { getWorkspaceView, updateWorkspaceSettings } from './workspaces.service'

export const workspaceOut = z.object({
  id: z.number(),
  organizationId: z.number(),
  name: z.string(),
  timezone: z.string(),
  language: z.enum(['en', 'ar']),
  closingNotesMode: z.enum(['optional', 'category_required', 'category_and_summary_required', 'disabled']),
  autoCloseMinutes: z.number().nullable(),
  createdAt: z.string(),
})

const present = (w: WorkspaceRow): z.infer<typeof workspaceOut> => ({
  id: w.id,
  organizationId: w.organizationId,
  name: w.name,
  timezone: w.timezone,
  language: w.language,
  closingNotesMode: w.closingNotesMode,
  autoCloseMinutes: w.autoCloseMinutes,
  createdAt: w.createdAt.toISOString(),
})

export function workspaceRoutes(app: App, ctx: Ctx) {
  app.get(
    '/api/v1/workspaces/:workspaceId',
    {
      schema: {
        tags: ['Workspaces'],
        summary: 'A workspace, your access level in it and what that lets you do',
        params: workspaceParams,
        response: {
          200: z.object({
            workspace: workspaceOut,
            membership: z.object({
              role: roleSchema,
              restrictions: restrictionsOut,
              teamId: z.number().nullable(),
            }),
            capabilities: z.record(z.enum(CAPABILITY_NAMES), z.boolean()),
          }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const view = await getWorkspaceView(ctx, p)
      return { ...view, workspace: present(view.workspace) }
    },
  )

  app.patch(
    '/api/v1/workspaces/:workspaceId',
    {
      schema: {
        tags: ['Workspaces'],
        summary: 'Update workspace settings (name, time zone, language, closing notes, auto-close)',
        params: workspaceParams,
        body: z.strictObject({
          name: labelSchema('Workspace name').optional(),
          timezone: z.string().min(1).max(64).optional(),
          language: localeSchema.optional(),
          /** Rule 36: the closing-note mode. */
          closingNotesMode: z
            .enum(['optional', 'category_required', 'category_and_summary_required', 'disabled'])
            .optional(),
          /** Rule 39: auto-close after 30 minutes to 14 days without a contact reply; null turns it off. */
          autoCloseMinutes: z
            .number()
            .int()
            .min(30)
            .max(14 * 24 * 60)
            .nullable()
            .optional(),
        }),
        response: { 200: workspaceOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await updateWorkspaceSettings(ctx, p, request.body))
    },
  )
}
