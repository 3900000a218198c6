import { rawClientOf, type Tx } from '../db/database'

export type EventRow = {
  workspaceId: number
  id: number
  txId: string
  type: string
  actorKind: string
  actorId: number | null
  payload: Record<string, unknown>
  contactId: number | null
  conversationId: number | null
  createdAt: Date
}

type Cursor = { txId: string; eventId: number }

/**
 * Locks this consumer's cursor for the transaction; null when another process holds it.
 * A consumer seen for the first time starts at the present (it does not replay history).
 */
export async function lockCursor(tx: Tx, name: string): Promise<Cursor | null> {
  const db = rawClientOf(tx)
  await db.query(
    `INSERT INTO event_cursors (name, tx_id, event_id) VALUES ($1, pg_snapshot_xmin(pg_current_snapshot()), -1) ON CONFLICT (name) DO NOTHING`,
    [name],
  )
  const { rows } = await db.query<{ tx_id: string; event_id: number | string }>(
    'SELECT tx_id::text AS tx_id, event_id FROM event_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED',
    [name],
  )
  const row = rows[0]
  return row ? { txId: row.tx_id, eventId: Number(row.event_id) } : null
}

export async function saveCursor(tx: Tx, name: string, c: Cursor): Promise<void> {
  await rawClientOf(tx).query(
    'UPDATE event_cursors SET tx_id = $1::xid8, event_id = $2, updated_at = now() WHERE name = $3',
    [c.txId, c.eventId, name],
  )
}

/**
 * Events after the cursor and below the oldest running transaction, in (tx, id) order.
 * ORDER BY names the table's columns: a bare `tx_id` would mean the text output column and sort
 * transaction ids as strings ('1000' < '888'), and a full batch would then skip events.
 */
export async function readEventsAfter(tx: Tx, c: Cursor, types: string[], limit: number) {
  const db = rawClientOf(tx)
  const { rows: h } = await db.query<{ horizon: string }>(
    'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon',
  )
  const horizon = h[0]!.horizon
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT workspace_id, id, tx_id::text AS tx_id, type, actor_kind, actor_id, payload, contact_id, conversation_id, created_at
     FROM events
     WHERE (tx_id, id) > ($1::xid8, $2::bigint) AND tx_id < $3::xid8 AND type = ANY($4::text[])
     ORDER BY events.tx_id, events.id
     LIMIT $5`,
    [c.txId, c.eventId, horizon, types, limit],
  )
  const events: EventRow[] = rows.map((r) => ({
    workspaceId: Number(r.workspace_id),
    id: Number(r.id),
    txId: String(r.tx_id),
    type: String(r.type),
    actorKind: String(r.actor_kind),
    actorId: r.actor_id === null ? null : Number(r.actor_id),
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    contactId: r.contact_id === null ? null : Number(r.contact_id),
    conversationId: r.conversation_id === null ? null : Number(r.conversation_id),
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
  }))
  return { events, horizon, full: events.length === limit }
}
