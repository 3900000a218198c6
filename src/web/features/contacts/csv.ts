/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += ch
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell)
    rows.push(row)
  }
  return rows
}

export type ReportRow = { row: number; outcome: string; contactId: string; reason: string }

/** The import report (header: row, outcome, contact id, reason) as typed rows. */
export function parseImportReport(text: string): ReportRow[] {
  const [, ...body] = parseCsv(text.replace(/^\uFEFF/, ''))
  return body
    .filter((r) => r.length >= 2)
    .map((r) => ({ row: Number(r[0]), outcome: r[1] ?? '', contactId: r[2] ?? '', reason: r[3] ?? '' }))
}
