import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import { NotFoundError } from '../errors'
import { emit } from '../events'
import { findWorkspace, updateWorkspace } from '../workspaces/workspaces.repo'
import { type BusinessHours, DEFAULT_BUSINESS_HOURS } from './schedule'

export type WorkspaceBusinessHours = { timezone: string; hours: BusinessHours }

/** A workspace's business hours and its time zone (the defaults until they are first saved). */
export async function workspaceBusinessHours(
  db: DbOrTx,
  workspaceId: number,
): Promise<WorkspaceBusinessHours> {
  const ws = await findWorkspace(db, workspaceId)
  if (!ws) throw new NotFoundError('Workspace')
  return { timezone: ws.timezone, hours: ws.businessHours ?? DEFAULT_BUSINESS_HOURS }
}

/** Every member may read them (agents see when the team is open); rule 105 settings to change them. */
export async function getBusinessHours(ctx: Ctx, p: Principal): Promise<WorkspaceBusinessHours> {
  authorize(p, 'inbox.view')
  return workspaceBusinessHours(ctx.db, p.workspaceId)
}

export async function updateBusinessHours(
  ctx: Ctx,
  p: Principal,
  hours: BusinessHours,
): Promise<WorkspaceBusinessHours> {
  authorize(p, 'settings.general')
  const sorted: BusinessHours = {
    ...hours,
    week: hours.week.map((day) => [...day].sort((a, b) => a.from.localeCompare(b.from))),
    holidays: [...hours.holidays].sort((a, b) => a.date.localeCompare(b.date)),
  }
  return ctx.db.transaction(async (tx) => {
    const ws = await updateWorkspace(tx, p.workspaceId, { businessHours: sorted })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'workspace.updated',
      payload: { changes: ['businessHours'] },
    })
    return { timezone: ws.timezone, hours: sorted }
  })
}
