import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { del, get, post, put } from '../../api/client'
import type { Contact, ContactDetail, TimelineEvent } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField } from '../../ui/Field'
import { Avatar, Badge, Loading, Page } from '../../ui/Page'
import { ContactDialog } from './ContactDialog'
import { CustomFieldEditor } from './CustomFieldEditor'
import { formatDateTime, qk, useChannels, useFields, useStages, useTags, useView } from './queries'

export function ContactDetailPage() {
  const { t } = useTranslation()
  const view = useView()
  if (!view.capabilities['contacts.view']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <Detail />
}

function Detail() {
  const { t, i18n } = useTranslation()
  const view = useView()
  const ws = view.workspace.id
  const id = Number(useParams().contactId)
  const qc = useQueryClient()
  const navigate = useNavigate()
  const fields = useFields(ws)
  const stages = useStages(ws)
  const tags = useTags(ws)
  const channels = useChannels(ws)
  const [editing, setEditing] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const contact = useQuery({
    queryKey: qk.contact(ws, id),
    queryFn: () => get<ContactDetail>(`/api/v1/workspaces/${ws}/contacts/${id}`),
  })
  const suggestions = useQuery({
    queryKey: ['merge-suggestions', ws, id],
    queryFn: () =>
      get<{ contact: Contact; matchedOn: ('phone' | 'email')[] }[]>(
        `/api/v1/workspaces/${ws}/contacts/${id}/merge-suggestions`,
      ),
  })
  if (contact.isLoading) return <Loading />
  if (!contact.data) return <ErrorAlert error={contact.error} />
  const c = contact.data
  const saved = (next: ContactDetail) => {
    qc.setQueryData(qk.contact(ws, id), next)
    void qc.invalidateQueries({ queryKey: qk.contacts(ws) })
    void qc.invalidateQueries({ queryKey: ['timeline', ws, id] })
  }
  const act = async (fn: () => Promise<ContactDetail>) => {
    setError(null)
    try {
      saved(await fn())
    } catch (err) {
      setError(err)
    }
  }
  const remove = async () => {
    if (!window.confirm(t('contacts.confirmDelete', { name: c.displayName }))) return
    try {
      await del(`/api/v1/workspaces/${ws}/contacts/${id}`)
      await qc.invalidateQueries({ queryKey: qk.contacts(ws) })
      navigate(`/w/${ws}/contacts`)
    } catch (err) {
      setError(err)
    }
  }
  const untagged = (tags.data ?? []).filter((tag) => !c.tags.some((x) => x.id === tag.id))
  const channelName = (channelId: number) =>
    channels.data?.find((ch) => ch.id === channelId)?.name ?? `#${channelId}`

  return (
    <Page
      title={c.displayName}
      actions={
        <>
          <Link className="btn btn-ghost" to={`/w/${ws}/contacts`}>
            {t('contacts.back')}
          </Link>
          <Button onClick={() => setEditing(true)}>{t('common.edit')}</Button>
          {view.capabilities['contacts.delete'] && (
            <Button variant="danger" onClick={() => void remove()}>
              {t('common.delete')}
            </Button>
          )}
        </>
      }
    >
      <ErrorAlert error={error} />
      <div className="contact-grid">
        <section className="card" aria-labelledby="fields-title">
          <header className="card-header">
            <div className="cell-user">
              <Avatar name={c.displayName} />
              <h2 id="fields-title" dir="auto">
                {c.displayName}
              </h2>
            </div>
            {c.blocked && <Badge tone="red">{t('contacts.blockedBadge')}</Badge>}
          </header>
          <dl className="kv">
            {(['firstName', 'lastName', 'phone', 'email', 'country', 'language'] as const).map((k) => (
              <div className="kv-row" key={k}>
                <dt className="kv-label">{t(`contacts.fields.${k}`)}</dt>
                <dd className="kv-value" dir={k === 'phone' || k === 'email' ? 'ltr' : 'auto'}>
                  {c[k] || <span className="muted">—</span>}
                </dd>
              </div>
            ))}
            <div className="kv-row">
              <dt className="kv-label">{t('contacts.columns.createdAt')}</dt>
              <dd className="kv-value">{formatDateTime(c.createdAt, i18n.language)}</dd>
            </div>
          </dl>
          <h3 className="section-title">{t('contacts.customFields')}</h3>
          {(fields.data ?? []).length === 0 && <p className="muted">{t('contacts.noCustomFields')}</p>}
          <div className="kv">
            {(fields.data ?? []).map((f) => (
              <CustomFieldEditor key={f.id} ws={ws} contact={c} field={f} onSaved={saved} />
            ))}
          </div>
        </section>
        <div className="contact-side">
          <section className="card" aria-labelledby="lifecycle-title">
            <h2 id="lifecycle-title">{t('contacts.columns.lifecycle')}</h2>
            <SelectField
              label={t('contacts.lifecycleStage')}
              value={c.lifecycleStageId ? String(c.lifecycleStageId) : ''}
              onChange={(v) =>
                void act(() =>
                  put(`/api/v1/workspaces/${ws}/contacts/${id}/lifecycle`, { stageId: v ? Number(v) : null }),
                )
              }
              options={[
                { value: '', label: t('contacts.noStage') },
                ...(stages.data ?? []).map((s) => ({ value: String(s.id), label: s.name })),
              ]}
            />
          </section>
          <section className="card" aria-labelledby="tags-title">
            <h2 id="tags-title">{t('contacts.columns.tags')}</h2>
            <ul className="tag-list">
              {c.tags.map((tag) => (
                <li key={tag.id} className="tag-chip">
                  <span dir="auto">{tag.name}</span>
                  <button
                    type="button"
                    className="icon-btn"
                    aria-label={t('contacts.removeTag', { name: tag.name })}
                    onClick={() =>
                      void act(() => del(`/api/v1/workspaces/${ws}/contacts/${id}/tags/${tag.id}`))
                    }
                  >
                    ×
                  </button>
                </li>
              ))}
              {c.tags.length === 0 && <li className="muted">{t('contacts.noTags')}</li>}
            </ul>
            {untagged.length > 0 && (
              <SelectField
                label={t('contacts.addTag')}
                value=""
                onChange={(v) =>
                  v &&
                  void act(() => post(`/api/v1/workspaces/${ws}/contacts/${id}/tags`, { add: [Number(v)] }))
                }
                options={[
                  { value: '', label: t('contacts.chooseTag') },
                  ...untagged.map((tag) => ({ value: String(tag.id), label: tag.name })),
                ]}
              />
            )}
          </section>
          <section className="card" aria-labelledby="channels-title">
            <h2 id="channels-title">{t('contacts.channels')}</h2>
            {c.identities.length === 0 && <p className="muted">{t('contacts.noChannels')}</p>}
            <ul className="plain-list">
              {c.identities.map((i) => (
                <li key={i.id}>
                  <strong dir="auto">{channelName(i.channelId)}</strong>{' '}
                  <span dir="ltr" className="muted">
                    {i.identifier}
                  </span>
                  {i.lastIncomingAt && (
                    <p className="field-hint">
                      {t('contacts.lastIncoming', { when: formatDateTime(i.lastIncomingAt, i18n.language) })}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          </section>
          {(suggestions.data ?? []).length > 0 && (
            <section className="card" aria-labelledby="dupes-title">
              <h2 id="dupes-title">{t('contacts.merge.suggestions')}</h2>
              <ul className="plain-list">
                {suggestions.data!.map((s) => (
                  <li key={s.contact.id}>
                    <span dir="auto">{s.contact.displayName}</span>{' '}
                    <span className="muted">
                      ({s.matchedOn.map((m) => t(`contacts.fields.${m}`)).join(', ')})
                    </span>{' '}
                    <Link to={`/w/${ws}/contacts/merge?a=${id}&b=${s.contact.id}`}>
                      {t('contacts.merge.review')}
                    </Link>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </div>
      </div>
      <Timeline ws={ws} contactId={id} />
      {editing && <ContactDialog ws={ws} contact={c} onClose={() => setEditing(false)} onSaved={saved} />}
    </Page>
  )
}

function Timeline({ ws, contactId }: { ws: number; contactId: number }) {
  const { t, i18n } = useTranslation()
  const timeline = useInfiniteQuery({
    queryKey: ['timeline', ws, contactId],
    initialPageParam: 0,
    queryFn: ({ pageParam }) =>
      get<{ events: TimelineEvent[]; nextBefore: number | null }>(
        `/api/v1/workspaces/${ws}/contacts/${contactId}/timeline?limit=30${pageParam ? `&before=${pageParam}` : ''}`,
      ),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  })
  const events = timeline.data?.pages.flatMap((p) => p.events) ?? []
  return (
    <section className="card timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('contacts.activity')}</h2>
      <ErrorAlert error={timeline.error} />
      {events.length === 0 && !timeline.isLoading && <p className="muted">{t('contacts.noActivity')}</p>}
      <ol className="timeline-list">
        {events.map((e) => (
          <li key={e.id} data-event={e.type}>
            <span>{t(`contacts.timeline.${e.type.replace('.', '_')}`, { defaultValue: e.type })}</span>
            <time dateTime={e.createdAt} className="muted">
              {formatDateTime(e.createdAt, i18n.language)}
            </time>
          </li>
        ))}
      </ol>
      {timeline.hasNextPage && (
        <Button busy={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
          {t('contacts.olderActivity')}
        </Button>
      )}
    </section>
  )
}
