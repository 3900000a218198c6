import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { isUniqueViolation } from '../db/errors'
import { ConflictError, NotFoundError } from '../errors'
import { type CredentialInput, sealCredential } from './credentials'
import {
  type CredentialRow,
  deleteCredential,
  findSettings,
  insertCredential,
  listCredentials,
  upsertSettings,
} from './workflows.repo'

/** Connections for the integration steps: listed to whoever builds workflows, managed in Integrations. */
export async function listWorkflowCredentials(ctx: Ctx, p: Principal): Promise<CredentialRow[]> {
  authorize(p, 'workflows.manage')
  return listCredentials(ctx.db, p.workspaceId)
}

export async function createWorkflowCredential(
  ctx: Ctx,
  p: Principal,
  input: CredentialInput,
): Promise<CredentialRow> {
  authorize(p, 'settings.integrations')
  const sealed = sealCredential(ctx, input)
  try {
    return await insertCredential(ctx.db, {
      workspaceId: p.workspaceId,
      kind: input.kind,
      name: input.name,
      details: sealed.details,
      secret: sealed.secret,
      createdByUserId: p.kind === 'user' ? p.userId : null,
    })
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError(`A connection named "${input.name}" already exists.`, 'duplicate_name', [
        { path: 'name', message: 'Choose another name.' },
      ])
    throw err
  }
}

export async function removeWorkflowCredential(ctx: Ctx, p: Principal, id: number): Promise<void> {
  authorize(p, 'settings.integrations')
  if (!(await deleteCredential(ctx.db, p.workspaceId, id))) throw new NotFoundError('Connection')
}

export async function getWorkflowSettings(ctx: Ctx, p: Principal) {
  authorize(p, 'workflows.manage')
  return findSettings(ctx.db, p.workspaceId)
}

/** Allowing HTTP steps to reach private networks is a security decision: Integrations settings. */
export async function updateWorkflowSettings(
  ctx: Ctx,
  p: Principal,
  input: { allowPrivateNetwork: boolean },
) {
  authorize(p, 'settings.integrations')
  return upsertSettings(ctx.db, p.workspaceId, input)
}
