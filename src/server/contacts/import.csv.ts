import { parse } from 'csv-parse/sync'
import { AppError, UnprocessableError, ValidationError } from '../errors'

/** Rule 57: CSV only, under 20 MB, at least 1 and under 200,000 data rows, a header row. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024
export const MAX_IMPORT_ROWS = 199_999

export class FileTooLargeError extends AppError {
  constructor(bytes: number) {
    super(
      413,
      'file_too_large',
      `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; CSV imports must be under 20 MB.`,
    )
  }
}

export type CsvFile = { headers: string[]; rows: string[][] }

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses a whole CSV file (UTF-8, optional BOM). Quoting errors are reported with their line;
 * rows with a different number of cells are kept, and the import fails them one by one.
 */
export function parseCsv(data: Buffer, opts: { toLine?: number } = {}): CsvFile {
  if (data.length >= MAX_IMPORT_BYTES) throw new FileTooLargeError(data.length)
  let text: string
  try {
    text = decoder.decode(data)
  } catch {
    throw new ValidationError('The file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again.', [
      { path: 'file', message: 'Not valid UTF-8.' },
    ])
  }
  let records: string[][]
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      // Blank lines stay (as skipped rows) so row numbers match what a spreadsheet shows.
      skip_empty_lines: false,
      ...(opts.toLine ? { to_line: opts.toLine } : {}),
    }) as string[][]
  } catch (err) {
    const e = err as { code?: string; message?: string; lines?: number }
    const where = e.lines ? ` (line ${e.lines})` : ''
    throw new ValidationError(`The file is not valid CSV${where}: ${e.message ?? 'parse error'}.`, [
      { path: 'file', message: `${e.code ?? 'CSV_ERROR'}${where}` },
    ])
  }
  const [header, ...rows] = records
  if (!header) throw new UnprocessableError('The file is empty.', 'empty_file')
  const headers = header.map((h) => h.trim())
  const problems = headers.flatMap((h, i) =>
    h === ''
      ? [
          {
            path: `headers.${i}`,
            message: `Column ${i + 1} has no name; the first row must name every column.`,
          },
        ]
      : headers.indexOf(h) !== i
        ? [{ path: `headers.${i}`, message: `The column name "${h}" appears more than once.` }]
        : [],
  )
  if (problems.length) {
    throw new UnprocessableError(
      'The first row must be a header naming every column once.',
      'invalid_header',
      problems,
    )
  }
  return { headers, rows }
}

/** Upload checks on the whole file. */
export function checkRowCount(file: CsvFile): void {
  if (!file.rows.some((r) => r.some((c) => c.trim() !== ''))) {
    throw new UnprocessableError('The file has a header but no contacts; add at least one row.', 'no_rows')
  }
  if (file.rows.length > MAX_IMPORT_ROWS) {
    throw new UnprocessableError(
      `The file has ${file.rows.length.toLocaleString('en')} rows; an import takes fewer than 200,000.`,
      'too_many_rows',
    )
  }
}
