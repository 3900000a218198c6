import { and, asc, eq, sql } from 'drizzle-orm'
import type { Restrictions, Role } from '../../shared/permissions'
import type { DbOrTx } from '../db/database'
import { contacts, organizationMembers, teamMembers, teams, users, workspaceMembers } from '../db/schema'

export type UserRow = typeof users.$inferSelect

export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email))
  return row
}

export async function findUserById(db: DbOrTx, userId: number): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, userId))
  return row
}

export async function countUsers(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users)
  return row?.n ?? 0
}

export async function insertUser(
  db: DbOrTx,
  values: { email: string; name: string; passwordHash: string; locale: 'en' | 'ar' },
): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning()
  return row!
}

export async function updateUser(
  db: DbOrTx,
  userId: number,
  values: Partial<Pick<UserRow, 'name' | 'locale' | 'status' | 'passwordHash' | 'lastActiveAt'>>,
): Promise<UserRow> {
  const [row] = await db
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning()
  return row!
}

export async function addOrganizationMember(
  db: DbOrTx,
  organizationId: number,
  userId: number,
  role: 'admin' | 'member',
): Promise<void> {
  await db.insert(organizationMembers).values({ organizationId, userId, role }).onConflictDoNothing()
}

export type MemberRow = {
  userId: number
  email: string
  name: string
  status: 'online' | 'away'
  lastActiveAt: Date | null
  role: Role
  restrictions: Restrictions
  teamId: number | null
  teamName: string | null
  joinedAt: Date
}

const memberColumns = {
  userId: users.id,
  email: users.email,
  name: users.name,
  status: users.status,
  lastActiveAt: users.lastActiveAt,
  role: workspaceMembers.role,
  restrictSettings: workspaceMembers.restrictSettings,
  restrictContactDelete: workspaceMembers.restrictContactDelete,
  restrictExport: workspaceMembers.restrictExport,
  restrictIntegrations: workspaceMembers.restrictIntegrations,
  contactVisibility: workspaceMembers.contactVisibility,
  hideShortcuts: workspaceMembers.hideShortcuts,
  teamId: teams.id,
  teamName: teams.name,
  joinedAt: workspaceMembers.createdAt,
}

function membersQuery(db: DbOrTx) {
  return db
    .select(memberColumns)
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .leftJoin(
      teamMembers,
      and(
        eq(teamMembers.workspaceId, workspaceMembers.workspaceId),
        eq(teamMembers.userId, workspaceMembers.userId),
      ),
    )
    .leftJoin(teams, and(eq(teams.workspaceId, teamMembers.workspaceId), eq(teams.id, teamMembers.teamId)))
}

type RawMember = Awaited<ReturnType<typeof membersQuery>>[number]

function toMember(r: RawMember): MemberRow {
  return {
    userId: r.userId,
    email: r.email,
    name: r.name,
    status: r.status,
    lastActiveAt: r.lastActiveAt,
    role: r.role,
    restrictions: {
      restrictSettings: r.restrictSettings,
      restrictContactDelete: r.restrictContactDelete,
      restrictExport: r.restrictExport,
      restrictIntegrations: r.restrictIntegrations,
      contactVisibility: r.contactVisibility,
      hideShortcuts: r.hideShortcuts,
    },
    teamId: r.teamId,
    teamName: r.teamName,
    joinedAt: r.joinedAt,
  }
}

export async function listMembers(db: DbOrTx, workspaceId: number): Promise<MemberRow[]> {
  const rows = await membersQuery(db)
    .where(eq(workspaceMembers.workspaceId, workspaceId))
    .orderBy(asc(users.name), asc(users.id))
  return rows.map(toMember)
}

export async function findMember(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
): Promise<MemberRow | undefined> {
  const [row] = await membersQuery(db).where(
    and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)),
  )
  return row ? toMember(row) : undefined
}

export async function insertMember(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  role: Role,
  restrictions: Restrictions,
): Promise<void> {
  await db.insert(workspaceMembers).values({ workspaceId, userId, role, ...restrictions })
}

export async function updateMember(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  role: Role,
  restrictions: Restrictions,
): Promise<void> {
  await db
    .update(workspaceMembers)
    .set({ role, ...restrictions, updatedAt: new Date() })
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
}

export async function deleteMember(db: DbOrTx, workspaceId: number, userId: number): Promise<void> {
  await db
    .delete(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId)))
}

/** Rule 34: moves (or, with null, unassigns) every contact of a user; returns the affected contact ids. */
export async function reassignContactsOf(
  db: DbOrTx,
  workspaceId: number,
  fromUserId: number,
  toUserId: number | null,
): Promise<number[]> {
  // The new assignee's team comes along (team inboxes read contacts.assignee_team_id).
  const team =
    toUserId === null
      ? null
      : sql`(SELECT ${teamMembers.teamId} FROM ${teamMembers} WHERE ${teamMembers.workspaceId} = ${workspaceId} AND ${teamMembers.userId} = ${toUserId})`
  const rows = await db
    .update(contacts)
    .set({ assigneeUserId: toUserId, assigneeTeamId: team, updatedAt: new Date() })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.assigneeUserId, fromUserId)))
    .returning({ id: contacts.id })
  return rows.map((r) => r.id)
}
