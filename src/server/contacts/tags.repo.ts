import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { contactTags, tags } from '../db/schema'

export type TagRow = typeof tags.$inferSelect
export type TagPair = { contactId: number; tagId: number }

export async function listTagsWithCounts(db: DbOrTx, workspaceId: number) {
  return db
    .select({
      id: tags.id,
      name: tags.name,
      color: tags.color,
      createdAt: tags.createdAt,
      contactCount: sql<number>`(SELECT count(*)::int FROM contact_tags ct WHERE ct.workspace_id = ${tags.workspaceId} AND ct.tag_id = ${tags.id})`,
    })
    .from(tags)
    .where(eq(tags.workspaceId, workspaceId))
    .orderBy(asc(tags.name))
}

export async function findTag(db: DbOrTx, workspaceId: number, id: number): Promise<TagRow | undefined> {
  const [row] = await db
    .select()
    .from(tags)
    .where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, id)))
  return row
}

/** Case-insensitive (citext). */
export async function findTagByName(db: DbOrTx, workspaceId: number, name: string) {
  const [row] = await db
    .select()
    .from(tags)
    .where(and(eq(tags.workspaceId, workspaceId), eq(tags.name, name)))
  return row
}

export async function findTagsByIds(db: DbOrTx, workspaceId: number, ids: number[]): Promise<TagRow[]> {
  if (ids.length === 0) return []
  return db
    .select()
    .from(tags)
    .where(and(eq(tags.workspaceId, workspaceId), inArray(tags.id, ids)))
}

export async function listAllTags(db: DbOrTx, workspaceId: number): Promise<TagRow[]> {
  return db.select().from(tags).where(eq(tags.workspaceId, workspaceId))
}

export async function insertTag(db: DbOrTx, values: typeof tags.$inferInsert): Promise<TagRow> {
  const [row] = await db.insert(tags).values(values).returning()
  return row!
}

/** Creates the named tags that do not exist yet (import); returns every tag of the workspace. */
export async function ensureTags(db: DbOrTx, workspaceId: number, names: string[]): Promise<TagRow[]> {
  if (names.length) {
    await db
      .insert(tags)
      .values(names.map((name) => ({ workspaceId, name })))
      .onConflictDoNothing()
  }
  return listAllTags(db, workspaceId)
}

export async function updateTag(
  db: DbOrTx,
  workspaceId: number,
  id: number,
  values: Partial<Pick<TagRow, 'name' | 'color'>>,
) {
  const [row] = await db
    .update(tags)
    .set(values)
    .where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, id)))
    .returning()
  return row
}

export async function deleteTag(db: DbOrTx, workspaceId: number, id: number) {
  const [row] = await db
    .delete(tags)
    .where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, id)))
    .returning()
  return row
}

export async function countContactsWithTag(db: DbOrTx, workspaceId: number, tagId: number) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(contactTags)
    .where(and(eq(contactTags.workspaceId, workspaceId), eq(contactTags.tagId, tagId)))
  return row?.n ?? 0
}

export async function tagsOfContacts(
  db: DbOrTx,
  workspaceId: number,
  contactIds: number[],
): Promise<(TagRow & { contactId: number })[]> {
  if (contactIds.length === 0) return []
  const rows = await db
    .select({ contactId: contactTags.contactId, tag: tags })
    .from(contactTags)
    .innerJoin(tags, and(eq(tags.workspaceId, contactTags.workspaceId), eq(tags.id, contactTags.tagId)))
    .where(and(eq(contactTags.workspaceId, workspaceId), inArray(contactTags.contactId, contactIds)))
    .orderBy(asc(tags.name))
  return rows.map((r) => ({ ...r.tag, contactId: r.contactId }))
}

/** Adds tags; pairs that already exist are left alone. Returns the pairs actually added. */
export async function addContactTags(db: DbOrTx, workspaceId: number, pairs: TagPair[]): Promise<TagPair[]> {
  if (pairs.length === 0) return []
  const out: TagPair[] = []
  for (let i = 0; i < pairs.length; i += 10_000) {
    out.push(
      ...(await db
        .insert(contactTags)
        .values(pairs.slice(i, i + 10_000).map((p) => ({ workspaceId, ...p })))
        .onConflictDoNothing()
        .returning({ contactId: contactTags.contactId, tagId: contactTags.tagId })),
    )
  }
  return out
}

/** Removes tags; returns the pairs that were there. */
export async function removeContactTags(
  db: DbOrTx,
  workspaceId: number,
  contactIds: number[],
  tagIds: number[],
): Promise<TagPair[]> {
  if (contactIds.length === 0 || tagIds.length === 0) return []
  return db
    .delete(contactTags)
    .where(
      and(
        eq(contactTags.workspaceId, workspaceId),
        inArray(contactTags.contactId, contactIds),
        inArray(contactTags.tagId, tagIds),
      ),
    )
    .returning({ contactId: contactTags.contactId, tagId: contactTags.tagId })
}

export function groupTags<T extends { contactId: number }>(rows: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>()
  for (const r of rows) {
    const list = map.get(r.contactId)
    if (list) list.push(r)
    else map.set(r.contactId, [r])
  }
  return map
}
