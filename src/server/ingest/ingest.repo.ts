import type { DbOrTx } from '../db/database'
import { contactChannels, contacts, conversations, messages } from '../db/schema'
import { insertRowsSql, literal, recordset, runScript } from '../db/script'

/**
 * The SQL of batched ingest. A batch costs two round trips whatever its size: a script of locks
 * and reads (lockAndRead), then a script of writes (writeInbound), each statement multi-row.
 * Row-at-a-time equivalents live in the contacts, conversations and messages repos.
 */

const intArray = (values: number[]) =>
  values.length ? `ARRAY[${values.map(literal).join(', ')}]::bigint[]` : 'ARRAY[]::bigint[]'
const textArray = (values: string[]) =>
  values.length ? `ARRAY[${values.map(literal).join(', ')}]::text[]` : 'ARRAY[]::text[]'

/** One channel's part of a batch. */
export type Sender = {
  workspaceId: number
  channelId: number
  identifiers: string[]
  refs: string[]
  messages: number
}

export type LockedContact = {
  id: number
  firstName: string
  lastName: string
  blocked: boolean
  assigneeUserId: number | null
}

export type IngestState = {
  /** Existing contacts of the batch's senders, locked FOR UPDATE. */
  contacts: Map<number, LockedContact>
  /** Known identities by identifier. */
  identities: Map<string, { id: number; contactId: number }>
  /** Open conversations by contact id. */
  open: Map<number, { id: number; snoozed: boolean }>
  /** Stored messages of this channel by provider id (duplicates and reply targets). */
  stored: Map<string, number>
  defaultStageId: number | null
  workspace: { autoCloseMinutes: number | null; autoCloseEnabledAt: Date | null }
  /** Ids drawn from the sequences for what this batch will create (exactly as many as needed). */
  ids: { contacts: number[]; conversations: number[]; messages: number[] }
}

/**
 * One round trip, in this order: the per-identity advisory locks of every sender of the batch
 * (the keys of lockIdentityKey, taken in (workspace, hash) order so concurrent batches cannot
 * deadlock), then per channel the senders' existing contacts locked FOR UPDATE in id order, then
 * what the batch must know — each statement with a snapshot taken after the locks before it.
 */
