/** "5 min ago" / "yesterday" in the user's language, through Intl (never hand-built strings). */
export function relativeTime(iso: string | null | undefined, language: string, now = Date.now()): string {
  if (!iso) return ''
  const diff = (Date.parse(iso) - now) / 1000
  const rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto', style: 'short' })
  const abs = Math.abs(diff)
  if (abs < 60) return rtf.format(Math.round(diff), 'second')
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute')
  if (abs < 86_400) return rtf.format(Math.round(diff / 3600), 'hour')
  if (abs < 7 * 86_400) return rtf.format(Math.round(diff / 86_400), 'day')
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(iso))
}

/** A countdown as h:mm:ss with the language's digits. */
export function countdown(ms: number, language: string): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const nf = new Intl.NumberFormat(language, { minimumIntegerDigits: 2, useGrouping: false })
  const h = new Intl.NumberFormat(language, { useGrouping: false }).format(Math.floor(s / 3600))
  return `${h}:${nf.format(Math.floor((s % 3600) / 60))}:${nf.format(s % 60)}`
}

export function timeOf(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso))
}
