import { asc, eq } from 'drizzle-orm'
import type { Role } from '../../shared/permissions'
import type { DbOrTx } from '../db/database'
import { organizations, workspaceMembers, workspaces } from '../db/schema'

export type WorkspaceRow = typeof workspaces.$inferSelect

export async function insertOrganization(db: DbOrTx, name: string): Promise<number> {
  const [row] = await db.insert(organizations).values({ name }).returning({ id: organizations.id })
  return row!.id
}

export async function insertWorkspace(
  db: DbOrTx,
  values: { organizationId: number; name: string; timezone?: string; language?: 'en' | 'ar' },
): Promise<WorkspaceRow> {
  const [row] = await db.insert(workspaces).values(values).returning()
  return row!
}

export async function findWorkspace(db: DbOrTx, workspaceId: number): Promise<WorkspaceRow | undefined> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId))
  return row
}

export async function updateWorkspace(
  db: DbOrTx,
  workspaceId: number,
  values: Partial<
    Pick<
      WorkspaceRow,
      | 'name'
      | 'timezone'
      | 'language'
      | 'closingNotesMode'
      | 'autoCloseMinutes'
      | 'autoCloseEnabledAt'
      | 'businessHours'
    >
  >,
): Promise<WorkspaceRow> {
  const [row] = await db.update(workspaces).set(values).where(eq(workspaces.id, workspaceId)).returning()
  return row!
}

export async function listWorkspacesOfUser(
  db: DbOrTx,
  userId: number,
): Promise<{ id: number; name: string; organizationId: number; role: Role }[]> {
  return db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      organizationId: workspaces.organizationId,
      role: workspaceMembers.role,
    })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(eq(workspaceMembers.userId, userId))
    .orderBy(asc(workspaces.id))
}
