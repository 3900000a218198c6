import { resolveNotificationPrefs } from '../../shared/notification-prefs'
import type { Tx } from '../db/database'
import { type Actor, emit } from '../events'
import { findUserById } from '../users/users.repo'
import { insertNotification } from './notifications.repo'

/**
 * Creates an in-app notification and announces it (realtime pushes it to that user), unless the
 * user switched that kind off for the app in their profile (then there is nothing to show).
 */
export async function notify(
  tx: Tx,
  workspaceId: number,
  actor: Actor,
  n: {
    userId: number
    kind: 'mention' | 'assignment'
    contactId: number
    conversationId: number | null
    commentId?: number
  },
): Promise<void> {
  const recipient = await findUserById(tx, n.userId)
  if (!recipient || !resolveNotificationPrefs(recipient.notificationPrefs)[n.kind].inApp) return
  const row = await insertNotification(tx, {
    workspaceId,
    userId: n.userId,
    kind: n.kind,
    contactId: n.contactId,
    conversationId: n.conversationId,
    commentId: n.commentId ?? null,
    actorKind: actor.kind,
    actorId: actor.id,
  })
  await emit(tx, workspaceId, actor, {
    type: 'notification.created',
    payload: { userId: n.userId, notificationId: row.id, kind: n.kind },
  })
}
