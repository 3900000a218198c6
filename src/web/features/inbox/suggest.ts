/** The "/snippet" or "@mention" word being typed just before the caret, if any. */
export function tokenAt(
  text: string,
  caret: number,
  trigger: '/' | '@',
): { start: number; query: string } | null {
  const before = text.slice(0, caret)
  const m = (trigger === '/' ? /(^|\s)\/([^\s/]*)$/ : /(^|\s)@([^\s@]*)$/).exec(before)
  if (!m) return null
  return { start: before.length - m[2]!.length - 1, query: m[2]! }
}

/** Replaces the token that starts at `start` (up to the caret) with `value`; returns text and caret. */
export function replaceToken(text: string, start: number, caret: number, value: string) {
  const next = text.slice(0, start) + value + text.slice(caret)
  return { text: next, caret: start + value.length }
}

/** "@Name" → "{{@user.ID}}" for the mentions picked from the list (rule 50's API form). */
export function encodeMentions(text: string, picked: Map<string, number>): string {
  let out = text
  for (const [name, id] of [...picked].sort((a, b) => b[0].length - a[0].length))
    out = out.split(`@${name}`).join(`{{@user.${id}}}`)
  return out
}
