import { type SQL, sql } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'

/** A (workspace, id) pair: batches (fan-out, workflow runs) may span workspaces. */
export type Ref = { workspaceId: number; id: number }

/** `(ws, id) IN (the pairs)`, as one statement parameter per column whatever the batch's size. */
export function inRefs(ws: PgColumn, id: PgColumn, refs: Ref[]): SQL {
  return sql`(${ws}, ${id}) IN (SELECT * FROM unnest(${sql.param(refs.map((r) => r.workspaceId))}::bigint[], ${sql.param(refs.map((r) => r.id))}::bigint[]))`
}
