import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { DbOrTx, Tx } from '../db/database'
import { UnprocessableError, ValidationError } from '../errors'
import { emit } from '../events'
import { deleteNotificationsOfContact } from '../notifications/notifications.repo'
import {
  type ContactRow,
  defaultLifecycleStageId,
  deleteContact,
  findContact,
  findFirstContactBy,
  insertContact,
  listIdentities,
  lockContact,
  updateContact,
} from './contacts.repo'
import type { CreateContactInput, UpdateContactInput } from './contacts.schema'
import { listFields } from './fields.repo'
import { applyCustomValues, checkCustomValues } from './fields.values'
import { findStage } from './lifecycle.repo'
import { tagsOfContacts } from './tags.repo'
import { applyTagChanges, loadTags } from './tags.service'
import { assertCanSee } from './visibility'

async function checkCustom(tx: Tx, workspaceId: number, input: Record<string, unknown> | undefined) {
  if (!input || Object.keys(input).length === 0) return {}
  const { values, problems } = checkCustomValues(await listFields(tx, workspaceId), input, 'json')
  if (problems.length) {
    throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems)
  }
  return values
}

const needsIdentity = () =>
  new ValidationError('A contact needs at least a first name, a phone number or an email address.', [
    { path: 'firstName', message: 'Give a first name, a phone number or an email address.' },
  ])

/** Creates a contact by hand or through the API (rules 54–56). Shared phones and emails are allowed; they raise merge suggestions (rule 53). */
export async function createContact(ctx: Ctx, p: Principal, input: CreateContactInput): Promise<ContactRow> {
  authorize(p, 'contacts.view')
  const firstName = input.firstName ?? ''
  if (!firstName && !input.phone && !input.email) throw needsIdentity()
  return ctx.db.transaction(async (tx) => {
    const values = await checkCustom(tx, p.workspaceId, input.custom)
    let stageId: number | null
    if (input.lifecycleStageId === undefined) {
      // Rule 58: new contacts start in the default stage.
      stageId = await defaultLifecycleStageId(tx, p.workspaceId)
    } else {
      stageId = input.lifecycleStageId
      if (stageId !== null && !(await findStage(tx, p.workspaceId, stageId))) {
        throw new UnprocessableError('Unknown lifecycle stage.', 'unknown_stage', [
          { path: 'lifecycleStageId', message: 'No such stage in this workspace.' },
        ])
      }
    }
    const tags = await loadTags(tx, p.workspaceId, input.tagIds ?? [], 'tagIds')
    const contact = await insertContact(tx, {
      workspaceId: p.workspaceId,
      firstName,
      lastName: input.lastName ?? '',
      phone: input.phone?.e164 ?? null,
      email: input.email ?? null,
      // Rule 54: the country is derived from the phone unless given.
      country: input.country !== undefined ? input.country : (input.phone?.country ?? null),
      language: input.language ?? null,
      custom: applyCustomValues({}, values).custom,
      lifecycleStageId: stageId,
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact.created',
      payload: { contactId: contact.id, source: p.kind === 'api' ? 'api' : 'user' },
    })
    await applyTagChanges(tx, p.workspaceId, actorOf(p), [contact.id], [...tags.keys()], [], tags)
    return contact
  })
}

/** How an integration names a contact: by id, or by email or phone (the oldest match wins). */
export type ContactRef = { id: number } | { email: string } | { phone: string }

/** Finds a contact the principal may see by id, email or phone (developer API identifiers). */
export async function findContactByRef(ctx: Ctx, p: Principal, ref: ContactRef): Promise<ContactRow> {
  authorize(p, 'inbox.view')
  const row =
    'id' in ref
      ? await findContact(ctx.db, p.workspaceId, ref.id)
      : await findFirstContactBy(ctx.db, p.workspaceId, ref)
  return assertCanSee(p, row)
}

export type ContactDetail = Awaited<ReturnType<typeof getContactDetail>>

/**
 * One contact with its channels, tags and lifecycle stage. Agents reach contacts from the inbox,
 * so this needs the inbox and visibility of the contact (rules 44, 102), not the Contacts module.
 */
export async function getContactDetail(ctx: Ctx, p: Principal, contactId: number) {
  authorize(p, 'inbox.view')
  const contact = assertCanSee(p, await findContact(ctx.db, p.workspaceId, contactId))
  return detailOf(ctx.db, contact)
}

export async function detailOf(db: DbOrTx, contact: ContactRow) {
  const [identities, tags, stage] = await Promise.all([
    listIdentities(db, contact.workspaceId, contact.id),
    tagsOfContacts(db, contact.workspaceId, [contact.id]),
    contact.lifecycleStageId ? findStage(db, contact.workspaceId, contact.lifecycleStageId) : undefined,
  ])
  return { contact, identities, tags, stage: stage ?? null }
}

/**
 * Edits standard fields and custom values. contact.updated lists the changed keys
 * (e.g. ['firstName', 'custom.city']); nothing is written when nothing changes.
 */
export async function updateContactFields(
  ctx: Ctx,
  p: Principal,
  contactId: number,
  input: UpdateContactInput,
): Promise<ContactRow> {
  authorize(p, 'inbox.view')
  return ctx.db.transaction(async (tx) => {
    const contact = assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    const values = await checkCustom(tx, p.workspaceId, input.custom)
    const next = {
      firstName: input.firstName ?? contact.firstName,
      lastName: input.lastName ?? contact.lastName,
      phone: input.phone === undefined ? contact.phone : (input.phone?.e164 ?? null),
      email: input.email === undefined ? contact.email : input.email,
      country:
        input.country !== undefined
          ? input.country
          : input.phone && input.phone.e164 !== contact.phone
            ? (input.phone.country ?? contact.country)
            : contact.country,
      language: input.language === undefined ? contact.language : input.language,
    }
    if (!next.firstName && !next.phone && !next.email) throw needsIdentity()
    const changes = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== contact[k])
    const { custom, changed } = applyCustomValues(contact.custom, values)
    const all = [...changes, ...changed.map((k) => `custom.${k}`)]
    if (all.length === 0) return contact
    const updated = (await updateContact(tx, p.workspaceId, contactId, {
      ...next,
      ...(changed.length ? { custom } : {}),
    }))!
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'contact.updated',
      payload: { contactId, changes: all },
    })
    return updated
  })
}

/** Rules 56 and 101: deletion cannot be undone, and managers can be restricted from it. */
export async function removeContact(ctx: Ctx, p: Principal, contactId: number): Promise<void> {
  authorize(p, 'contacts.delete')
  await ctx.db.transaction(async (tx) => {
    assertCanSee(p, await lockContact(tx, p.workspaceId, contactId))
    await deleteNotificationsOfContact(tx, p.workspaceId, contactId)
    // Identities, conversations, messages, comments and tags go with it (foreign keys cascade).
    await deleteContact(tx, p.workspaceId, contactId)
    await emit(tx, p.workspaceId, actorOf(p), { type: 'contact.deleted', payload: { contactId } })
  })
}
