import { and, desc, eq, isNull } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { apiTokens, users, workspaces } from '../db/schema'

export async function insertApiToken(
  db: DbOrTx,
  values: {
    workspaceId: number
    name: string
    tokenHash: string
    tokenPrefix: string
    createdByUserId: number | null
  },
) {
  const [row] = await db.insert(apiTokens).values(values).returning()
  return row!
}

export async function listApiTokens(db: DbOrTx, workspaceId: number) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      tokenPrefix: apiTokens.tokenPrefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
      createdByName: users.name,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.createdByUserId))
    .where(eq(apiTokens.workspaceId, workspaceId))
    .orderBy(desc(apiTokens.id))
}

export async function findApiTokenByHash(db: DbOrTx, workspaceId: number, tokenHash: string) {
  const [row] = await db
    .select({
      id: apiTokens.id,
      revokedAt: apiTokens.revokedAt,
      lastUsedAt: apiTokens.lastUsedAt,
      organizationId: workspaces.organizationId,
    })
    .from(apiTokens)
    .innerJoin(workspaces, eq(workspaces.id, apiTokens.workspaceId))
    .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.tokenHash, tokenHash)))
  return row
}

export async function touchApiToken(
  db: DbOrTx,
  workspaceId: number,
  tokenId: number,
  at: Date,
): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: at })
    .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.id, tokenId)))
}

export async function revokeApiToken(db: DbOrTx, workspaceId: number, tokenId: number, at: Date) {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: at })
    .where(
      and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)),
    )
    .returning({ id: apiTokens.id, name: apiTokens.name })
  return row
}

export async function findApiToken(db: DbOrTx, workspaceId: number, tokenId: number) {
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.workspaceId, workspaceId), eq(apiTokens.id, tokenId)))
  return row
}
