import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { isUniqueViolation } from '../db/errors'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import { type ContactRow, lockContact, updateContact } from './contacts.repo'
import { assertPermutation } from './fields.service'
import {
  clearStageFromContacts,
  deleteStage,
  findStage,
  findStageByName,
  insertStage,
  type LifecycleStageRow,
  listStages,
  makeDefaultStage,
  setStagePositions,
  updateStage,
} from './lifecycle.repo'
import { assertCanSee } from './visibility'

export const MAX_STAGES = 20

export async function listLifecycleStages(ctx: Ctx, p: Principal): Promise<LifecycleStageRow[]> {
  authorize(p, 'inbox.view')
  return listStages(ctx.db, p.workspaceId)
}

const duplicateName = (name: string) =>
  new ConflictError(`A lifecycle stage named "${name}" already exists.`, 'duplicate_name', [
    { path: 'name', message: 'A stage with this name already exists (names ignore case).' },
  ])

async function guardUnique<T>(name: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(name ?? '')
    throw err
  }
}

/** Rule 58: stages are editable by whoever manages contact settings. */
export async function createLifecycleStage(
  ctx: Ctx,
  p: Principal,
  input: { name: string; isLost?: boolean | undefined },
): Promise<LifecycleStageRow> {
  authorize(p, 'settings.contactFields')
  return guardUnique(input.name, () =>
    ctx.db.transaction(async (tx) => {
      if (await findStageByName(tx, p.workspaceId, input.name)) throw duplicateName(input.name)
      if ((await listStages(tx, p.workspaceId)).length >= MAX_STAGES) {
        throw new UnprocessableError(
          `A workspace can have at most ${MAX_STAGES} lifecycle stages.`,
          'limit_reached',
        )
      }
      const stage = await insertStage(tx, {
        workspaceId: p.workspaceId,
        name: input.name,
        isLost: input.isLost ?? false,
      })
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'lifecycle_stage.created',
        payload: { stageId: stage.id, name: stage.name },
      })
      return stage
    }),
  )
}

const defaultCannotBeLost = () =>
  new ConflictError('The default stage cannot be a lost stage.', 'default_stage_lost', [
    { path: 'isLost', message: 'New contacts start in the default stage; it cannot be a lost stage.' },
  ])

export async function updateLifecycleStage(
  ctx: Ctx,
  p: Principal,
  stageId: number,
  input: { name?: string | undefined; isLost?: boolean | undefined },
): Promise<LifecycleStageRow> {
  authorize(p, 'settings.contactFields')
  return guardUnique(input.name, () =>
    ctx.db.transaction(async (tx) => {
      const stage = await findStage(tx, p.workspaceId, stageId)
      if (!stage) throw new NotFoundError('Lifecycle stage')
      if (input.name !== undefined && input.name.toLowerCase() !== stage.name.toLowerCase()) {
        if (await findStageByName(tx, p.workspaceId, input.name)) throw duplicateName(input.name)
      }
      if (input.isLost && stage.isDefault) throw defaultCannotBeLost()
      const changes = [
        ...(input.name !== undefined && input.name !== stage.name ? ['name'] : []),
        ...(input.isLost !== undefined && input.isLost !== stage.isLost ? ['isLost'] : []),
      ]
      if (changes.length === 0) return stage
      const updated = (await updateStage(tx, p.workspaceId, stageId, input))!
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'lifecycle_stage.updated',
        payload: { stageId, changes },
      })
      return updated
    }),
  )
}

/** Rule 58: the default stage is set from the stage's menu; exactly one stage is the default. */
export async function setDefaultLifecycleStage(
  ctx: Ctx,
  p: Principal,
  stageId: number,
): Promise<LifecycleStageRow[]> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    const stage = await findStage(tx, p.workspaceId, stageId)
    if (!stage) throw new NotFoundError('Lifecycle stage')
    if (stage.isLost) {
      throw new ConflictError('A lost stage cannot be the default.', 'default_stage_lost', [
        {
          path: 'stageId',
          message: 'New contacts start in the default stage; choose a stage that is not lost.',
        },
      ])
    }
    if (!stage.isDefault) {
      await makeDefaultStage(tx, p.workspaceId, stageId)
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'lifecycle_stage.updated',
        payload: { stageId, changes: ['isDefault'] },
      })
    }
    return listStages(tx, p.workspaceId)
  })
}

export async function reorderLifecycleStages(
  ctx: Ctx,
  p: Principal,
  ids: number[],
): Promise<LifecycleStageRow[]> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    assertPermutation(
      (await listStages(tx, p.workspaceId)).map((s) => s.id),
      ids,
      'stageIds',
    )
    await setStagePositions(tx, p.workspaceId, ids)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'lifecycle_stage.reordered',
      payload: { stageIds: ids },
    })
    return listStages(tx, p.workspaceId)
  })
}

/** The default stage cannot be deleted (there must always be one); its contacts keep no stage otherwise. */
export async function deleteLifecycleStage(ctx: Ctx, p: Principal, stageId: number): Promise<number> {
  authorize(p, 'settings.contactFields')
  return ctx.db.transaction(async (tx) => {
    const stage = await findStage(tx, p.workspaceId, stageId)
    if (!stage) throw new NotFoundError('Lifecycle stage')
    if (stage.isDefault) {
      throw new ConflictError(
        'The default stage cannot be deleted. Make another stage the default first.',
        'default_stage',
      )
    }
    const cleared = await clearStageFromContacts(tx, p.workspaceId, stageId)
    await deleteStage(tx, p.workspaceId, stageId)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'lifecycle_stage.deleted',
      payload: { stageId, name: stage.name, contactsCleared: cleared },
    })
    return cleared
  })
}

/** Moves a contact to a stage (or none); emits contact.lifecycle_updated with from and to. */
export async function setContactLifecycle(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  stageId: number | null,
): Promise<ContactRow> {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    if (stageId !== null && !(await findStage(tx, p.workspaceId, stageId))) {
      throw new UnprocessableError('Unknown lifecycle stage.', 'unknown_stage', [
        { path: 'stageId', message: 'No such stage in this workspace.' },
      ])
    }
    if (contact.lifecycleStageId === stageId) return contact
    const updated = (await updateContact(tx, p.workspaceId, contactId, { lifecycleStageId: stageId }))!
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact.lifecycle_updated',
      payload: { contactId, from: contact.lifecycleStageId, to: stageId },
    })
    return updated
  })
}
