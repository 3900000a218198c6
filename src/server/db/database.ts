import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin'
import { citext } from '@electric-sql/pglite/contrib/citext'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import pg from 'pg'
import { acquireDataDirLock } from './lock'
import * as schema from './schema'

export type Schema = typeof schema
export type Db = PgDatabase<PgQueryResultHKT, Schema>
/** A transaction handle; every repo function accepts either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
export type DbOrTx = Db | Tx

export type QueryResult<T> = { rows: T[] }
export type RawQuery = <T = Record<string, unknown>>(
  text: string,
  params?: unknown[],
) => Promise<QueryResult<T>>

export type Database = {
  kind: 'pglite' | 'postgres'
  db: Db
  /** Runs one parameterised statement outside any transaction. */
  query: RawQuery
  /** Runs parameter-free, possibly multi-statement SQL. */
  exec: (text: string) => Promise<void>
  /** Subscribes to NOTIFY on a channel; resolves to an unsubscribe function. */
  listen: (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>
  close: () => Promise<void>
  /** The PGlite instance, when embedded (tests dump it for snapshots). */
  pglite?: PGlite
  /** The connection string, when on a PostgreSQL server. */
  url?: string
  /** This process's id on the database (leases name their holder with it). */
  instanceId: string
  /**
   * Whether the process with this instance id still holds its database session: a process that
   * died (kill -9, lost host) has none, so its leases need not be waited out. PGlite has one
   * process per data directory, so only this one is alive; on a server, the holder's LISTEN
   * session (application_name `tawasul-listen:<id>`) is looked up in pg_stat_activity — through
   * `tx` when given, so a caller inside a transaction never waits for a second pooled connection.
   */
  isAlive: (instanceId: string, tx?: DbOrTx) => Promise<boolean>
}

// int8 comes back as a string from node-postgres; our ids and counts fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v))

export const PGLITE_EXTENSIONS = { citext, pg_trgm, btree_gin }

export type OpenOptions = {
  dataDir: string
  databaseUrl?: string | undefined
  /** Name recorded in the PGlite lockfile (e.g. "serve", "migrate"). */
  command: string
  poolSize?: number
  /** For tests: start an in-memory PGlite from a dumped data directory. */
  pgliteSnapshot?: Blob
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10)
  return openPglite(opts)
}

async function openPglite(opts: OpenOptions): Promise<Database> {
  let release = () => {}
  let pglite: PGlite
  if (opts.pgliteSnapshot) {
    pglite = await PGlite.create({ loadDataDir: opts.pgliteSnapshot, extensions: PGLITE_EXTENSIONS })
  } else if (opts.dataDir === 'memory://') {
    pglite = await PGlite.create({ extensions: PGLITE_EXTENSIONS })
  } else {
    mkdirSync(opts.dataDir, { recursive: true })
    release = acquireDataDirLock(opts.dataDir, opts.command)
    try {
      pglite = await PGlite.create(path.join(opts.dataDir, 'pglite'), { extensions: PGLITE_EXTENSIONS })
    } catch (err) {
      release()
      throw err
    }
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Db
  const instanceId = newInstanceId()
  return {
    kind: 'pglite',
    db,
    pglite,
    instanceId,
    isAlive: async (id) => id === instanceId,
    query: async <T>(text: string, params?: unknown[]) => {
      const r = await pglite.query<T>(text, params as unknown[])
      return { rows: r.rows }
    },
    exec: async (text) => {
      await pglite.exec(text)
    },
    listen: async (channel, onPayload) => pglite.listen(channel, onPayload),
    close: async () => {
      try {
        await pglite.close()
      } finally {
        release()
      }
    },
  }
}

function newInstanceId(): string {
  return randomBytes(8).toString('hex')
}

const LISTEN_APP = 'tawasul-listen'

async function openPostgres(url: string, max: number): Promise<Database> {
  const instanceId = newInstanceId()
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'tawasul' })
  // Pool errors on idle clients (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {})
  await pool.query('SELECT 1')
  const db = drizzlePg(pool, { schema }) as unknown as Db
  const listeners = new Map<string, Set<(p: string) => void>>()
  let listenClient: pg.Client | undefined
  const ensureListenClient = async () => {
    if (listenClient) return listenClient
    const client = new pg.Client({ connectionString: url, application_name: `${LISTEN_APP}:${instanceId}` })
    client.on('error', () => {})
    client.on('notification', (msg) => {
      for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '')
    })
    await client.connect()
    listenClient = client
    return client
  }
  return {
    kind: 'postgres',
    db,
    url,
    instanceId,
    isAlive: async (id, tx) => {
      if (id === instanceId) return true
      const text = 'SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1) AS alive'
      const params = [`${LISTEN_APP}:${id}`]
      const r = tx
        ? await rawClientOf(tx).query<{ alive: boolean }>(text, params)
        : await pool.query<{ alive: boolean }>(text, params)
      return Boolean(r.rows[0]?.alive)
    },
    query: async <T>(text: string, params?: unknown[]) => {
      const r = await pool.query(text, params as unknown[])
      return { rows: r.rows as T[] }
    },
    exec: async (text) => {
      await pool.query(text)
    },
    listen: async (channel, onPayload) => {
      const client = await ensureListenClient()
      let set = listeners.get(channel)
      if (!set) {
        set = new Set()
        listeners.set(channel, set)
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
      }
      set.add(onPayload)
      return async () => {
        set.delete(onPayload)
      }
    },
    close: async () => {
      await listenClient?.end().catch(() => {})
      await pool.end()
    },
  }
}

/**
 * The raw driver client behind a drizzle transaction (PGlite's Transaction or a pg PoolClient).
 * pg-boss needs it to enqueue jobs inside our transaction (a transactional outbox).
 */
export function rawClientOf(tx: DbOrTx): { query: RawQuery } {
  const client = (tx as unknown as { session: { client: { query: RawQuery } } }).session.client
  return { query: (text, params) => client.query(text, params) }
}
