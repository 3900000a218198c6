import { getCountries, parsePhoneNumberFromString } from 'libphonenumber-js'
import { emailSchema } from '../http/schemas'

/** The result of normalizing one value typed by a person or read from a CSV cell. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

const COUNTRIES: ReadonlySet<string> = new Set(getCountries())

/**
 * Phone numbers are stored in E.164. A country code is required (rule 57: "+" recommended, so
 * "966501234567" and "00966501234567" are read as +966…); the country comes from it (rule 54).
 */
export function normalizePhone(raw: string): Checked<{ e164: string; country: string | null }> {
  let s = raw.trim().replace(/[\s().\-\u200e\u200f]/g, '')
  if (s.startsWith('00')) s = `+${s.slice(2)}`
  if (/^\d{8,15}$/.test(s)) s = `+${s}`
  if (!/^\+\d{6,15}$/.test(s)) {
    return { ok: false, message: 'Enter the phone number with its country code, e.g. +966 50 123 4567.' }
  }
  const parsed = parsePhoneNumberFromString(s)
  if (!parsed?.isValid()) {
    return { ok: false, message: 'This is not a valid phone number for its country code.' }
  }
  return { ok: true, value: { e164: parsed.number, country: parsed.country ?? null } }
}

export function normalizeEmail(raw: string): Checked<string> {
  const r = emailSchema.safeParse(raw.trim())
  return r.success ? { ok: true, value: r.data } : { ok: false, message: 'Enter a valid email address.' }
}

/** ISO 3166-1 alpha-2, upper case. */
export function normalizeCountry(raw: string): Checked<string> {
  const s = raw.trim().toUpperCase()
  return COUNTRIES.has(s)
    ? { ok: true, value: s }
    : { ok: false, message: 'Use a two-letter ISO country code, e.g. SA or AE.' }
}

/** A BCP 47 language tag such as "ar" or "en-US" (rule 54: normally from the contact's client). */
export function normalizeLanguage(raw: string): Checked<string> {
  const s = raw.trim()
  const m = /^([A-Za-z]{2,3})((?:-[A-Za-z0-9]{2,8})*)$/.exec(s)
  if (!m || s.length > 35) return { ok: false, message: 'Use a language code such as "ar" or "en-US".' }
  return { ok: true, value: `${m[1]!.toLowerCase()}${m[2] ?? ''}` }
}
