import { and, asc, eq, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { snippets } from '../db/schema'

export type SnippetRow = typeof snippets.$inferSelect

/** All snippets, or those whose shortcut starts with `prefix` (the composer's "/" menu). */
export async function listSnippets(db: DbOrTx, workspaceId: number, prefix?: string): Promise<SnippetRow[]> {
  return db
    .select()
    .from(snippets)
    .where(
      and(
        eq(snippets.workspaceId, workspaceId),
        prefix
          ? sql`lower(${snippets.shortcut}) LIKE ${`${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`
          : undefined,
      ),
    )
    .orderBy(asc(snippets.shortcut))
}

export async function findSnippetByShortcut(db: DbOrTx, workspaceId: number, shortcut: string) {
  const [row] = await db
    .select()
    .from(snippets)
    .where(and(eq(snippets.workspaceId, workspaceId), sql`lower(${snippets.shortcut}) = lower(${shortcut})`))
  return row
}

export async function countSnippets(db: DbOrTx, workspaceId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(snippets)
    .where(eq(snippets.workspaceId, workspaceId))
  return row?.n ?? 0
}

export async function insertSnippet(db: DbOrTx, values: typeof snippets.$inferInsert): Promise<SnippetRow> {
  const [row] = await db.insert(snippets).values(values).returning()
  return row!
}

export async function updateSnippet(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<Pick<SnippetRow, 'shortcut' | 'body'>>,
) {
  const [row] = await db
    .update(snippets)
    .set(values)
    .where(and(eq(snippets.workspaceId, workspaceId), eq(snippets.id, id)))
    .returning()
  return row
}

export async function deleteSnippet(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .delete(snippets)
    .where(and(eq(snippets.workspaceId, workspaceId), eq(snippets.id, id)))
    .returning()
  return row
}
