import type { DbOrTx } from '../db/database'
import { inRefs, type Ref } from '../db/refs'
import { channels, comments, contactChannels, contacts, conversations, messages } from '../db/schema'

export type { Ref }

/**
 * Batch reads for the fan-out: one query per kind of resource per batch, instead of one per
 * event. Rows are the same as the single-row finders return, so the API presenters apply.
 */
export const snapshotReads = {
  contacts: (db: DbOrTx, refs: Ref[]) =>
    refs.length
      ? db
          .select()
          .from(contacts)
          .where(inRefs(contacts.workspaceId, contacts.id, refs))
      : [],
  messages: (db: DbOrTx, refs: Ref[]) =>
    refs.length
      ? db
          .select()
          .from(messages)
          .where(inRefs(messages.workspaceId, messages.id, refs))
      : [],
  conversations: (db: DbOrTx, refs: Ref[]) =>
    refs.length
      ? db
          .select()
          .from(conversations)
          .where(inRefs(conversations.workspaceId, conversations.id, refs))
      : [],
  comments: (db: DbOrTx, refs: Ref[]) =>
    refs.length
      ? db
          .select()
          .from(comments)
          .where(inRefs(comments.workspaceId, comments.id, refs))
      : [],
  channels: (db: DbOrTx, refs: Ref[]) =>
    refs.length
      ? db
          .select()
          .from(channels)
          .where(inRefs(channels.workspaceId, channels.id, refs))
      : [],
  /** The identities of these contacts (refs are contact ids). */
  identities: (db: DbOrTx, refs: Ref[]) =>
    refs.length
      ? db
          .select()
          .from(contactChannels)
          .where(inRefs(contactChannels.workspaceId, contactChannels.contactId, refs))
      : [],
}