export async function lockAndRead(db: DbOrTx, groups: Sender[]): Promise<IngestState[]> {
  const keys = groups.flatMap((g) =>
    g.identifiers.map((k) => ({ w: g.workspaceId, k: `${g.channelId}:${k}` })),
  )
  const statements = [
    `SELECT count(pg_advisory_xact_lock(s.w, s.h)) AS locks FROM (
       SELECT DISTINCT u.w::int AS w, hashtext(u.k) AS h
       FROM unnest(${intArray(keys.map((k) => k.w))}, ${textArray(keys.map((k) => k.k))}) AS u(w, k)
       ORDER BY 1, 2
     ) s`,
  ]
  for (const g of groups) {
    const ws = literal(g.workspaceId)
    const channel = literal(g.channelId)
    const identifiers = textArray(g.identifiers)
    statements.push(
      `SELECT c.id, c.first_name, c.last_name, c.blocked_at IS NOT NULL AS blocked, c.assignee_user_id
       FROM contacts c
       WHERE c.workspace_id = ${ws} AND c.id IN (
         SELECT i.contact_id FROM contact_channels i
         WHERE i.workspace_id = ${ws} AND i.channel_id = ${channel} AND i.identifier = ANY(${identifiers}))
       ORDER BY c.id
       FOR UPDATE OF c`,
      `WITH ids AS (
         SELECT i.identifier, i.id, i.contact_id FROM contact_channels i
         WHERE i.workspace_id = ${ws} AND i.channel_id = ${channel} AND i.identifier = ANY(${identifiers})
       ), open AS (
         SELECT v.id, v.contact_id, v.snoozed_until IS NOT NULL AS snoozed FROM conversations v
         WHERE v.workspace_id = ${ws} AND v.status = 'open' AND v.contact_id IN (SELECT contact_id FROM ids)
       ), counts AS (
         SELECT cardinality(${identifiers}) - (SELECT count(*) FROM ids) AS new_contacts,
                (SELECT count(*) FROM contacts c
                  WHERE c.workspace_id = ${ws} AND c.id IN (SELECT contact_id FROM ids) AND c.blocked_at IS NULL
                    AND c.id NOT IN (SELECT contact_id FROM open)) AS reopen
       )
       SELECT
         (SELECT coalesce(jsonb_agg(jsonb_build_array(m.provider_message_id, m.id)), '[]'::jsonb) FROM messages m
           WHERE m.workspace_id = ${ws} AND m.channel_id = ${channel}
             AND m.provider_message_id = ANY(${textArray(g.refs)})) AS stored,
         (SELECT coalesce(jsonb_agg(jsonb_build_array(identifier, id, contact_id)), '[]'::jsonb) FROM ids) AS identities,
         (SELECT coalesce(jsonb_agg(jsonb_build_array(id, contact_id, snoozed)), '[]'::jsonb) FROM open) AS open,
         (SELECT s.id FROM lifecycle_stages s WHERE s.workspace_id = ${ws} AND s.is_default) AS default_stage_id,
         w.auto_close_minutes, w.auto_close_enabled_at,
         ${nextIds('contacts', '(SELECT new_contacts FROM counts)')} AS contact_ids,
         ${nextIds('conversations', '(SELECT new_contacts + reopen FROM counts)')} AS conversation_ids,
         ${nextIds('messages', literal(g.messages))} AS message_ids
       FROM workspaces w WHERE w.id = ${ws}`,
    )
  }
  const results = await runScript(db, statements)
  return groups.map((_, i) => {
    const locked = results[1 + 2 * i]! as {
      id: number | string
      first_name: string
      last_name: string
      blocked: boolean
      assignee_user_id: number | string | null
    }[]
    const r = results[2 + 2 * i]![0] as {
      stored: [string, number][]
      identities: [string, number, number][]
      open: [number, number, boolean][]
      default_stage_id: number | string | null
      auto_close_minutes: number | null
      auto_close_enabled_at: Date | string | null
      contact_ids: (number | string)[]
      conversation_ids: (number | string)[]
      message_ids: (number | string)[]
    }
    return {
      contacts: new Map(
        locked.map((c) => [
          Number(c.id),
          {
            id: Number(c.id),
            firstName: c.first_name,
            lastName: c.last_name,
            blocked: c.blocked,
            assigneeUserId: c.assignee_user_id === null ? null : Number(c.assignee_user_id),
          },
        ]),
      ),
      identities: new Map(
        r.identities.map(([k, id, contactId]) => [k, { id: Number(id), contactId: Number(contactId) }]),
      ),
      open: new Map(
        r.open.map(([id, contactId, snoozed]) => [Number(contactId), { id: Number(id), snoozed }]),
      ),
      stored: new Map(r.stored.map(([p, id]) => [p, Number(id)])),
      defaultStageId: r.default_stage_id === null ? null : Number(r.default_stage_id),
      workspace: {
        autoCloseMinutes: r.auto_close_minutes,
        autoCloseEnabledAt: r.auto_close_enabled_at === null ? null : new Date(r.auto_close_enabled_at),
      },
      ids: {
        contacts: ids(r.contact_ids),
        conversations: ids(r.conversation_ids),
        messages: ids(r.message_ids),
      },
    }
  })
}

const ids = (a: (number | string)[] | string) =>
  // An array can come back unparsed ('{1,2}') where no type parser is registered for int8[].
  (typeof a === 'string' ? a.replace(/[{}]/g, '').split(',').filter(Boolean) : a).map(Number)

/** `n` fresh ids from a table's identity sequence (rows inserted with them override the identity). */
const nextIds = (table: string, n: string) =>
  `ARRAY(SELECT nextval(pg_get_serial_sequence(${literal(table)}, 'id')) FROM generate_series(1, ${n}))`

