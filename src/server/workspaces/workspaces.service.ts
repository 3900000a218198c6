import { IANAZone } from 'luxon'
import { CAPABILITY_NAMES, type Capability, NO_RESTRICTIONS } from '../../shared/permissions'
import { actorOf, allowed, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { NotFoundError, ValidationError } from '../errors'
import { emit } from '../events'
import { findWorkspace, updateWorkspace, type WorkspaceRow } from './workspaces.repo'

export async function getWorkspaceView(ctx: Ctx, p: Principal) {
  const workspace = await findWorkspace(ctx.db, p.workspaceId)
  if (!workspace) throw new NotFoundError('Workspace')
  const member =
    p.kind === 'user'
      ? { role: p.role, restrictions: p.restrictions, teamId: p.teamId }
      : { role: 'owner' as const, restrictions: NO_RESTRICTIONS, teamId: null }
  const capabilities = Object.fromEntries(CAPABILITY_NAMES.map((c) => [c, allowed(p, c)])) as Record<
    Capability,
    boolean
  >
  return { workspace, membership: member, capabilities }
}

export type WorkspaceSettingsInput = {
  name?: string | undefined
  timezone?: string | undefined
  language?: 'en' | 'ar' | undefined
  closingNotesMode?: WorkspaceRow['closingNotesMode'] | undefined
  autoCloseMinutes?: number | null | undefined
}

export async function updateWorkspaceSettings(
  ctx: Ctx,
  p: Principal,
  input: WorkspaceSettingsInput,
): Promise<WorkspaceRow> {
  authorize(p, 'settings.general')
  if (input.timezone !== undefined) assertTimezone(input.timezone)
  return ctx.db.transaction(async (tx) => {
    const current = await findWorkspace(tx, p.workspaceId)
    const { autoCloseMinutes, ...rest } = input
    const ws = await updateWorkspace(tx, p.workspaceId, {
      ...rest,
      ...(autoCloseMinutes !== undefined
        ? {
            autoCloseMinutes,
            // Rule 39: only conversations created after enabling are affected.
            autoCloseEnabledAt:
              autoCloseMinutes === null ? null : (current?.autoCloseEnabledAt ?? ctx.clock.now()),
          }
        : {}),
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'workspace.updated',
      payload: { changes: Object.keys(input) },
    })
    return ws
  })
}

export function assertTimezone(timezone: string): void {
  if (!IANAZone.isValidZone(timezone)) {
    throw new ValidationError(`"${timezone}" is not a known time zone.`, [
      { path: 'timezone', message: 'Use an IANA time zone such as Asia/Riyadh.' },
    ])
  }
}
