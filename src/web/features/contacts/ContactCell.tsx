import { useTranslation } from 'react-i18next'
import type { ContactField, ContactListItem } from '../../api/types'
import { Badge } from '../../ui/Page'
import { CustomValue } from './CustomValue'
import { formatDateTime } from './queries'

/** One cell of the contacts table: a standard column or a custom field (`cf.<key>`). */
export function Cell({
  column,
  contact,
  field,
  stageName,
  userName,
  lang,
}: {
  column: string
  contact: ContactListItem
  field: ContactField | undefined
  stageName: (id: number | null) => string
  userName: (id: number | null) => string
  lang: string
}) {
  const { t } = useTranslation()
  if (field) return <CustomValue field={field} value={contact.custom[field.key]} />
  switch (column) {
    case 'phone':
      return (
        <span dir="ltr" className="cell-ltr">
          {contact.phone}
        </span>
      )
    case 'email':
      return <span dir="ltr">{contact.email}</span>
    case 'country':
      return <>{contact.country ?? ''}</>
    case 'language':
      return <>{contact.language ?? ''}</>
    case 'lifecycle':
      return <span dir="auto">{stageName(contact.lifecycleStageId)}</span>
    case 'tags':
      return (
        <span className="tag-list">
          {contact.tags.map((tag) => (
            <Badge key={tag.id}>
              <span dir="auto">{tag.name}</span>
            </Badge>
          ))}
        </span>
      )
    case 'assignee':
      return <span dir="auto">{userName(contact.assigneeUserId)}</span>
    case 'status':
      return contact.inbox.status ? t(`contacts.status.${contact.inbox.status}`) : null
    case 'createdAt':
      return <>{formatDateTime(contact.createdAt, lang)}</>
    default:
      return null
  }
}
