import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { isUniqueViolation } from '../db/errors'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import {
  type CustomFieldRow,
  clearFieldValues,
  countFields,
  deleteField,
  findField,
  findFieldByKey,
  insertField,
  listFields,
  setFieldPositions,
  updateField,
} from './fields.repo'
import type { FieldType } from './fields.values'

export const MAX_FIELDS = 200

/** Keys that name standard fields (rule 54) or would shadow them as $contact.<key> variables. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  'id',
  'name',
  'first_name',
  'firstname',
  'last_name',
  'lastname',
  'full_name',
  'display_name',
  'phone',
  'phone_number',
  'email',
  'email_address',
  'country',
  'language',
  'profile_pic',
  'profile_picture',
  'avatar',
  'avatar_url',
  'lifecycle',
  'lifecycle_stage',
  'tags',
  'assignee',
  'channel',
  'blocked',
  'created_at',
  'updated_at',
])

export async function listContactFields(ctx: Ctx, p: Principal): Promise<CustomFieldRow[]> {
  // The inbox's contact panel shows custom fields, so anyone with the inbox reads the definitions.
  authorize(p, 'inbox.view')
  return listFields(ctx.db, p.workspaceId)
}

const duplicateKey = (key: string) =>
  new ConflictError(`A contact field with the key "${key}" already exists.`, 'duplicate_key', [
    { path: 'key', message: 'This key is already used by another field.' },
  ])

function checkOptions(type: FieldType, options: string[] | undefined): string[] {
  if (type !== 'list') {
    if (options?.length) {
      throw new UnprocessableError('Only list fields have options.', 'invalid_options', [
        { path: 'options', message: 'Only list fields have options.' },
      ])
    }
    return []
  }
  const clean = (options ?? []).map((o) => o.trim())
  const lower = clean.map((o) => o.toLowerCase())
  if (clean.length === 0 || new Set(lower).size !== lower.length) {
    throw new UnprocessableError(
      'A list field needs at least one option, each different.',
      'invalid_options',
      [{ path: 'options', message: 'Give at least one option; options must be unique.' }],
    )
  }
  return clean
}

export type FieldInput = {
  key: string
  name: string
  description?: string | undefined
  type: FieldType
  options?: string[] | undefined
}

/** Rule 55: custom fields are user-created, with a name, a description and a type. */
export async function createContactField(ctx: Ctx, p: Principal, input: FieldInput): Promise<CustomFieldRow> {
  authorize(p, 'settings.contactFields')
  if (RESERVED_KEYS.has(input.key)) {
    throw new UnprocessableError(`"${input.key}" is the name of a standard contact field.`, 'reserved_key', [
      { path: 'key', message: 'This key is reserved for a standard field.' },
    ])
  }
  const options = checkOptions(input.type, input.options)
  try {
    return await ctx.db.transaction(async (tx) => {
      if (await findFieldByKey(tx, p.workspaceId, input.key)) throw duplicateKey(input.key)
      if ((await countFields(tx, p.workspaceId)) >= MAX_FIELDS) {
        throw new UnprocessableError(
          `A workspace can have at most ${MAX_FIELDS} contact fields.`,
          'limit_reached',
        )
      }
      const field = await insertField(tx, {
        workspaceId: p.workspaceId,
        key: input.key,
        name: input.name,
        description: input.description ?? '',
        type: input.type,
        options,
      })
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'contact_field.created',
        payload: { fieldId: field.id, key: field.key },
      })
      return field
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateKey(input.key)
    throw err
  }
}

/**
 * The key and type are fixed once created: the key is a workflow variable ($contact.<key>) and
 * stored values were validated for the type. Removing list options clears those values.
 */
export async function updateContactField(
  ctx: Ctx,
  p: Principal,
  fieldId: number,
  input: { name?: string | undefined; description?: string | undefined; options?: string[] | undefined },
): Promise<CustomFieldRow> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    const field = await findField(tx, p.workspaceId, fieldId)
    if (!field) throw new NotFoundError('Contact field')
    const options = input.options !== undefined ? checkOptions(field.type, input.options) : undefined
    const changes = [
      ...(input.name !== undefined && input.name !== field.name ? ['name'] : []),
      ...(input.description !== undefined && input.description !== field.description ? ['description'] : []),
      ...(options && options.join('\n') !== field.options.join('\n') ? ['options'] : []),
    ]
    if (changes.length === 0) return field
    const updated = (await updateField(tx, p.workspaceId, fieldId, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(options ? { options } : {}),
    }))!
    if (options) await clearFieldValues(tx, p.workspaceId, field.key, options)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact_field.updated',
      payload: { fieldId, key: field.key, changes },
    })
    return updated
  })
}

/** Deleting a field removes its values from every contact, in the same transaction. */
export async function deleteContactField(ctx: Ctx, p: Principal, fieldId: number): Promise<number> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    const field = await deleteField(tx, p.workspaceId, fieldId)
    if (!field) throw new NotFoundError('Contact field')
    const cleared = await clearFieldValues(tx, p.workspaceId, field.key)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact_field.deleted',
      payload: { fieldId, key: field.key, contactsCleared: cleared },
    })
    return cleared
  })
}

/** The new order must list every field exactly once. */
export async function reorderContactFields(ctx: Ctx, p: Principal, ids: number[]): Promise<CustomFieldRow[]> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    const current = await listFields(tx, p.workspaceId)
    assertPermutation(
      current.map((f) => f.id),
      ids,
      'fieldIds',
    )
    await setFieldPositions(tx, p.workspaceId, ids)
    await emit(tx, p.workspaceId, actorOf(p), { type: 'contact_field.reordered', payload: { fieldIds: ids } })
    return listFields(tx, p.workspaceId)
  })
}

export function assertPermutation(existing: number[], given: number[], path: string): void {
  const a = [...existing].sort((x, y) => x - y)
  const b = [...given].sort((x, y) => x - y)
  if (a.length !== b.length || a.some((v, i) => v !== b[i])) {
    throw new UnprocessableError('List every item exactly once, in the new order.', 'invalid_order', [
      { path, message: `Expected a permutation of: ${existing.join(', ')}.` },
    ])
  }
}
