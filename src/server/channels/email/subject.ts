/**
 * Reply and forward prefixes in the languages our customers write: English, Arabic (رد:، إعادة توجيه:،
 * توجيه:), and the common European ones mail clients add. Stripped only to match subjects; the
 * subject a person wrote is stored as it is.
 */
const PREFIX =
  /^\s*(?:\[[^\]]{1,40}\]\s*)?(?:re|fwd?|fw|aw|wg|sv|vs|antw|tr|rv|enc|رد|إعادة توجيه|اعادة توجيه|توجيه|تحويل)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/iu

/** The subject without reply/forward prefixes, whitespace collapsed, lower-cased: for matching only. */
export function normalizeSubject(subject: string | undefined | null): string {
  let s = (subject ?? '').normalize('NFC')
  for (let i = 0; i < 10; i++) {
    const next = s.replace(PREFIX, '')
    if (next === s) break
    s = next
  }
  return s.replace(/\s+/g, ' ').trim().toLowerCase()
}

/** The subject of a reply: "Re: " once, in front of the thread's subject without its prefixes. */
export function replySubject(subject: string | undefined | null): string {
  let s = (subject ?? '').trim()
  for (let i = 0; i < 10; i++) {
    const next = s.replace(PREFIX, '')
    if (next === s) break
    s = next
  }
  return s ? `Re: ${s}` : ''
}
