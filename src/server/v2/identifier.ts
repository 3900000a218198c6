import { z } from 'zod'
import type { ContactRef } from '../contacts/contacts.service'
import { normalizeEmail, normalizePhone } from '../contacts/standard-fields'

export const IDENTIFIER_HELP =
  'Use id:<contact id>, email:<address> or phone:<number with country code>, URL-encoded (phone:%2B966501234567).'

export type Identifier = { kind: 'id'; ref: { id: number } } | { kind: 'email' | 'phone'; ref: ContactRef }

/**
 * respond.io's contact identifiers: `id:123`, `email:x@y`, `phone:+60123456789`. Emails are
 * compared in lower case and phones in E.164, as our contacts store them.
 */
export function parseIdentifier(
  raw: string,
): { ok: true; value: Identifier } | { ok: false; message: string } {
  const m = /^(id|email|phone):(.*)$/s.exec(raw)
  const bad = (why: string) => ({ ok: false as const, message: `Invalid identifier "${raw}": ${why}` })
  if (!m) return bad(IDENTIFIER_HELP)
  const value = m[2]!
  switch (m[1]) {
    case 'id': {
      const id = /^\d{1,15}$/.test(value) ? Number(value) : 0
      return id > 0
        ? { ok: true, value: { kind: 'id', ref: { id } } }
        : bad('a contact id is a positive integer.')
    }
    case 'email': {
      const r = normalizeEmail(value)
      return r.ok ? { ok: true, value: { kind: 'email', ref: { email: r.value } } } : bad(r.message)
    }
    default: {
      const r = normalizePhone(value)
      return r.ok ? { ok: true, value: { kind: 'phone', ref: { phone: r.value.e164 } } } : bad(r.message)
    }
  }
}

/** The `{identifier}` path parameter: a malformed one is a 400 before anything is looked up. */
export const identifierParam = z
  .string()
  .max(320)
  .transform((raw, c): Identifier => {
    const r = parseIdentifier(raw)
    if (r.ok) return r.value
    c.addIssue({ code: 'custom', message: r.message })
    return z.NEVER
  })
  .meta({
    description: `The contact: ${IDENTIFIER_HELP} The oldest contact wins when several share an email or phone (respond.io: "the first contact that matches").`,
    // Examples are parameter values before URL encoding (a client, Swagger UI included, encodes `+`).
    examples: ['id:123', 'email:layla@example.com', 'phone:+966501234567'],
  })
