import { and, desc, eq, isNull } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { invitations, users, workspaces } from '../db/schema'

export type InvitationRow = typeof invitations.$inferSelect

export async function insertInvitation(
  db: DbOrTx,
  values: typeof invitations.$inferInsert,
): Promise<InvitationRow> {
  const [row] = await db.insert(invitations).values(values).returning()
  return row!
}

export async function listPendingInvitations(db: DbOrTx, workspaceId: number) {
  return db
    .select({ invitation: invitations, invitedByName: users.name })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedByUserId))
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .orderBy(desc(invitations.createdAt))
}

export async function findPendingInvitationByEmail(db: DbOrTx, workspaceId: number, email: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        eq(invitations.email, email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
  return row
}

export async function findInvitation(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, id)))
  return row
}

/** Locks the row, so two concurrent accepts of one token cannot both succeed. */
export async function findInvitationByTokenForUpdate(db: DbOrTx, workspaceId: number, tokenHash: string) {
  const [row] = await db
    .select()
    .from(invitations)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.tokenHash, tokenHash)))
    .for('update')
  return row
}

export async function findInvitationByToken(db: DbOrTx, workspaceId: number, tokenHash: string) {
  const [row] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name, invitedByName: users.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .leftJoin(users, eq(users.id, invitations.invitedByUserId))
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.tokenHash, tokenHash)))
  return row
}

export async function updateInvitation(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<
    Pick<InvitationRow, 'acceptedAt' | 'acceptedUserId' | 'revokedAt' | 'tokenHash' | 'expiresAt'>
  >,
): Promise<void> {
  await db
    .update(invitations)
    .set(values)
    .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, id)))
}
