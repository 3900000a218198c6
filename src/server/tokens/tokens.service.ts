import { mintWorkspaceToken } from '../auth/crypto'
import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { GoneError, NotFoundError } from '../errors'
import { emit } from '../events'
import { findApiToken, insertApiToken, listApiTokens, revokeApiToken } from './tokens.repo'

export const API_TOKEN_PREFIX = 'tws'

/** Creates a workspace API token. The token is returned once; only its hash is stored. */
export async function createApiToken(ctx: Ctx, p: Principal, input: { name: string }) {
  authorize(p, 'settings.integrations')
  return createApiTokenUnchecked(
    ctx,
    p.workspaceId,
    input.name,
    p.kind === 'user' ? p.userId : null,
    actorOf(p),
  )
}

/** Also used by the command line, which runs as the machine's administrator. */
export async function createApiTokenUnchecked(
  ctx: Ctx,
  workspaceId: number,
  name: string,
  createdByUserId: number | null,
  actor: Parameters<typeof emit>[2],
) {
  const { token, hash } = mintWorkspaceToken(API_TOKEN_PREFIX, workspaceId)
  return ctx.db.transaction(async (tx) => {
    const row = await insertApiToken(tx, {
      workspaceId,
      name,
      tokenHash: hash,
      // The visible part is the routing prefix plus 4 characters of the secret, never more.
      tokenPrefix: `${token.slice(0, `${API_TOKEN_PREFIX}_${workspaceId}_`.length + 4)}…`,
      createdByUserId,
    })
    await emit(tx, workspaceId, actor, { type: 'api_token.created', payload: { tokenId: row.id, name } })
    return { id: row.id, name: row.name, token, tokenPrefix: row.tokenPrefix, createdAt: row.createdAt }
  })
}

export async function listTokens(ctx: Ctx, p: Principal) {
  authorize(p, 'settings.integrations')
  return listApiTokens(ctx.db, p.workspaceId)
}

export async function revokeToken(ctx: Ctx, p: Principal, tokenId: number): Promise<void> {
  authorize(p, 'settings.integrations')
  await ctx.db.transaction(async (tx) => {
    const revoked = await revokeApiToken(tx, p.workspaceId, tokenId, ctx.clock.now())
    if (!revoked) {
      const existing = await findApiToken(tx, p.workspaceId, tokenId)
      if (!existing) throw new NotFoundError('API token')
      throw new GoneError('This API token is already revoked.', 'already_revoked')
    }
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'api_token.revoked',
      payload: { tokenId, name: revoked.name },
    })
  })
}
