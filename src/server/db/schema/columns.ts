import { bigint, customType, timestamp } from 'drizzle-orm/pg-core'

/** Case-insensitive text (PostgreSQL citext extension): emails compare and index without case. */
export const citext = customType<{ data: string }>({ dataType: () => 'citext' })

/** Surrogate key. bigint identities, returned as JS numbers (safe below 2^53). */
export const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity()
/** Surrogate key of a tenant-owned table; the primary key is (workspace_id, id). */
export const tenantId = () => bigint('id', { mode: 'number' }).notNull().generatedAlwaysAsIdentity()
export const workspaceId = () => bigint('workspace_id', { mode: 'number' }).notNull()
export const ref = (name: string) => bigint(name, { mode: 'number' })
export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
