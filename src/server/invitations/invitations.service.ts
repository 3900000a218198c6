import { canGrantRole, normalizeRestrictions, type Restrictions, type Role } from '../../shared/permissions'
import { mintWorkspaceToken, parseWorkspaceToken } from '../auth/crypto'
import { assertPasswordAllowed, hashPassword, passwordSchema, verifyPassword } from '../auth/passwords'
import { actorOf, authorize, type Principal, requireUser } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx } from '../db/database'
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../errors'
import { emit } from '../events'
import { MAIL_QUEUE } from '../mail/mail.queue'
import { invitationEmail } from '../mail/templates'
import { findTeam, findTeamOfUser, insertTeamMember } from '../teams/teams.repo'
import {
  addOrganizationMember,
  findMember,
  findUserByEmail,
  insertMember,
  insertUser,
} from '../users/users.repo'
import { findWorkspace } from '../workspaces/workspaces.repo'
import {
  findInvitation,
  findInvitationByToken,
  findInvitationByTokenForUpdate,
  findPendingInvitationByEmail,
  type InvitationRow,
  insertInvitation,
  listPendingInvitations,
  updateInvitation,
} from './invitations.repo'

export const INVITATION_TOKEN_PREFIX = 'inv'
export const INVITATION_TTL_MS = 7 * 24 * 3600_000

export type InviteInput = {
  email: string
  role: Role
  restrictions?: Partial<Restrictions> | undefined
  teamId?: number | null | undefined
}

export type InviteResult = {
  invitation: InvitationRow
  /** Present only when SMTP is not configured: the inviter passes the link on themselves. */
  inviteUrl: string | null
  emailed: boolean
}

function inviteUrl(ctx: Ctx, token: string): string {
  // The token travels in the fragment, which browsers never send to servers or write to logs.
  return `${ctx.config.publicUrl}/invite#token=${token}`
}

async function deliver(
  ctx: Ctx,
  tx: DbOrTx,
  workspaceId: number,
  invitation: InvitationRow,
  token: string,
  inviterName: string,
) {
  const url = inviteUrl(ctx, token)
  if (!ctx.mailer.configured) return { inviteUrl: url, emailed: false }
  const workspace = await findWorkspace(tx, workspaceId)
  await ctx.jobs.enqueue(
    tx,
    MAIL_QUEUE,
    invitationEmail({
      to: invitation.email,
      url,
      workspaceName: workspace!.name,
      inviterName,
      role: invitation.role,
      language: workspace!.language,
      expiresAt: invitation.expiresAt,
    }),
  )
  return { inviteUrl: null, emailed: true }
}

/** Rule 103: invite by email with an access level; the invitation stays pending until accepted. */
export async function invite(ctx: Ctx, p: Principal, input: InviteInput): Promise<InviteResult> {
  authorize(p, 'settings.users')
  const actor = requireUser(p)
  const grant = canGrantRole(actor.role, input.role)
  if (!grant.allowed) throw new ForbiddenError(grant.reason)
  const restrictions = normalizeRestrictions(input.role, input.restrictions ?? {})
  const { token, hash } = mintWorkspaceToken(INVITATION_TOKEN_PREFIX, p.workspaceId)
  const now = ctx.clock.now()

  return ctx.db.transaction(async (tx) => {
    const existingUser = await findUserByEmail(tx, input.email)
    if (existingUser && (await findMember(tx, p.workspaceId, existingUser.id))) {
      throw new ConflictError(`${input.email} is already a member of this workspace.`, 'already_member', [
        { path: 'email', message: 'Already a member of this workspace.' },
      ])
    }
    if (await findPendingInvitationByEmail(tx, p.workspaceId, input.email)) {
      throw new ConflictError(
        `${input.email} already has a pending invitation. Resend or revoke it instead.`,
        'already_invited',
        [{ path: 'email', message: 'Already invited; the invitation is pending.' }],
      )
    }
    if (input.teamId && !(await findTeam(tx, p.workspaceId, input.teamId))) throw new NotFoundError('Team')
    const invitation = await insertInvitation(tx, {
      workspaceId: p.workspaceId,
      email: input.email,
      role: input.role,
      restrictions,
      teamId: input.teamId ?? null,
      tokenHash: hash,
      invitedByUserId: actor.userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'invitation.created',
      payload: { invitationId: invitation.id, email: invitation.email, role: invitation.role },
    })
    const inviter = await findMember(tx, p.workspaceId, actor.userId)
    return { invitation, ...(await deliver(ctx, tx, p.workspaceId, invitation, token, inviter?.name ?? '')) }
  })
}

export async function listInvitations(ctx: Ctx, p: Principal) {
  authorize(p, 'settings.users')
  return listPendingInvitations(ctx.db, p.workspaceId)
}

async function loadManageableInvitation(tx: DbOrTx, p: Principal, id: number) {
  authorize(p, 'settings.users')
  const actor = requireUser(p)
  const invitation = await findInvitation(tx, p.workspaceId, id)
  if (!invitation) throw new NotFoundError('Invitation')
  if (invitation.acceptedAt) throw new GoneError('This invitation was already accepted.', 'invitation_used')
  if (invitation.revokedAt) throw new GoneError('This invitation was revoked.', 'invitation_revoked')
  const grant = canGrantRole(actor.role, invitation.role)
  if (!grant.allowed) throw new ForbiddenError(grant.reason)
  return { invitation, actor }
}

