import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

/** A header cell; `{ srOnly }` names a column for screen readers only (a thumbnail column, say). */
export type Column = string | { srOnly: string }

/**
 * A list page's table: the column headers and a last column for each row's actions (named for
 * screen readers), or the page's empty message when there are no rows. Rows are the page's own
 * `<tr>`s. Nothing at all while the rows are not there (loading or failed: the page says which).
 */
export function Table<T>({
  columns,
  rows,
  empty,
  caption,
  className,
  children,
}: {
  columns: readonly Column[]
  rows: readonly T[] | undefined
  empty?: ReactNode
  caption?: string
  className?: string
  children: (row: T) => ReactNode
}) {
  const { t } = useTranslation()
  if (!rows) return null
  if (rows.length === 0) return empty ? <p className="muted">{empty}</p> : null
  return (
    <table className={className ? `table ${className}` : 'table'}>
      {caption && <caption className="sr-only">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) =>
            typeof c === 'string' ? (
              <th key={c} scope="col">
                {c}
              </th>
            ) : (
              <th key={c.srOnly} scope="col">
                <span className="sr-only">{c.srOnly}</span>
              </th>
            ),
          )}
          <th scope="col">
            <span className="sr-only">{t('common.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>{rows.map(children)}</tbody>
    </table>
  )
}
