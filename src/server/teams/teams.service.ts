import { actorOf, authorize, type Principal } from '../auth/principal'
import { clearTeamOfContacts, setTeamOfAssignedContacts } from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import { findMember } from '../users/users.repo'
import {
  countTeams,
  deleteTeam,
  deleteTeamMember,
  findTeam,
  findTeamByName,
  findTeamOfUser,
  insertTeam,
  insertTeamMember,
  listTeamMembers,
  listTeams,
  updateTeam,
} from './teams.repo'

/** Rule 107, older docs: up to 100 teams per workspace. */
export const MAX_TEAMS = 100

export async function listTeamsWithMembers(ctx: Ctx, p: Principal) {
  authorize(p, 'settings.teams')
  const [teams, members] = await Promise.all([
    listTeams(ctx.db, p.workspaceId),
    listTeamMembers(ctx.db, p.workspaceId),
  ])
  return teams.map((t) => ({ ...t, members: members.filter((m) => m.teamId === t.id) }))
}

async function assertNameFree(ctx: Ctx, workspaceId: number, name: string, exceptId?: number) {
  const clash = await findTeamByName(ctx.db, workspaceId, name)
  if (clash && clash.id !== exceptId) {
    throw new ConflictError(`A team named "${name}" already exists.`, 'duplicate_name', [
      { path: 'name', message: 'A team with this name already exists.' },
    ])
  }
}

export async function createTeam(
  ctx: Ctx,
  p: Principal,
  input: { name: string; description?: string | undefined },
) {
  authorize(p, 'settings.teams')
  await assertNameFree(ctx, p.workspaceId, input.name)
  return ctx.db.transaction(async (tx) => {
    if ((await countTeams(tx, p.workspaceId)) >= MAX_TEAMS) {
      throw new UnprocessableError(`A workspace can have at most ${MAX_TEAMS} teams.`, 'limit_reached')
    }
    const team = await insertTeam(tx, {
      workspaceId: p.workspaceId,
      name: input.name,
      description: input.description ?? '',
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'team.created',
      payload: { teamId: team.id, name: team.name },
    })
    return team
  })
}

export async function editTeam(
  ctx: Ctx,
  p: Principal,
  teamId: number,
  input: { name?: string | undefined; description?: string | undefined },
) {
  authorize(p, 'settings.teams')
  if (input.name) await assertNameFree(ctx, p.workspaceId, input.name, teamId)
  return ctx.db.transaction(async (tx) => {
    const team = await updateTeam(tx, p.workspaceId, teamId, input)
    if (!team) throw new NotFoundError('Team')
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'team.updated',
      payload: { teamId, changes: Object.keys(input) },
    })
    return team
  })
}

export async function removeTeam(ctx: Ctx, p: Principal, teamId: number): Promise<void> {
  authorize(p, 'settings.teams')
  await ctx.db.transaction(async (tx) => {
    const team = await deleteTeam(tx, p.workspaceId, teamId)
    if (!team) throw new NotFoundError('Team')
    await clearTeamOfContacts(tx, p.workspaceId, teamId)
    await emit(tx, p.workspaceId, actorOf(p), { type: 'team.deleted', payload: { teamId, name: team.name } })
  })
}

/** Rule 107: one team per user. Moving someone means removing them from their team first. */
export async function addMemberToTeam(ctx: Ctx, p: Principal, teamId: number, userId: number): Promise<void> {
  authorize(p, 'settings.teams')
  await ctx.db.transaction(async (tx) => {
    const team = await findTeam(tx, p.workspaceId, teamId)
    if (!team) throw new NotFoundError('Team')
    const member = await findMember(tx, p.workspaceId, userId)
    if (!member) throw new NotFoundError('User')
    const current = await findTeamOfUser(tx, p.workspaceId, userId)
    if (current?.teamId === teamId) return
    if (current) {
      throw new ConflictError(
        `${member.name} is already in the team "${current.teamName}". A user belongs to at most one team; remove them from it first.`,
        'already_in_team',
      )
    }
    await insertTeamMember(tx, p.workspaceId, teamId, userId)
    // The team inbox (and team-restricted visibility) reads contacts.assignee_team_id.
    await setTeamOfAssignedContacts(tx, p.workspaceId, userId, teamId)
    await emit(tx, p.workspaceId, actorOf(p), { type: 'team.member_added', payload: { teamId, userId } })
  })
}

export async function removeMemberFromTeam(
  ctx: Ctx,
  p: Principal,
  teamId: number,
  userId: number,
): Promise<void> {
  authorize(p, 'settings.teams')
  await ctx.db.transaction(async (tx) => {
    if (!(await findTeam(tx, p.workspaceId, teamId))) throw new NotFoundError('Team')
    if (!(await deleteTeamMember(tx, p.workspaceId, teamId, userId))) throw new NotFoundError('Team member')
    await setTeamOfAssignedContacts(tx, p.workspaceId, userId, null)
    await emit(tx, p.workspaceId, actorOf(p), { type: 'team.member_removed', payload: { teamId, userId } })
  })
}