export type InboundWrites = {
  workspaceId: number
  contacts: (typeof contacts.$inferInsert & { id: number })[]
  identities: (typeof contactChannels.$inferInsert)[]
  conversations: (typeof conversations.$inferInsert & { id: number })[]
  messages: (typeof messages.$inferInsert & { id: number })[]
  /** Existing identities: the window counts from the contact's last message (rule 22, 19). */
  touchIdentities: { id: number; lastIncomingAt: Date; displayName: string | null }[]
  /** Existing open conversations: counters, last message, auto-close timer off (rule 39). */
  touchConversations: { id: number; count: number; lastMessageAt: Date }[]
  /** Existing contacts' inbox rows; names only when they had none; conversation when one opened. */
  touchContacts: {
    id: number
    channelId: number
    lastIncomingAt: Date
    lastMessageAt: Date
    preview: string
    firstName: string | null
    lastName: string | null
    conversationId: number | null
  }[]
}

/** The statements of one channel's writes (new rows carry ids from lockAndRead), for writeInbound. */
export function inboundStatements(w: InboundWrites): string[] {
  const ws = literal(w.workspaceId)
  const out: string[] = []
  if (w.contacts.length) out.push(insertRowsSql(contacts, w.contacts, { explicitIds: true }))
  if (w.identities.length) out.push(insertRowsSql(contactChannels, w.identities))
  if (w.conversations.length) out.push(insertRowsSql(conversations, w.conversations, { explicitIds: true }))
  if (w.messages.length) out.push(insertRowsSql(messages, w.messages, { explicitIds: true }))
  if (w.touchIdentities.length)
    out.push(`UPDATE contact_channels t
      SET last_incoming_at = v.last_incoming_at, outbound_since_incoming = 0,
          display_name = coalesce(v.display_name, t.display_name)
      FROM ${recordset(
        w.touchIdentities.map((i) => ({
          id: i.id,
          last_incoming_at: i.lastIncomingAt,
          display_name: i.displayName,
        })),
        'id bigint, last_incoming_at timestamptz, display_name text',
      )} AS v
      WHERE t.workspace_id = ${ws} AND t.id = v.id`)
  if (w.touchConversations.length)
    out.push(`UPDATE conversations t
      SET incoming_count = t.incoming_count + v.count, last_message_at = v.last_message_at,
          auto_close_at = NULL, updated_at = now()
      FROM ${recordset(
        w.touchConversations.map((c) => ({ id: c.id, count: c.count, last_message_at: c.lastMessageAt })),
        'id bigint, count int, last_message_at timestamptz',
      )} AS v
      WHERE t.workspace_id = ${ws} AND t.id = v.id`)
  if (w.touchContacts.length)
    out.push(`UPDATE contacts t
      SET last_interacted_channel_id = v.channel_id, last_incoming_at = v.last_incoming_at,
          last_message_at = v.last_message_at, last_message_preview = v.preview,
          last_message_direction = 'in', unread = true,
          first_name = coalesce(v.first_name, t.first_name), last_name = coalesce(v.last_name, t.last_name),
          conversation_id = coalesce(v.conversation_id, t.conversation_id),
          inbox_status = CASE WHEN v.conversation_id IS NULL THEN t.inbox_status ELSE 'open' END,
          updated_at = now()
      FROM ${recordset(
        w.touchContacts.map((c) => ({
          id: c.id,
          channel_id: c.channelId,
          last_incoming_at: c.lastIncomingAt,
          last_message_at: c.lastMessageAt,
          preview: c.preview,
          first_name: c.firstName,
          last_name: c.lastName,
          conversation_id: c.conversationId,
        })),
        'id bigint, channel_id bigint, last_incoming_at timestamptz, last_message_at timestamptz, preview text, first_name text, last_name text, conversation_id bigint',
      )} AS v
      WHERE t.workspace_id = ${ws} AND t.id = v.id`)
  return out
}

/** Runs the writes of a batch (inboundStatements, emitAllStatement…) in one round trip. */
export async function writeInbound(db: DbOrTx, statements: string[]): Promise<void> {
  await runScript(db, statements)
}
