import type { Ctx } from '../context'
import { ValidationError } from '../errors'

export type Page<T> = { items: T[]; next: number | null; previous: number | null }

/** respond.io's `pagination: { next, previous }`: URLs of this server with limit and cursorId ("" when none). */
export function links(ctx: Ctx, path: string, limit: number, page: Pick<Page<unknown>, 'next' | 'previous'>) {
  const url = (cursorId: number | null) =>
    cursorId === null ? '' : `${ctx.config.publicUrl}/v2${path}?limit=${limit}&cursorId=${cursorId}`
  return { next: url(page.next), previous: url(page.previous) }
}

/**
 * Pages a short, already ordered list (users, fields, channels…) by the id of an item: a positive
 * cursorId starts after that item, a negative one ends before it.
 */
export function pageOf<T>(all: T[], idOf: (t: T) => number, limit: number, cursorId?: number): Page<T> {
  let start = 0
  let end = Math.min(limit, all.length)
  if (cursorId !== undefined) {
    const at = all.findIndex((t) => idOf(t) === Math.abs(cursorId))
    if (at < 0) {
      throw new ValidationError(
        `cursorId ${cursorId} is not in this list any more; start again without it.`,
        [{ path: 'cursorId', message: 'Unknown cursor.' }],
      )
    }
    ;[start, end] =
      cursorId > 0 ? [at + 1, Math.min(at + 1 + limit, all.length)] : [Math.max(0, at - limit), at]
  }
  const items = all.slice(start, end)
  return {
    items,
    next: end < all.length && items.length ? idOf(items.at(-1)!) : null,
    previous: start > 0 && items.length ? -idOf(items[0]!) : null,
  }
}
