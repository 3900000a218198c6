import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, get, patch, post, put } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Badge } from '../../ui/Page'
import { type ContactDetail, type Conversation, keys, type MergeSuggestion, paneLists, paths } from './api'
import { timeOf } from './format'
import { useAssignableUsers, useConversationView } from './useThread'

type Props = { ws: number; contactId: number; onBack: () => void }
const FIELDS = ['firstName', 'lastName', 'phone', 'email'] as const

/** The contact pane: fields edited inline, tags, lifecycle, channels, assignee, duplicates, history. */
export function ContactPanel({ ws, contactId, onBack }: Props) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const base = paths.contact(ws, contactId)
  // The conversation pane loads first: the browser has ~6 connections per host, so this pane's
  // requests wait until the thread's view has arrived (the query is shared with the Thread).
  const ready = useConversationView(ws, contactId).isSuccess
  const detail = useQuery({
    queryKey: keys.contact(ws, contactId),
    queryFn: () => get<ContactDetail>(base),
    enabled: ready,
  })
  const past = useQuery({
    queryKey: keys.past(ws, contactId),
    queryFn: () => get<Conversation[]>(`${base}/conversations`),
    enabled: ready,
  })
  const merge = useQuery({
    queryKey: keys.merge(ws, contactId),
    queryFn: () => get<MergeSuggestion[]>(`${base}/merge-suggestions`),
    retry: false,
    enabled: ready,
  })
  const tags = useQuery(paneLists.tags(ws))
  const stages = useQuery(paneLists.stages(ws))
  const channels = useQuery(paneLists.channels(ws))
  const users = useAssignableUsers(ws)
  const setDetail = (d: ContactDetail) => {
    qc.setQueryData(keys.contact(ws, contactId), d)
    return qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) })
  }
  const update = useMutation({
    mutationFn: (body: Record<string, string | null>) => patch<ContactDetail>(base, body),
    onSuccess: setDetail,
  })
  const tag = useMutation({
    mutationFn: (body: { add?: number[]; remove?: number[] }) => post<ContactDetail>(`${base}/tags`, body),
    onSuccess: setDetail,
  })
  const stage = useMutation({
    mutationFn: (stageId: number | null) => put<ContactDetail>(`${base}/lifecycle`, { stageId }),
    onSuccess: setDetail,
  })

  const d = detail.data
  const assignee = users.data?.find((u) => u.userId === d?.assigneeUserId)
  const channelName = (id: number) => channels.data?.find((c) => c.id === id)?.name ?? `#${id}`
  const unusedTags = (tags.data ?? []).filter((x) => !d?.tags.some((y) => y.id === x.id))
  return (
    <aside className="inbox-contact" aria-label={t('inbox.contactDetails')}>
      <button type="button" className="btn btn-ghost contact-back" onClick={onBack}>
        {t('inbox.backToConversation')}
      </button>
      <ErrorAlert error={detail.error ?? update.error ?? tag.error ?? stage.error} />
      {d && (
        <>
          <h2 dir="auto">{d.displayName}</h2>
          <dl className="contact-fields">
            {FIELDS.map((f) => (
              <InlineField
                key={f}
                label={t(`inbox.field.${f}`)}
                value={d[f] ?? ''}
                onSave={(v) => update.mutateAsync({ [f]: v || null })}
                dir={f === 'phone' || f === 'email' ? 'ltr' : 'auto'}
              />
            ))}
          </dl>
          <section>
            <h3>{t('inbox.assignee')}</h3>
            <p dir="auto">
              {assignee?.name ?? (d.assigneeUserId ? `#${d.assigneeUserId}` : t('inbox.unassigned'))}
            </p>
          </section>
          <section>
            <h3>{t('inbox.lifecycle')}</h3>
            <select
              aria-label={t('inbox.lifecycle')}
              value={d.lifecycleStageId ?? ''}
              onChange={(e) => stage.mutate(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">{t('inbox.noStage')}</option>
              {(stages.data ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </section>
          <section>
            <h3>{t('inbox.tagsTitle')}</h3>
            <ul className="tag-list">
              {d.tags.map((x) => (
                <li key={x.id} className="tag">
                  <span dir="auto">{x.name}</span>
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={t('inbox.removeTag', { tag: x.name })}
                    onClick={() => tag.mutate({ remove: [x.id] })}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            {unusedTags.length > 0 && (
              <select
                aria-label={t('inbox.addTag')}
                value=""
                onChange={(e) => e.target.value && tag.mutate({ add: [Number(e.target.value)] })}
              >
                <option value="">{t('inbox.addTag')}</option>
                {unusedTags.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            )}
          </section>
          <section>
            <h3>{t('inbox.channels')}</h3>
            <ul className="plain-list">
              {d.identities.map((i) => (
                <li key={i.id}>
                  <strong dir="auto">{channelName(i.channelId)}</strong>{' '}
                  <span dir="ltr" className="muted">
                    {i.identifier}
                  </span>
                  {i.channelId === d.lastInteractedChannelId && (
                    <Badge tone="blue">{t('inbox.lastInteracted')}</Badge>
                  )}
                </li>
              ))}
            </ul>
          </section>
          {merge.data && merge.data.length > 0 && (
            <section>
              <h3>{t('inbox.possibleDuplicates')}</h3>
              <ul className="plain-list">
                {merge.data.map((m) => (
                  <li key={m.contact.id}>
                    <span dir="auto">{m.contact.displayName}</span>{' '}
                    <span className="muted">{m.matchedOn.map((x) => t(`inbox.field.${x}`)).join(', ')}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {merge.error instanceof ApiError && merge.error.status !== 403 && (
            <ErrorAlert error={merge.error} />
          )}
          <section>
            <h3>{t('inbox.pastConversations')}</h3>
            <ul className="plain-list">
              {(past.data ?? []).map((c) => (
                <li key={c.id}>
                  <Badge tone={c.status === 'open' ? 'green' : 'neutral'}>
                    {t(`inbox.status.${c.status}`)}
                  </Badge>{' '}
                  <time dateTime={c.openedAt}>{timeOf(c.openedAt, i18n.language)}</time>
                  {c.closingNote?.summary && (
                    <p className="muted" dir="auto">
                      {c.closingNote.summary}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </aside>
  )
}

function InlineField({
  label,
  value,
  onSave,
  dir = 'auto',
}: {
  label: string
  value: string
  onSave: (v: string) => Promise<unknown>
  /** Phone numbers and emails read left to right in Arabic too. */
  dir?: 'auto' | 'ltr'
}) {
  const { t } = useTranslation()
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(value)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (draft !== value) await onSave(draft.trim()).catch(() => undefined)
    setEditing(false)
  }
  return (
    <div className="inline-field">
      <dt>{label}</dt>
      <dd>
        {editing ? (
          <form onSubmit={submit}>
            <input
              aria-label={label}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              dir={dir}
              // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field
              autoFocus
              onBlur={(e) => e.currentTarget.form?.requestSubmit()}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  setDraft(value)
                  setEditing(false)
                }
              }}
            />
          </form>
        ) : (
          <button
            type="button"
            className="inline-value"
            aria-label={t('inbox.editField', { field: label })}
            onClick={() => {
              setDraft(value)
              setEditing(true)
            }}
          >
            <span dir={dir}>{value || '—'}</span>
          </button>
        )}
      </dd>
    </div>
  )
}
