import { actorOf, authorize, type Principal } from '../auth/principal'
import { assertPermutation } from '../contacts/fields.service'
import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import { isUniqueViolation } from '../db/errors'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import {
  type CategoryRow,
  deleteCategory,
  findCategoryByName,
  insertCategory,
  listCategories,
  updateCategory,
} from './categories.repo'

export const MAX_CATEGORIES = 100

/** Everyone who closes conversations picks from the list (rule 35). */
export async function listClosingCategories(ctx: Ctx, p: Principal): Promise<CategoryRow[]> {
  authorize(p, 'inbox.view')
  return listCategories(ctx.db, p.workspaceId)
}

const duplicate = (name: string) =>
  new ConflictError(`A category named "${name}" already exists.`, 'duplicate_name', [
    { path: 'name', message: 'A category with this name already exists (names ignore case).' },
  ])

async function guard<T>(name: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(name ?? '')
    throw err
  }
}

async function assertNameFree(tx: Tx, workspaceId: number, name: string, exceptId?: number) {
  const clash = await findCategoryByName(tx, workspaceId, name)
  if (clash && clash.id !== exceptId) throw duplicate(name)
}

/** Rule 38: Owners and Managers add categories with a name and a description shown to users. */
export async function createClosingCategory(
  ctx: Ctx,
  p: Principal,
  input: { name: string; description?: string | undefined },
): Promise<CategoryRow> {
  authorize(p, 'settings.general')
  return guard(input.name, () =>
    ctx.db.transaction(async (tx) => {
      await assertNameFree(tx, p.workspaceId, input.name)
      if ((await listCategories(tx, p.workspaceId)).length >= MAX_CATEGORIES) {
        throw new UnprocessableError(
          `A workspace can have at most ${MAX_CATEGORIES} categories.`,
          'limit_reached',
        )
      }
      const row = await insertCategory(tx, {
        workspaceId: p.workspaceId,
        name: input.name,
        description: input.description ?? '',
      })
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'closing_category.created',
        payload: { categoryId: row.id, name: row.name },
      })
      return row
    }),
  )
}

export async function updateClosingCategory(
  ctx: Ctx,
  p: Principal,
  id: number,
  input: { name?: string | undefined; description?: string | undefined },
): Promise<CategoryRow> {
  authorize(p, 'settings.general')
  return guard(input.name, () =>
    ctx.db.transaction(async (tx) => {
      if (input.name !== undefined) await assertNameFree(tx, p.workspaceId, input.name, id)
      const row = await updateCategory(tx, p.workspaceId, id, input)
      if (!row) throw new NotFoundError('Category')
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'closing_category.updated',
        payload: { categoryId: id, changes: Object.keys(input) },
      })
      return row
    }),
  )
}

export async function reorderClosingCategories(
  ctx: Ctx,
  p: Principal,
  ids: number[],
): Promise<CategoryRow[]> {
  authorize(p, 'settings.general')
  return ctx.db.transaction(async (tx) => {
    assertPermutation(
      (await listCategories(tx, p.workspaceId)).map((c) => c.id),
      ids,
      'categoryIds',
    )
    for (const [position, id] of ids.entries()) await updateCategory(tx, p.workspaceId, id, { position })
    return listCategories(tx, p.workspaceId)
  })
}

/**
 * Conversations closed with a deleted category keep its id, so past reports still count them;
 * it can no longer be chosen.
 */
export async function deleteClosingCategory(ctx: Ctx, p: Principal, id: number): Promise<void> {
  authorize(p, 'settings.general')
  await ctx.db.transaction(async (tx) => {
    const row = await deleteCategory(tx, p.workspaceId, id)
    if (!row) throw new NotFoundError('Category')
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'closing_category.deleted',
      payload: { categoryId: id, name: row.name },
    })
  })
}
