import type { Tx } from '../db/database'
import { type Actor, emit } from '../events'
import { insertNotification } from './notifications.repo'

/** Creates an in-app notification and announces it (realtime pushes it to that user). */
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
