import { valueText } from '../../shared/workflow/variables'
import { type ContactRow, updateContact } from '../contacts/contacts.repo'
import { findFieldByKey } from '../contacts/fields.repo'
import { applyCustomValues, checkCustomValue } from '../contacts/fields.values'
import {
  type Checked,
  normalizeCountry,
  normalizeEmail,
  normalizeLanguage,
  normalizePhone,
} from '../contacts/standard-fields'
import type { Tx } from '../db/database'
import { type Actor, emit } from '../events'

/** Standard fields a workflow may set (and the Contact Field Updated trigger watches), by variable name → column. */
export const STANDARD = {
  firstname: 'firstName',
  lastname: 'lastName',
  email: 'email',
  phone: 'phone',
  country: 'country',
  language: 'language',
} as const
export type StandardField = keyof typeof STANDARD
export const STANDARD_FIELDS = Object.keys(STANDARD) as StandardField[]

export const isStandardField = (f: string): f is StandardField => Object.hasOwn(STANDARD, f)

function checkStandard(field: StandardField, text: string): Checked<Record<string, unknown>> {
  switch (field) {
    case 'firstname':
    case 'lastname': {
      const v = text.trim()
      if (v.length > 100) return { ok: false, message: 'At most 100 characters.' }
      return { ok: true, value: { [STANDARD[field]]: v } }
    }
    case 'email': {
      const r = normalizeEmail(text)
      return r.ok ? { ok: true, value: { email: r.value } } : r
    }
    case 'phone': {
      const r = normalizePhone(text)
      return r.ok ? { ok: true, value: { phone: r.value.e164, country: r.value.country } } : r
    }
    case 'country': {
      const r = normalizeCountry(text)
      return r.ok ? { ok: true, value: { country: r.value } } : r
    }
    case 'language': {
      const r = normalizeLanguage(text)
      return r.ok ? { ok: true, value: { language: r.value } } : r
    }
  }
}

/**
 * Sets (or with null clears) a standard or custom field of a locked contact, validated like an
 * edit by a person (rules 54–55), and emits contact.updated with the workflow as actor.
 */
export async function setContactField(
  tx: Tx,
  contact: ContactRow,
  actor: Actor,
  field: string,
  raw: unknown,
): Promise<{ ok: true; changed: boolean; value: unknown } | { ok: false; message: string }> {
  const ws = contact.workspaceId
  const text = valueText(raw)
  let values: Record<string, unknown>
  let changes: string[]
  if (isStandardField(field)) {
    if (text === undefined) {
      if (field === 'firstname' || field === 'lastname') values = { [STANDARD[field]]: '' }
      else values = { [STANDARD[field]]: null }
    } else {
      const r = checkStandard(field, text)
      if (!r.ok) return r
      values = r.value
    }
    changes = Object.keys(values).filter((k) => (contact as Record<string, unknown>)[k] !== values[k])
    // A name can be cleared only if something else still identifies the contact.
    const next = { ...contact, ...values } as ContactRow
    if (!next.firstName && !next.phone && !next.email)
      return {
        ok: false,
        message: 'A contact needs at least a first name, a phone number or an email address.',
      }
  } else {
    const def = await findFieldByKey(tx, ws, field)
    if (!def) return { ok: false, message: `There is no contact field "${field}".` }
    const r = checkCustomValue(
      def,
      typeof raw === 'number' || typeof raw === 'boolean' ? raw : (text ?? null),
      'text',
    )
    if (!r.ok) return r
    const applied = applyCustomValues(contact.custom, { [field]: r.value })
    values = applied.changed.length ? { custom: applied.custom } : {}
    changes = applied.changed.map((k) => `custom.${k}`)
  }
  if (changes.length === 0) return { ok: true, changed: false, value: raw }
  const updated = (await updateContact(tx, ws, contact.id, values))!
  Object.assign(contact, updated)
  await emit(tx, ws, actor, { type: 'contact.updated', payload: { contactId: contact.id, changes } })
  return {
    ok: true,
    changed: true,
    value: isStandardField(field) ? Object.values(values)[0] : updated.custom[field],
  }
}
