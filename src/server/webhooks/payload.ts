import { presentComment } from '../comments/comments.presenter'
import { presentContact } from '../contacts/contacts.presenter'
import type { ContactRow, IdentityRow } from '../contacts/contacts.repo'
import { presentConversation, presentWindow } from '../conversations/conversations.presenter'
import { windowOf } from '../conversations/conversations.service'
import type { DbOrTx } from '../db/database'
import { presentMessage } from '../messages/messages.presenter'
import type { EventRow } from '../outbox/outbox.repo'
import type { WebhookEvent } from './catalog'
import { type Ref, snapshotReads } from './snapshot.repo'

const key = (ws: number, id: number) => `${ws}:${id}`
const num = (v: unknown) => (typeof v === 'number' ? v : null)

function refsOf(items: { workspaceId: number; id: number | null | undefined }[]): Ref[] {
  const seen = new Map<string, Ref>()
  for (const i of items)
    if (i.id) seen.set(key(i.workspaceId, i.id), { workspaceId: i.workspaceId, id: i.id })
  return [...seen.values()]
}

/**
 * Reads everything a batch of events presents, in a few queries, in the fan-out's transaction:
 * a payload is a snapshot of the resources when the delivery was created (docs/webhooks.md).
 */
export async function loadSnapshot(db: DbOrTx, events: EventRow[], now: Date) {
  const messageRefs = refsOf(
    events
      .filter((e) => e.type.startsWith('message.'))
      .map((e) => ({ workspaceId: e.workspaceId, id: num(e.payload.messageId) })),
  )
  const commentRefs = refsOf(
    events
      .filter((e) => e.type === 'comment.created')
      .map((e) => ({ workspaceId: e.workspaceId, id: num(e.payload.commentId) })),
  )
  const contactRefs = refsOf(events.map((e) => ({ workspaceId: e.workspaceId, id: e.contactId })))
  const [contactRows, messageRows, commentRows, identityRows] = [
    await snapshotReads.contacts(db, contactRefs),
    await snapshotReads.messages(db, messageRefs),
    await snapshotReads.comments(db, commentRefs),
    await snapshotReads.identities(db, contactRefs),
  ]
  const conversationRefs = refsOf([
    ...events.map((e) => ({ workspaceId: e.workspaceId, id: e.conversationId })),
    ...messageRows.map((m) => ({ workspaceId: m.workspaceId, id: m.conversationId })),
  ])
  const channelRefs = refsOf(
    contactRows.map((c) => ({ workspaceId: c.workspaceId, id: c.lastInteractedChannelId })),
  )
  const conversationRows = await snapshotReads.conversations(db, conversationRefs)
  const channelRows = await snapshotReads.channels(db, channelRefs)

  const byKey = <T extends { workspaceId: number; id: number }>(rows: T[]) =>
    new Map(rows.map((r) => [key(r.workspaceId, r.id), r]))
  const contactMap = byKey(contactRows)
  const messageMap = byKey(messageRows)
  const commentMap = byKey(commentRows)
  const conversationMap = byKey(conversationRows)
  const channelMap = byKey(channelRows)
  const identitiesOf = new Map<string, IdentityRow[]>()
  for (const i of identityRows) {
    const k = key(i.workspaceId, i.contactId)
    identitiesOf.set(k, [...(identitiesOf.get(k) ?? []), i])
  }
  const windows = new Map<string, ReturnType<typeof presentWindow>>()
  const windowFor = (c: ContactRow) => {
    const k = key(c.workspaceId, c.id)
    let w = windows.get(k)
    if (!w) {
      const channel = c.lastInteractedChannelId
        ? channelMap.get(key(c.workspaceId, c.lastInteractedChannelId))
        : undefined
      const { channelId, state } = windowOf(c, identitiesOf.get(k) ?? [], channel, now)
      w = presentWindow(channelId, state)
      windows.set(k, w)
    }
    return w
  }
  const get = <T>(map: Map<string, T>, ws: number, id: unknown) =>
    typeof id === 'number' ? map.get(key(ws, id)) : undefined
  return {
    contact: (ws: number, id: number | null | undefined) => {
      const c = get(contactMap, ws, id)
      return c ? presentContact(c) : null
    },
    conversation: (ws: number, contactId: number | null | undefined, id: number | null | undefined) => {
      const conv = get(conversationMap, ws, id)
      if (!conv) return null
      const contact = get(contactMap, ws, contactId)
      return presentConversation(conv, contact ? windowFor(contact) : presentWindow(null, { status: 'none' }))
    },
    message: (ws: number, id: unknown) => {
      const m = get(messageMap, ws, id)
      return m ? presentMessage(m) : null
    },
    comment: (ws: number, id: unknown) => {
      const c = get(commentMap, ws, id)
      return c ? presentComment(c) : null
    },
  }
}

export type Snapshot = Awaited<ReturnType<typeof loadSnapshot>>

/**
 * The `data` of a webhook payload: the resources the event is about, as the API presents them,
 * plus the facts only the event knows (what changed, which tag, from and to). A resource deleted
 * before the delivery was created is null.
 */
export function eventData(load: Snapshot, e: EventRow): Record<string, unknown> {
  const ws = e.workspaceId
  const p = e.payload
  const contact = load.contact(ws, e.contactId)
  const type = e.type as WebhookEvent
  switch (type) {
    case 'message.received':
    case 'message.created':
    case 'message.status_updated': {
      const message = load.message(ws, p.messageId)
      const conversation = load.conversation(ws, e.contactId, message?.conversationId ?? e.conversationId)
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
      return { contact, conversation: load.conversation(ws, e.contactId, e.conversationId) }
    case 'comment.created':
      return {
        contact,
        conversation: load.conversation(ws, e.contactId, e.conversationId),
        comment: load.comment(ws, p.commentId),
      }
    default: {
      const never: never = type
      throw new Error(`no webhook payload for ${String(never)}`)
    }
  }
}
