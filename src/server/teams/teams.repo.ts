import { and, asc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { teamMembers, teams, users } from '../db/schema'

export type TeamRow = typeof teams.$inferSelect

export async function listTeams(db: DbOrTx, workspaceId: number): Promise<TeamRow[]> {
  return db.select().from(teams).where(eq(teams.workspaceId, workspaceId)).orderBy(asc(teams.name))
}

export async function countTeams(db: DbOrTx, workspaceId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(teams)
    .where(eq(teams.workspaceId, workspaceId))
  return row?.n ?? 0
}

export async function listTeamMembers(db: DbOrTx, workspaceId: number) {
  return db
    .select({ teamId: teamMembers.teamId, userId: users.id, name: users.name, email: users.email })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .where(eq(teamMembers.workspaceId, workspaceId))
    .orderBy(asc(users.name))
}

export async function findTeam(
  db: DbOrTx,
  workspaceId: number,
  teamId: number,
): Promise<TeamRow | undefined> {
  const [row] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, teamId)))
  return row
}

export async function findTeamByName(
  db: DbOrTx,
  workspaceId: number,
  name: string,
): Promise<TeamRow | undefined> {
  const [row] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.name, name)))
  return row
}

export async function insertTeam(
  db: DbOrTx,
  values: { workspaceId: number; name: string; description: string },
): Promise<TeamRow> {
  const [row] = await db.insert(teams).values(values).returning()
  return row!
}

export async function updateTeam(
  db: DbOrTx,
  workspaceId: number,
  teamId: number,
  values: Partial<Pick<TeamRow, 'name' | 'description'>>,
): Promise<TeamRow | undefined> {
  const [row] = await db
    .update(teams)
    .set(values)
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, teamId)))
    .returning()
  return row
}

export async function deleteTeam(
  db: DbOrTx,
  workspaceId: number,
  teamId: number,
): Promise<TeamRow | undefined> {
  const [row] = await db
    .delete(teams)
    .where(and(eq(teams.workspaceId, workspaceId), eq(teams.id, teamId)))
    .returning()
  return row
}

export async function findTeamOfUser(db: DbOrTx, workspaceId: number, userId: number) {
  const [row] = await db
    .select({ teamId: teamMembers.teamId, teamName: teams.name })
    .from(teamMembers)
    .innerJoin(teams, and(eq(teams.workspaceId, teamMembers.workspaceId), eq(teams.id, teamMembers.teamId)))
    .where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.userId, userId)))
  return row
}

export async function insertTeamMember(db: DbOrTx, workspaceId: number, teamId: number, userId: number) {
  await db.insert(teamMembers).values({ workspaceId, teamId, userId })
}

export async function deleteTeamMember(db: DbOrTx, workspaceId: number, teamId: number, userId: number) {
  const rows = await db
    .delete(teamMembers)
    .where(
      and(
        eq(teamMembers.workspaceId, workspaceId),
        eq(teamMembers.teamId, teamId),
        eq(teamMembers.userId, userId),
      ),
    )
    .returning({ userId: teamMembers.userId })
  return rows.length > 0
}
