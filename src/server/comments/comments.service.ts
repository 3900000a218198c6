import { actorOf, authorize, type Principal, type UserPrincipal } from '../auth/principal'
import { type ContactRow, findContact, lockContact } from '../contacts/contacts.repo'
import { assertCanSee, canSeeContact } from '../contacts/visibility'
import type { Ctx } from '../context'
import { findOpenConversation } from '../conversations/conversations.repo'
import type { Tx } from '../db/database'
import { ValidationError } from '../errors'
import { type Actor, emit } from '../events'
import { notify } from '../notifications/notify'
import { listMembers } from '../users/users.repo'
import { type CommentRow, insertComment, listCommentsOfContact } from './comments.repo'
import { parseMentions } from './mentions'

export const MAX_COMMENT = 1000

/**
 * Rule 50: an internal comment on a contact, never sent to the contact. Mentions resolve to
 * members of the workspace who can see the contact; anything else in the text stays text.
 * Each mentioned user (except the author) gets a 'mention' notification.
 */
export async function addComment(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  body: string,
): Promise<CommentRow> {
  authorize(p, 'inbox.view')
  const text = body.trim()
  if (text.length === 0 || text.length > MAX_COMMENT) {
    throw new ValidationError(`A comment has 1 to ${MAX_COMMENT} characters.`, [
      { path: 'body', message: `Write 1 to ${MAX_COMMENT} characters.` },
    ])
  }
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    return addCommentLocked(
      tx,
      contact,
      actorOf(p),
      p.kind === 'api' ? { kind: 'api', id: p.tokenId } : { kind: 'user', id: p.userId },
      text,
      p.organizationId,
    )
  })
}

/**
 * Writes a comment on a locked contact: mentions resolve to members who can see the contact, each
 * (except the author) notified. Shared by people, the API and workflows' Add Comment step.
 */
export async function addCommentLocked(
  tx: Tx,
  contact: ContactRow,
  actor: Actor,
  author: { kind: 'user' | 'workflow' | 'api'; id: number },
  text: string,
  organizationId: number,
): Promise<CommentRow> {
  const workspaceId = contact.workspaceId
  const named = parseMentions(text)
  const members = await listMembers(tx, workspaceId)
  const mentioned = members.filter(
    (m) =>
      (named.userIds.includes(m.userId) || named.emails.includes(m.email.toLowerCase())) &&
      canSeeContact(
        {
          kind: 'user',
          userId: m.userId,
          workspaceId,
          organizationId,
          role: m.role,
          restrictions: m.restrictions,
          teamId: m.teamId,
        } satisfies UserPrincipal,
        contact,
      ),
  )
  const conversation = await findOpenConversation(tx, workspaceId, contact.id)
  const comment = await insertComment(tx, {
    workspaceId,
    contactId: contact.id,
    conversationId: conversation?.id ?? null,
    authorKind: author.kind,
    authorId: author.id,
    body: text,
    mentions: mentioned.map((m) => m.userId),
  })
  await emit(tx, workspaceId, actor, {
    type: 'comment.created',
    payload: {
      contactId: contact.id,
      conversationId: comment.conversationId,
      commentId: comment.id,
      mentions: comment.mentions,
    },
  })
  for (const m of mentioned) {
    if (actor.kind === 'user' && actor.id === m.userId) continue
    await notify(tx, workspaceId, actor, {
      userId: m.userId,
      kind: 'mention',
      contactId: contact.id,
      conversationId: comment.conversationId,
      commentId: comment.id,
    })
  }
  return comment
}

export async function listComments(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  opts: { before?: number | undefined; limit: number },
): Promise<{ rows: CommentRow[]; nextBefore: number | null }> {
  authorize(p, 'inbox.view')
  assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  const rows = await listCommentsOfContact(ctx.db, p.workspaceId, contactId, {
    ...opts,
    limit: opts.limit + 1,
  })
  const page = rows.slice(0, opts.limit)
  return { rows: page, nextBefore: rows.length > opts.limit ? page.at(-1)!.id : null }
}
