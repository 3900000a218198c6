import { isDate } from '../contacts/fields.values'
import { normalizeEmail, normalizePhone } from '../contacts/standard-fields'

/** Rule 70's question types. */
export const QUESTION_TYPES = [
  'text',
  'multiple_choice',
  'number',
  'date',
  'phone',
  'email',
  'url',
  'rating',
  'location',
] as const
export type QuestionType = (typeof QUESTION_TYPES)[number]

export const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD-MM-YYYY'] as const
export type DateFormat = (typeof DATE_FORMATS)[number]

export type QuestionRules = {
  type: QuestionType
  choices?: string[] | undefined
  min?: number | undefined
  max?: number | undefined
  dateFormat?: DateFormat | undefined
}

/** What the contact sent: the text, or structured content (an interactive reply, a location). */
export type Reply = {
  type: string
  text: string | null
  content: Record<string, unknown>
}

export type Checked =
  | { ok: true; value: string | number | { latitude: number; longitude: number } }
  | { ok: false; reason: string }

/** Eastern Arabic and Persian digits read as ASCII digits ("٣" is 3). */
export function asciiDigits(s: string): string {
  return s
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/\u066b/g, '.')
}

/** The reply id the builder gives choice n (0-based) when it sends buttons or a list. */
export const choiceId = (n: number) => `choice_${n + 1}`

function checkDate(text: string, format: DateFormat): Checked {
  const s = asciiDigits(text.trim())
  let y: string | undefined
  let m: string | undefined
  let d: string | undefined
  const parts = s.split(/[-/.]/)
  if (parts.length === 3) {
    if (format === 'YYYY-MM-DD') [y, m, d] = parts
    else if (format === 'MM/DD/YYYY') [m, d, y] = parts
    else [d, m, y] = parts
  }
  if (!y || !m || !d || !/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d))
    return { ok: false, reason: `Expected a date as ${format}.` }
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`
  return isDate(iso) ? { ok: true, value: iso } : { ok: false, reason: 'This date does not exist.' }
}

function checkUrl(text: string): Checked {
  const s = text.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`
  try {
    const u = new URL(withScheme)
    if (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      /\.[a-z]{2,}$/i.test(u.hostname) &&
      !/\s/.test(s)
    )
      return { ok: true, value: u.href }
  } catch {}
  return { ok: false, reason: 'Expected a website address.' }
}

/**
 * Checks an answer against its question (rule 71: a reply that does not match the type takes the
 * Invalid branch) and normalizes it: numbers as numbers, dates as YYYY-MM-DD, phones in E.164,
 * choices as the choice's own text, locations as {latitude, longitude}.
 */
export function checkAnswer(q: QuestionRules, reply: Reply): Checked {
  const text = (reply.text ?? '').trim()
  switch (q.type) {
    case 'text':
      return text ? { ok: true, value: text } : { ok: false, reason: 'Expected a text answer.' }
    case 'multiple_choice': {
      const choices = q.choices ?? []
      const r = reply.content.reply as { id?: string; title?: string } | undefined
      const byId = r?.id ? choices.findIndex((_, i) => choiceId(i) === r.id) : -1
      if (byId >= 0) return { ok: true, value: choices[byId]! }
      const t = asciiDigits(text).toLowerCase()
      const byText = choices.findIndex((c) => c.toLowerCase() === t)
      if (byText >= 0) return { ok: true, value: choices[byText]! }
      if (/^\d{1,2}$/.test(t) && Number(t) >= 1 && Number(t) <= choices.length)
        return { ok: true, value: choices[Number(t) - 1]! }
      return { ok: false, reason: 'The answer is not one of the choices.' }
    }
    case 'number': {
      const s = asciiDigits(text).replace(/,/g, '')
      if (!/^-?\d+(\.\d+)?$/.test(s)) return { ok: false, reason: 'Expected a number.' }
      const n = Number(s)
      if (q.min !== undefined && n < q.min) return { ok: false, reason: `Expected at least ${q.min}.` }
      if (q.max !== undefined && n > q.max) return { ok: false, reason: `Expected at most ${q.max}.` }
      return { ok: true, value: n }
    }
    case 'date':
      return checkDate(text, q.dateFormat ?? 'YYYY-MM-DD')
    case 'phone': {
      const r = normalizePhone(asciiDigits(text))
      return r.ok ? { ok: true, value: r.value.e164 } : { ok: false, reason: r.message }
    }
    case 'email': {
      const r = normalizeEmail(text)
      return r.ok ? { ok: true, value: r.value } : { ok: false, reason: r.message }
    }
    case 'url':
      return checkUrl(text)
    case 'rating': {
      const stars = text.match(/⭐|★/gu)?.length ?? 0
      const m = /^([1-5])(\s*\/\s*5)?$/.exec(asciiDigits(text))
      const n = m
        ? Number(m[1])
        : stars >= 1 && stars <= 5 && text.replace(/⭐|★|\uFE0F|\s/gu, '') === ''
          ? stars
          : 0
      return n ? { ok: true, value: n } : { ok: false, reason: 'Expected a rating from 1 to 5.' }
    }
    case 'location': {
      const loc = reply.content.location as { latitude?: unknown; longitude?: unknown } | undefined
      if (reply.type === 'location' && typeof loc?.latitude === 'number' && typeof loc.longitude === 'number')
        return { ok: true, value: { latitude: loc.latitude, longitude: loc.longitude } }
      // Rule 70: on channels without location messages, the text "(longitude, latitude)".
      const m = /^\(?\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*\)?$/.exec(asciiDigits(text))
      if (m) {
        const longitude = Number(m[1])
        const latitude = Number(m[2])
        if (Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)
          return { ok: true, value: { latitude, longitude } }
      }
      return { ok: false, reason: 'Expected a location, or "(longitude, latitude)".' }
    }
  }
}
