import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { ConflictError } from '../errors'
import { emit } from '../events'
import { lockContact, updateContact } from './contacts.repo'
import { assertCanSee } from './visibility'

/** Rule 59: a blocked contact moves to the Blocked inbox; their conversations cannot be opened or closed. */
export async function setBlocked(ctx: Ctx, p: Principal, contactId: number, blocked: boolean) {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    if (Boolean(contact.blockedAt) === blocked) {
      throw new ConflictError(
        blocked ? 'This contact is already blocked.' : 'This contact is not blocked.',
        blocked ? 'already_blocked' : 'not_blocked',
      )
    }
    const updated = await updateContact(tx, p.workspaceId, contactId, {
      blockedAt: blocked ? ctx.clock.now() : null,
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: blocked ? 'contact.blocked' : 'contact.unblocked',
      payload: { contactId },
    })
    return updated!
  })
}
