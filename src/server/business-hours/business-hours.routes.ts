import { z } from 'zod'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, workspaceParams } from '../http/schemas'
import { getBusinessHours, updateBusinessHours, type WorkspaceBusinessHours } from './business-hours.service'
import { businessHoursSchema } from './schedule'

const intervalOut = z.object({ from: z.string(), to: z.string() })
export const businessHoursOut = z.object({
  enabled: z.boolean(),
  /** The workspace's time zone (set in General settings). */
  timezone: z.string(),
  /** Index 0 is Sunday … 6 Saturday; a day without intervals is closed. */
  week: z.array(z.array(intervalOut)),
  holidays: z.array(z.object({ date: z.string(), name: z.string() })),
})

const present = (b: WorkspaceBusinessHours): z.infer<typeof businessHoursOut> => ({
  enabled: b.hours.enabled,
  timezone: b.timezone,
  week: b.hours.week,
  holidays: b.hours.holidays,
})

export function businessHoursRoutes(app: App, ctx: Ctx) {
  const path = '/api/v1/workspaces/:workspaceId/business-hours'

  app.get(
    path,
    {
      schema: {
        tags: ['Workspaces'],
        summary: "The workspace's business hours: weekly intervals and holidays, in its time zone",
        params: workspaceParams,
        response: { 200: businessHoursOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await getBusinessHours(ctx, p))
    },
  )

  app.put(
    path,
    {
      schema: {
        tags: ['Workspaces'],
        summary: 'Set the business hours (up to 4 intervals a weekday, no overlaps; up to 100 holidays)',
        params: workspaceParams,
        body: businessHoursSchema,
        response: { 200: businessHoursOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return present(await updateBusinessHours(ctx, p, request.body))
    },
  )
}
