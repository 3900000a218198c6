import path from 'node:path'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import pg from 'pg'
import type { Database } from './database'

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, 'migrations')
const MIGRATION_LOCK = 7_311_001 // constant advisory-lock key for schema changes

/**
 * Applies pending SQL migrations. On a PostgreSQL server several processes may boot at once,
 * so the work runs on one dedicated connection holding an advisory lock.
 */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_DIR })
    return
  }
  const client = new pg.Client({ connectionString: database.url, application_name: 'tawasul-migrate' })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    await migratePg(drizzle(client), { migrationsFolder: MIGRATIONS_DIR })
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
  } finally {
    await client.end()
  }
}
