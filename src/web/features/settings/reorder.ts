/** The ids in a new order after moving one item a step up (-1) or down (+1). */
export function moved(ids: number[], id: number, by: -1 | 1): number[] {
  const i = ids.indexOf(id)
  const j = i + by
  if (i < 0 || j < 0 || j >= ids.length) return ids
  const next = [...ids]
  ;[next[i], next[j]] = [next[j]!, next[i]!]
  return next
}
