import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { post } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Badge, Loading } from '../../ui/Page'
import { VirtualList } from '../../ui/VirtualList'
import { AssignMenu } from './AssignMenu'
import { keys, paths } from './api'
import { CloseDialog } from './CloseDialog'
import { Composer } from './Composer'
import type { InboxDialog } from './InboxPage'
import { ShortcutsMenu } from './ShortcutsMenu'
import { SnoozeMenu } from './SnoozeMenu'
import { ThreadItemView } from './ThreadItemView'
import { type ThreadItem, useAssignableUsers, useConversationView, useThread } from './useThread'

type Props = {
  ws: number
  me: number
  contactId: number
  dialog: InboxDialog
  setDialog: (d: InboxDialog) => void
  onBack: () => void
  onShowContact: () => void
}

export function Thread({ ws, me, contactId, dialog, setDialog, onBack, onShowContact }: Props) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const view = useConversationView(ws, contactId)
  const thread = useThread(ws, contactId)
  const assignable = useAssignableUsers(ws)
  const users = useMemo(() => new Map((assignable.data ?? []).map((u) => [u.userId, u])), [assignable.data])
  const base = paths.contact(ws, contactId)
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) }),
      qc.invalidateQueries({ queryKey: keys.timeline(ws, contactId) }),
    ])
  const action = useMutation({
    mutationFn: (path: 'open' | 'unsnooze' | 'block' | 'unblock') =>
      post(path === 'block' || path === 'unblock' ? `${base}/${path}` : `${base}/conversation/${path}`),
    onSuccess: refresh,
  })

  // Rule 48: opening the conversation clears its blue dot for everyone.
  const unread = view.data?.contact.inbox.unread
  useEffect(() => {
    if (unread) void post(`${base}/read`).catch(() => undefined)
  }, [unread, base])

  const { fetchNextPage, hasNextPage, isFetchingNextPage } = thread.messages
  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage()
  }, [fetchNextPage, hasNextPage, isFetchingNextPage])
  const itemKey = useCallback((i: ThreadItem) => i.key, [])
  const render = useCallback(
    (i: ThreadItem) => <ThreadItemView item={i} ws={ws} users={users} />,
    [ws, users],
  )

  if (view.isLoading)
    return (
      <section className="inbox-thread">
        <Loading />
      </section>
    )
  if (!view.data)
    return (
      <section className="inbox-thread">
        <ErrorAlert error={view.error} />
      </section>
    )
  const { contact, conversation } = view.data
  const open = conversation?.status === 'open'
  const snoozed = contact.inbox.status === 'snoozed'
  return (
    <section className="inbox-thread" aria-label={t('inbox.conversationWith', { name: contact.displayName })}>
      <header className="thread-header">
        <button
          type="button"
          className="icon-btn thread-back"
          onClick={onBack}
          aria-label={t('inbox.backToList')}
        >
          <span aria-hidden="true" className="flip">
            ‹
          </span>
        </button>
        <div className="thread-title">
          <h2 dir="auto">{contact.displayName}</h2>
          <p className="thread-badges">
            <span className="sr-only">{t('inbox.stateLabel')}</span>
            {conversation ? (
              <Badge tone={stateTone[conversation.state]}>{t(`inbox.state.${conversation.state}`)}</Badge>
            ) : (
              <Badge>{t('inbox.state.closed')}</Badge>
            )}
            {snoozed && <Badge tone="amber">{t('inbox.status.snoozed')}</Badge>}
            {contact.blocked && <Badge tone="red">{t('inbox.blocked')}</Badge>}
          </p>
        </div>
        <div className="thread-actions">
          <AssignMenu
            ws={ws}
            me={me}
            contact={contact}
            users={assignable.data ?? []}
            open={dialog === 'assign'}
            assignMe={dialog === 'assignMe'}
            onOpenChange={(o) => setDialog(o ? 'assign' : null)}
          />
          {/* Rule 12: a blocked contact's conversation cannot be opened or closed. */}
          {!contact.blocked &&
            (open ? (
              <>
                <SnoozeMenu
                  ws={ws}
                  contactId={contactId}
                  open={dialog === 'snooze'}
                  onOpenChange={(o) => setDialog(o ? 'snooze' : null)}
                />
                {snoozed && <Button onClick={() => action.mutate('unsnooze')}>{t('inbox.unsnooze')}</Button>}
                <CloseDialog
                  ws={ws}
                  contactId={contactId}
                  open={dialog === 'close'}
                  onOpenChange={(o) => setDialog(o ? 'close' : null)}
                />
              </>
            ) : (
              <Button
                onClick={() => action.mutate('open')}
                busy={action.isPending && action.variables === 'open'}
              >
                {t('inbox.open')}
              </Button>
            ))}
          <ShortcutsMenu ws={ws} contactId={contactId} />
          <Button variant="ghost" onClick={() => action.mutate(contact.blocked ? 'unblock' : 'block')}>
            {contact.blocked ? t('inbox.unblock') : t('inbox.block')}
          </Button>
          <Button variant="ghost" className="thread-contact-btn" onClick={onShowContact}>
            {t('inbox.contactDetails')}
          </Button>
        </div>
      </header>
      <ErrorAlert error={action.error ?? thread.error} />
      {thread.messages.isLoading ? (
        <Loading />
      ) : (
        <VirtualList
          className="thread-items"
          items={thread.items}
          itemKey={itemKey}
          render={render}
          stickToBottom
          onReachStart={loadOlder}
          label={t('inbox.messages')}
        />
      )}
      <Composer ws={ws} view={view.data} users={assignable.data ?? []} />
    </section>
  )
}

const stateTone = { open: 'green', expired: 'amber', closed: 'neutral', bot: 'blue' } as const
