/**
 * RFC 4180 CSV with protection against spreadsheet formula injection: a cell that would start
 * with = + - @ (or a tab/CR) is prefixed with an apostrophe so Excel/Sheets treat it as text.
 */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(header: string[], rows: unknown[][]): string {
  // A BOM so Excel opens UTF-8 (Arabic names) correctly.
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}
