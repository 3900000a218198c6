import { presentComment } from '../comments/comments.presenter'
import { findComment } from '../comments/comments.repo'
import { presentContact } from '../contacts/contacts.presenter'
import { type ContactRow, findContact } from '../contacts/contacts.repo'
import { presentConversation, presentWindow } from '../conversations/conversations.presenter'
import { findConversation } from '../conversations/conversations.repo'
import { contactWindow } from '../conversations/conversations.service'
import type { DbOrTx } from '../db/database'
import { presentMessage } from '../messages/messages.presenter'
import { findMessage } from '../messages/messages.repo'
import type { EventRow } from '../outbox/outbox.repo'
import type { WebhookEvent } from './catalog'

/**
 * Loads what payloads present, once per fan-out batch: several events about one contact share
 * one read of it. Everything is read in the fan-out's transaction, so a payload is a snapshot of
 * the resources when the delivery was created (docs/webhooks.md, "Payload").
 */
export function snapshotLoader(db: DbOrTx, now: Date) {
  const memo = new Map<string, Promise<unknown>>()
  const once = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined
    if (!p) {
      p = load()
      memo.set(key, p)
    }
    return p
  }
  const contactRow = (ws: number, id: number) => once(`c${ws}:${id}`, () => findContact(db, ws, id))
  const window = (c: ContactRow) =>
    once(`w${c.workspaceId}:${c.id}`, async () => {
      const w = await contactWindow(db, c, now)
      return presentWindow(w.channelId, w.state)
    })
  return {
    contact: async (ws: number, id: number | null | undefined) => {
      const c = id ? await contactRow(ws, id) : undefined
      return c ? presentContact(c) : null
    },
    conversation: async (ws: number, contactId: number | null | undefined, id: number | null | undefined) => {
      if (!id) return null
      const conv = await once(`v${ws}:${id}`, () => findConversation(db, ws, id))
      const contact = contactId ? await contactRow(ws, contactId) : undefined
      if (!conv) return null
      const noWindow = presentWindow(null, { status: 'none' })
      return presentConversation(conv, contact ? await window(contact) : noWindow)
    },
    message: async (ws: number, id: unknown) => {
      const m = typeof id === 'number' ? await findMessage(db, ws, id) : undefined
      return m ? presentMessage(m) : null
    },
    comment: async (ws: number, id: unknown) => {
      const c = typeof id === 'number' ? await findComment(db, ws, id) : undefined
      return c ? presentComment(c) : null
    },
  }
}

export type SnapshotLoader = ReturnType<typeof snapshotLoader>

/**
 * The `data` of a webhook payload: the resources the event is about, as the API presents them,
 * plus the facts only the event knows (what changed, which tag, from and to). A resource deleted
 * before the delivery was created is null.
 */
export async function eventData(load: SnapshotLoader, e: EventRow): Promise<Record<string, unknown>> {
  const ws = e.workspaceId
  const p = e.payload
  const contact = await load.contact(ws, e.contactId)
  const type = e.type as WebhookEvent
  switch (type) {
    case 'message.received':
    case 'message.created':
    case 'message.status_updated': {
      const message = await load.message(ws, p.messageId)
      const conversation = await load.conversation(
        ws,
        e.contactId,
        message?.conversationId ?? e.conversationId,
      )
      return { contact, conversation, message }
    }
    case 'contact.created':
      return { contact, source: p.source ?? null }
    case 'contact.updated':
      return { contact, changes: p.changes ?? [] }
    case 'contact.tag_updated':
      return { contact, tag: { id: p.tagId ?? null, name: p.tag ?? null, action: p.action ?? null } }
    case 'contact.assignee_updated':
      return {
        contact,
        assignee: { fromUserId: p.from ?? null, toUserId: p.to ?? null },
        reason: p.reason ?? null,
      }
    case 'contact.lifecycle_updated':
      return { contact, lifecycle: { fromStageId: p.from ?? null, toStageId: p.to ?? null } }
    case 'conversation.opened':
    case 'conversation.closed':
      return { contact, conversation: await load.conversation(ws, e.contactId, e.conversationId) }
    case 'comment.created':
      return {
        contact,
        conversation: await load.conversation(ws, e.contactId, e.conversationId),
        comment: await load.comment(ws, p.commentId),
      }
    default: {
      const never: never = type
      throw new Error(`no webhook payload for ${String(never)}`)
    }
  }
}
