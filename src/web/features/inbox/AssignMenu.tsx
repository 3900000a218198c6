import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { put } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { type AssignableUser, type Contact, keys, paths } from './api'
import { Popover } from './Popover'

type Props = {
  ws: number
  me: number
  contact: Contact
  users: AssignableUser[]
  open: boolean
  /** The "assign to me" shortcut was pressed. */
  assignMe: boolean
  onOpenChange: (open: boolean) => void
}

/** Rule 30: assign, reassign or unassign from a searchable list with avatars and online state. */
export function AssignMenu({ ws, me, contact, users, open, assignMe, onOpenChange }: Props) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [q, setQ] = useState('')
  const assign = useMutation({
    mutationFn: (userId: number | null) => put(`${paths.contact(ws, contact.id)}/assignee`, { userId }),
    onSuccess: () => {
      onOpenChange(false)
      return Promise.all([
        qc.invalidateQueries({ queryKey: keys.conversation(ws, contact.id) }),
        qc.invalidateQueries({ queryKey: keys.timeline(ws, contact.id) }),
      ])
    },
  })
  const { mutate } = assign
  const latest = useRef({ contact, me, mutate, onOpenChange })
  latest.current = { contact, me, mutate, onOpenChange }
  useEffect(() => {
    if (!assignMe) return
    const l = latest.current
    l.onOpenChange(false)
    if (l.contact.assigneeUserId !== l.me) l.mutate(l.me)
  }, [assignMe])

  const current = users.find((u) => u.userId === contact.assigneeUserId)
  const needle = q.trim().toLowerCase()
  // You first, then online members, then the rest, by name.
  const rank = (u: AssignableUser) =>
    u.userId === me ? 0 : u.presence === 'online' ? 1 : u.presence === 'away' ? 2 : 3
  const shown = users
    .filter(
      (u) => !needle || u.name.toLowerCase().includes(needle) || u.team?.name.toLowerCase().includes(needle),
    )
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
  return (
    <Popover
      label={t('inbox.assignee')}
      open={open}
      onOpenChange={onOpenChange}
      buttonText={
        <span dir="auto">
          {current
            ? current.name
            : contact.assigneeUserId
              ? `#${contact.assigneeUserId}`
              : t('inbox.unassigned')}
        </span>
      }
    >
      <input
        className="popover-search"
        type="search"
        aria-label={t('inbox.searchAgents')}
        placeholder={t('inbox.searchAgents')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        // biome-ignore lint/a11y/noAutofocus: the list is opened to type a name
        autoFocus
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) mutate(shown[0].userId)
        }}
      />
      <ul className="agent-list">
        {contact.assigneeUserId !== null && (
          <li>
            <button type="button" className="agent" onClick={() => mutate(null)}>
              {t('inbox.unassign')}
            </button>
          </li>
        )}
        {shown.map((u) => (
          <li key={u.userId}>
            <button
              type="button"
              className={`agent${u.userId === contact.assigneeUserId ? ' selected' : ''}`}
              aria-label={t('inbox.assignTo', { name: u.name })}
              aria-pressed={u.userId === contact.assigneeUserId}
              onClick={() => mutate(u.userId)}
            >
              <span className="avatar" aria-hidden="true">
                {u.initials}
                <span className={`presence presence-${u.presence}`} />
              </span>
              <span className="agent-name" dir="auto">
                {u.name}
                {u.userId === me ? ` (${t('inbox.you')})` : ''}
              </span>
              <span className="muted agent-meta">
                {t(`inbox.presence.${u.presence}`)} · {t('inbox.openCount', { count: u.openContacts })}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorAlert error={assign.error} />
    </Popover>
  )
}
