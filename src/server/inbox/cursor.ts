import { ValidationError } from '../errors'

export type Sort = 'newest' | 'oldest'

/**
 * A keyset position in an inbox list: the sort column's value in UTC to the microsecond, as
 * PostgreSQL stores it (a JS Date would round to milliseconds and skip or repeat rows) and the contact id. Rows whose sort value is
 * null (a conversation opened before any message) come after the dated ones when newest first,
 * before them when oldest first; `phase` says which part of the list the position is in.
 */
export type Cursor = { phase: 'dated'; at: string; id: number } | { phase: 'undated'; id: number }

type Encoded = { s: 'n' | 'o'; k: string; p: 'd' | 'u'; t?: string; i: number }

/** The cursor names the sort and the sort column, so it cannot be replayed against another list. */
export function encodeCursor(sort: Sort, column: string, c: Cursor): string {
  const e: Encoded = {
    s: sort === 'newest' ? 'n' : 'o',
    k: column,
    p: c.phase === 'dated' ? 'd' : 'u',
    ...(c.phase === 'dated' ? { t: c.at } : {}),
    i: c.id,
  }
  return Buffer.from(JSON.stringify(e)).toString('base64url')
}

const invalid = () =>
  new ValidationError('The cursor is invalid for this list; start again without it.', [
    { path: 'querystring.cursor', message: 'Use the nextCursor returned by the same view, status and sort.' },
  ])

export function decodeCursor(raw: string, sort: Sort, column: string): Cursor {
  let e: Partial<Encoded>
  try {
    e = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw invalid()
  }
  if (
    !e ||
    typeof e !== 'object' ||
    e.s !== (sort === 'newest' ? 'n' : 'o') ||
    e.k !== column ||
    !Number.isSafeInteger(e.i) ||
    (e.i ?? 0) <= 0
  ) {
    throw invalid()
  }
  if (e.p === 'u') return { phase: 'undated', id: e.i! }
  if (e.p !== 'd' || typeof e.t !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(e.t))
    throw invalid()
  return { phase: 'dated', at: e.t, id: e.i! }
}
