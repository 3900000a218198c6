import { useTranslation } from 'react-i18next'
import type { ContactField } from '../../api/types'

/** A custom field's value as text in the user's language (dates and numbers through Intl). */
export function CustomValue({ field, value }: { field: ContactField; value: unknown }) {
  const { t, i18n } = useTranslation()
  if (value === undefined || value === null || value === '') return <span className="muted">—</span>
  switch (field.type) {
    case 'checkbox':
      return <>{value === true ? t('contacts.yes') : t('contacts.no')}</>
    case 'number':
      return (
        <>{typeof value === 'number' ? new Intl.NumberFormat(i18n.language).format(value) : String(value)}</>
      )
    case 'date': {
      const d = new Date(`${String(value)}T00:00:00Z`)
      return Number.isNaN(d.getTime())
        ? String(value)
        : new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeZone: 'UTC' }).format(d)
    }
    case 'url':
      return (
        <a href={String(value)} target="_blank" rel="noreferrer noopener" dir="ltr">
          {String(value)}
        </a>
      )
    case 'email':
      return <span dir="ltr">{String(value)}</span>
    default:
      return <span dir="auto">{String(value)}</span>
  }
}
