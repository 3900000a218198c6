import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import { isUniqueViolation } from '../db/errors'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { type Actor, type DomainEvent, emit, emitMany } from '../events'
import { type ContactRow, lockContact, lockContacts } from './contacts.repo'
import {
  addContactTags,
  countContactsWithTag,
  deleteTag,
  findTag,
  findTagByName,
  findTagsByIds,
  insertTag,
  listTagsWithCounts,
  removeContactTags,
  type TagPair,
  type TagRow,
  updateTag,
} from './tags.repo'
import { assertCanSee } from './visibility'

export const MAX_BULK_CONTACTS = 1000

export async function listWorkspaceTags(ctx: Ctx, p: Principal) {
  authorize(p, 'inbox.view')
  return listTagsWithCounts(ctx.db, p.workspaceId)
}

const duplicateName = (name: string) =>
  new ConflictError(`A tag named "${name}" already exists.`, 'duplicate_name', [
    { path: 'name', message: 'A tag with this name already exists (names ignore case).' },
  ])

/** Tag definitions are workspace data managed alongside contact fields. */
export async function createTag(
  ctx: Ctx,
  p: Principal,
  input: { name: string; color?: string | null | undefined },
): Promise<TagRow> {
  authorize(p, 'settings.contactFields')
  try {
    return await ctx.db.transaction(async (tx) => {
      if (await findTagByName(tx, p.workspaceId, input.name)) throw duplicateName(input.name)
      const tag = await insertTag(tx, {
        workspaceId: p.workspaceId,
        name: input.name,
        color: input.color ?? null,
      })
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'tag.created',
        payload: { tagId: tag.id, name: tag.name },
      })
      return tag
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(input.name)
    throw err
  }
}

export async function editTag(
  ctx: Ctx,
  p: Principal,
  tagId: number,
  input: { name?: string | undefined; color?: string | null | undefined },
): Promise<TagRow> {
  authorize(p, 'settings.contactFields')
  try {
    return await ctx.db.transaction(async (tx) => {
      const tag = await findTag(tx, p.workspaceId, tagId)
      if (!tag) throw new NotFoundError('Tag')
      if (input.name !== undefined && input.name.toLowerCase() !== tag.name.toLowerCase()) {
        if (await findTagByName(tx, p.workspaceId, input.name)) throw duplicateName(input.name)
      }
      const changes = [
        ...(input.name !== undefined && input.name !== tag.name ? ['name'] : []),
        ...(input.color !== undefined && input.color !== tag.color ? ['color'] : []),
      ]
      if (changes.length === 0) return tag
      const updated = (await updateTag(tx, p.workspaceId, tagId, input))!
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'tag.updated',
        payload: { tagId, name: updated.name, changes },
      })
      return updated
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(input.name ?? '')
    throw err
  }
}

/** Deleting a tag removes it from every contact (one tag.deleted event, not one per contact). */
export async function removeTag(ctx: Ctx, p: Principal, tagId: number): Promise<number> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    const count = await countContactsWithTag(tx, p.workspaceId, tagId)
    const tag = await deleteTag(tx, p.workspaceId, tagId)
    if (!tag) throw new NotFoundError('Tag')
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'tag.deleted',
      payload: { tagId, name: tag.name, contactsUntagged: count },
    })
    return count
  })
}

export async function loadTags(
  tx: Tx,
  workspaceId: number,
  ids: number[],
  path: string,
): Promise<Map<number, TagRow>> {
  const unique = [...new Set(ids)]
  const found = await findTagsByIds(tx, workspaceId, unique)
  const missing = unique.filter((id) => !found.some((t) => t.id === id))
  if (missing.length) {
    throw new UnprocessableError(`Unknown tag id(s): ${missing.join(', ')}.`, 'unknown_tag', [
      { path, message: `No such tag in this workspace: ${missing.join(', ')}.` },
    ])
  }
  return new Map(found.map((t) => [t.id, t]))
}

function tagEvents(pairs: TagPair[], tags: Map<number, TagRow>, action: 'added' | 'removed'): DomainEvent[] {
  return pairs.map((pair) => ({
    type: 'contact.tag_updated',
    payload: { contactId: pair.contactId, tagId: pair.tagId, tag: tags.get(pair.tagId)!.name, action },
  }))
}

/** Adds and removes tags on locked contacts, emitting contact.tag_updated for each real change. */
export async function applyTagChanges(
  tx: Tx,
  workspaceId: number,
  actor: Actor,
  contactIds: number[],
  add: number[],
  remove: number[],
  tags: Map<number, TagRow>,
): Promise<{ added: TagPair[]; removed: TagPair[] }> {
  const removed = await removeContactTags(tx, workspaceId, contactIds, remove)
  const added = await addContactTags(
    tx,
    workspaceId,
    contactIds.flatMap((contactId) => add.map((tagId) => ({ contactId, tagId }))),
  )
  await emitMany(tx, workspaceId, actor, [
    ...tagEvents(removed, tags, 'removed'),
    ...tagEvents(added, tags, 'added'),
  ])
  return { added, removed }
}

/** Tag a contact from the inbox or the Contacts module; agents only contacts they can see. */
export async function tagContact(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  input: { add: number[]; remove: number[] },
): Promise<ContactRow> {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    const tags = await loadTags(tx, p.workspaceId, [...input.add, ...input.remove], 'tagIds')
    await applyTagChanges(tx, p.workspaceId, actorOf(p), [contact.id], input.add, input.remove, tags)
    return contact
  })
}

/** Bulk tagging from the Contacts module: all or nothing. */
export async function bulkTagContacts(
  ctx: Ctx,
  p: Principal,
  input: { contactIds: number[]; add: number[]; remove: number[] },
): Promise<{ added: number; removed: number }> {
  authorize(p, 'contacts.view')
  const ids = [...new Set(input.contactIds)]
  return ctx.db.transaction(async (tx) => {
    const tags = await loadTags(tx, p.workspaceId, [...input.add, ...input.remove], 'add')
    const locked = await lockContacts(tx, p.workspaceId, ids)
    const missing = ids.filter((id) => !locked.some((c) => c.id === id))
    if (missing.length) {
      throw new UnprocessableError(`Unknown contact id(s): ${missing.join(', ')}.`, 'unknown_contact', [
        { path: 'contactIds', message: `No such contact in this workspace: ${missing.join(', ')}.` },
      ])
    }
    const r = await applyTagChanges(tx, p.workspaceId, actorOf(p), ids, input.add, input.remove, tags)
    return { added: r.added.length, removed: r.removed.length }
  })
}
