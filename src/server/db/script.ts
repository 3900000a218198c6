import { getTableColumns, getTableName, type Table } from 'drizzle-orm'
import pg from 'pg'
import { type DbOrTx, rawClientOf } from './database'

/**
 * Scripts: several statements sent to the database in ONE round trip (the simple query protocol,
 * on both drivers), inside the caller's transaction. Each statement still runs on its own, in
 * order, with its own snapshot, and the first error aborts the transaction. Hot paths (batched
 * ingest) use them where sequential round trips, not the database's work, dominate.
 *
 * The simple protocol has no parameters: values are written into the text as literals, and
 * only through the helpers below (numbers checked, everything else through escapeLiteral).
 */

/** A value as an SQL literal: integers as digits, null, booleans, everything else a quoted string. */
export function literal(v: string | number | boolean | null): string {
  if (v === null) return 'NULL'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`Not an integer literal: ${v}`)
    return String(v)
  }
  return pg.escapeLiteral(v)
}

/** A JSON document as a jsonb literal (Dates become ISO strings). */
export const jsonLiteral = (value: unknown): string => `${literal(JSON.stringify(value))}::jsonb`

/** Runs statements in one round trip; returns each statement's rows, in order. */
export async function runScript(db: DbOrTx, statements: string[]): Promise<Record<string, unknown>[][]> {
  if (statements.length === 0) return []
  const client = (db as unknown as { session: { client: unknown } }).session.client as {
    exec?: (text: string) => Promise<{ rows: Record<string, unknown>[] }[]>
  }
  const text = statements.join(';\n')
  if (typeof client.exec === 'function') {
    // PGlite: exec runs multi-statement text and returns one result per statement.
    return (await client.exec(text)).map((r) => r.rows)
  }
  // node-postgres: a query without parameters goes over the simple protocol; several statements
  // return an array of results, one statement a single result.
  const r = (await rawClientOf(db).query(text)) as unknown as
    | { rows: Record<string, unknown>[] }
    | { rows: Record<string, unknown>[] }[]
  return Array.isArray(r) ? r.map((x) => x.rows) : [r.rows]
}

/**
 * Rows as a relation to join against (`UPDATE t … FROM ${recordset(rows, 'id bigint, …')} AS v`).
 * The LIMIT states how many rows there are: the planner otherwise assumes 100 for a set-returning
 * function and, on a table of a few thousand rows, hashes a sequential scan of the whole table
 * instead of probing its primary key for each row (measured: 2–6 ms instead of well under 1 ms per
 * ingest batch and statement, bench/README.md).
 */
export function recordset(rows: Record<string, unknown>[], columns: string): string {
  return `(SELECT * FROM jsonb_to_recordset(${jsonLiteral(rows)}) AS r(${columns}) LIMIT ${literal(rows.length)})`
}

/**
 * `INSERT INTO <table> (…) SELECT … FROM jsonb_to_recordset(<rows>)` for rows of the table's
 * insert type: one statement for any number of rows, column names and types taken from the
 * drizzle schema. Every row must carry the same keys (a missing key would insert NULL, not the
 * column default). With `explicitIds`, ids in the rows override the identity column.
 */
export function insertRowsSql<T extends Table>(
  table: T,
  rows: (T['$inferInsert'] & { id?: number })[],
  opts: { explicitIds?: boolean; returning?: string } = {},
): string {
  const columns = getTableColumns(table)
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r as object)))].filter((k) => k in columns)
  const cols = keys.map((k) => columns[k]!)
  const records = rows.map((r) =>
    Object.fromEntries(keys.map((k) => [columns[k]!.name, (r as Record<string, unknown>)[k] ?? null])),
  )
  const names = cols.map((c) => pg.escapeIdentifier(c.name))
  return `INSERT INTO ${pg.escapeIdentifier(getTableName(table))} (${names.join(', ')})${
    opts.explicitIds ? ' OVERRIDING SYSTEM VALUE' : ''
  }
SELECT ${names.map((n) => `v.${n}`).join(', ')}
FROM jsonb_to_recordset(${jsonLiteral(records)}) AS v(${cols.map((c) => `${pg.escapeIdentifier(c.name)} ${c.getSQLType()}`).join(', ')})${
    opts.returning ? `\nRETURNING ${opts.returning}` : ''
  }`
}