export async function revokeInvitation(ctx: Ctx, p: Principal, id: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const { invitation } = await loadManageableInvitation(tx, p, id)
    await updateInvitation(tx, p.workspaceId, id, { revokedAt: ctx.clock.now() })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'invitation.revoked',
      payload: { invitationId: id, email: invitation.email },
    })
  })
}

/** A fresh link and a fresh expiry; the old link stops working. */
export async function resendInvitation(ctx: Ctx, p: Principal, id: number): Promise<InviteResult> {
  const { token, hash } = mintWorkspaceToken(INVITATION_TOKEN_PREFIX, p.workspaceId)
  return ctx.db.transaction(async (tx) => {
    const { invitation, actor } = await loadManageableInvitation(tx, p, id)
    const expiresAt = new Date(ctx.clock.now().getTime() + INVITATION_TTL_MS)
    await updateInvitation(tx, p.workspaceId, id, { tokenHash: hash, expiresAt })
    const inviter = await findMember(tx, p.workspaceId, actor.userId)
    const updated = { ...invitation, tokenHash: hash, expiresAt }
    return {
      invitation: updated,
      ...(await deliver(ctx, tx, p.workspaceId, updated, token, inviter?.name ?? '')),
    }
  })
}

function parseToken(token: string) {
  const parsed = parseWorkspaceToken(INVITATION_TOKEN_PREFIX, token)
  if (!parsed) throw new NotFoundError('Invitation')
  return parsed
}

function assertUsable(ctx: Ctx, invitation: InvitationRow): void {
  if (invitation.acceptedAt)
    throw new GoneError('This invitation was already accepted. Sign in instead.', 'invitation_used')
  if (invitation.revokedAt)
    throw new GoneError('This invitation was revoked. Ask for a new one.', 'invitation_revoked')
  if (invitation.expiresAt.getTime() <= ctx.clock.now().getTime()) {
    throw new GoneError('This invitation has expired. Ask for a new one.', 'invitation_expired')
  }
}

/** What the accept page shows before the invitee commits to anything. */
export async function lookupInvitation(ctx: Ctx, token: string) {
  const { workspaceId, hash } = parseToken(token)
  const found = await findInvitationByToken(ctx.db, workspaceId, hash)
  if (!found) throw new NotFoundError('Invitation')
  assertUsable(ctx, found.invitation)
  const existing = await findUserByEmail(ctx.db, found.invitation.email)
  return {
    email: found.invitation.email,
    role: found.invitation.role,
    workspaceName: found.workspaceName,
    invitedByName: found.invitedByName,
    expiresAt: found.invitation.expiresAt,
    existingUser: Boolean(existing),
  }
}

export type AcceptInput = {
  token: string
  password: string
  name?: string | undefined
  locale?: 'en' | 'ar' | undefined
}

/**
 * Accepting joins the workspace (and its organization). A new user chooses a name and password;
 * an existing user proves who they are with their current password.
 */
export async function acceptInvitation(ctx: Ctx, input: AcceptInput) {
  const { workspaceId, hash } = parseToken(input.token)
  const peek = await findInvitationByToken(ctx.db, workspaceId, hash)
  if (!peek) throw new NotFoundError('Invitation')
  assertUsable(ctx, peek.invitation)
  const existing = await findUserByEmail(ctx.db, peek.invitation.email)
  let passwordHash: string | null = null
  if (existing) {
    if (!(await verifyPassword(existing.passwordHash, input.password))) {
      throw new UnauthenticatedError(`Enter the current password of ${existing.email} to accept.`)
    }
  } else {
    if (!input.name) {
      throw new ValidationError('Name is required to create your account.', [
        { path: 'name', message: 'Name is required.' },
      ])
    }
    const strength = passwordSchema.safeParse(input.password)
    if (!strength.success) {
      const message = strength.error.issues[0]!.message
      throw new ValidationError(message, [{ path: 'password', message }])
    }
    assertPasswordAllowed(input.password, peek.invitation.email)
    passwordHash = await hashPassword(input.password)
  }

  return ctx.db.transaction(async (tx) => {
    const invitation = await findInvitationByTokenForUpdate(tx, workspaceId, hash)
    if (!invitation) throw new NotFoundError('Invitation')
    assertUsable(ctx, invitation)
    const workspace = await findWorkspace(tx, workspaceId)
    let user = await findUserByEmail(tx, invitation.email)
    if (!user) {
      if (!passwordHash || !input.name)
        throw new ConflictError('The account changed while accepting; try again.')
      user = await insertUser(tx, {
        email: invitation.email,
        name: input.name,
        passwordHash,
        locale: input.locale ?? workspace!.language,
      })
    } else if (await findMember(tx, workspaceId, user.id)) {
      throw new ConflictError('You are already a member of this workspace.', 'already_member')
    }
    await addOrganizationMember(tx, workspace!.organizationId, user.id, 'member')
    await insertMember(
      tx,
      workspaceId,
      user.id,
      invitation.role,
      normalizeRestrictions(invitation.role, invitation.restrictions),
    )
    if (
      invitation.teamId &&
      (await findTeam(tx, workspaceId, invitation.teamId)) &&
      !(await findTeamOfUser(tx, workspaceId, user.id))
    ) {
      await insertTeamMember(tx, workspaceId, invitation.teamId, user.id)
    }
    await updateInvitation(tx, workspaceId, invitation.id, {
      acceptedAt: ctx.clock.now(),
      acceptedUserId: user.id,
    })
    await emit(
      tx,
      workspaceId,
      { kind: 'user', id: user.id },
      {
        type: 'member.joined',
        payload: { userId: user.id, role: invitation.role, invitationId: invitation.id },
      },
    )
    return { user, workspaceId }
  })
}
