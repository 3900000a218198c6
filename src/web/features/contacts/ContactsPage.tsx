import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { get, post } from '../../api/client'
import { useSession } from '../../api/session'
import type { ContactListItem } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { Avatar, Badge, Loading, Page } from '../../ui/Page'
import { Cell } from './ContactCell'
import { ContactDialog } from './ContactDialog'
import { CustomFieldFilter, type Filters, filterParams, NO_FILTERS } from './ContactFilters'
import { loadColumns, STANDARD_COLUMNS, saveColumns } from './columns'
import { qk, useAssignableUsers, useFields, useStages, useTags, useView } from './queries'

/** Rule 56: the Contacts module, Owners and Managers only. */
export function ContactsPage() {
  const { t } = useTranslation()
  const view = useView()
  if (!view.capabilities['contacts.view']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <ContactsList />
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms)
    return () => clearTimeout(id)
  }, [value, ms])
  return v
}

function ContactsList() {
  const { t, i18n } = useTranslation()
  const view = useView()
  const ws = view.workspace.id
  const navigate = useNavigate()
  const userId = useSession().data?.user.id ?? 0
  const fields = useFields(ws)
  const tags = useTags(ws)
  const stages = useStages(ws)
  const users = useAssignableUsers(ws)
  const [filters, setFilters] = useState<Filters>(NO_FILTERS)
  const applied = useDebounced(filters, 250)
  const [columns, setColumns] = useState<string[] | null>(null)
  const [selected, setSelected] = useState<number[]>([])
  const [creating, setCreating] = useState(false)
  const [bulkError, setBulkError] = useState<unknown>(null)
  const qc = useQueryClient()
  const params = filterParams(applied)

  useEffect(() => {
    if (fields.data && columns === null) setColumns(loadColumns(userId, ws, fields.data))
  }, [fields.data, columns, userId, ws])

  const list = useInfiniteQuery({
    queryKey: [...qk.contacts(ws), params.toString()],
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const p = new URLSearchParams(params)
      p.set('limit', '50')
      if (pageParam) p.set('cursor', pageParam)
      return get<{ contacts: ContactListItem[]; nextCursor: string | null }>(
        `/api/v1/workspaces/${ws}/contacts?${p}`,
      )
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })

  // Keyset pages: the next one loads when the end of the table scrolls into view.
  const sentinel = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = sentinel.current
    if (!el) return
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && list.hasNextPage && !list.isFetchingNextPage)
        void list.fetchNextPage()
    })
    io.observe(el)
    return () => io.disconnect()
  }, [list.hasNextPage, list.isFetchingNextPage, list.fetchNextPage])

  const fieldByKey = useMemo(() => new Map((fields.data ?? []).map((f) => [`cf.${f.key}`, f])), [fields.data])
  const stageName = (id: number | null) => stages.data?.find((s) => s.id === id)?.name ?? ''
  const rows = list.data?.pages.flatMap((p) => p.contacts) ?? []
  const shown = columns ?? []
  const set = (k: keyof Filters) => (v: string) => setFilters((f) => ({ ...f, [k]: v }))
  const toggleColumn = (c: string, on: boolean) => {
    const next = on ? [...shown, c] : shown.filter((x) => x !== c)
    setColumns(next)
    saveColumns(userId, ws, next)
  }
  const columnLabel = (c: string) =>
    c.startsWith('cf.') ? (fieldByKey.get(c)?.name ?? c) : t(`contacts.columns.${c}`)
  const allColumns = [...STANDARD_COLUMNS, ...(fields.data ?? []).map((f) => `cf.${f.key}`)]
  const exportUrl = `/api/v1/workspaces/${ws}/contacts/export?${params}`

  return (
    <Page
      title={t('nav.contacts')}
      description={t('contacts.description')}
      actions={
        <>
          {view.capabilities['data.export'] && (
            <a className="btn btn-secondary" href={exportUrl} download>
              {t('contacts.export')}
            </a>
          )}
          <Link className="btn btn-secondary" to={`/w/${ws}/contacts/duplicates`}>
            {t('contacts.duplicates.title')}
          </Link>
          <Link className="btn btn-secondary" to={`/w/${ws}/contacts/import`}>
            {t('contacts.import.title')}
          </Link>
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t('contacts.create')}
          </Button>
        </>
      }
    >
      <div className="contacts-toolbar">
        <TextField
          label={t('contacts.search')}
          hint={t('contacts.searchHint')}
          type="search"
          value={filters.q}
          onChange={set('q')}
          dir="auto"
        />
        <SelectField
          label={t('contacts.columns.lifecycle')}
          value={filters.lifecycleStageId}
          onChange={set('lifecycleStageId')}
          options={[
            { value: '', label: t('contacts.any') },
            { value: 'none', label: t('contacts.noStage') },
            ...(stages.data ?? []).map((s) => ({ value: String(s.id), label: s.name })),
          ]}
        />
        <SelectField
          label={t('contacts.columns.tags')}
          value={filters.tagId}
          onChange={set('tagId')}
          options={[
            { value: '', label: t('contacts.any') },
            ...(tags.data ?? []).map((tag) => ({ value: String(tag.id), label: tag.name })),
          ]}
        />
        <SelectField
          label={t('contacts.columns.status')}
          value={filters.inboxStatus}
          onChange={set('inboxStatus')}
          options={[
            { value: '', label: t('contacts.any') },
            ...(['open', 'snoozed', 'closed', 'none'] as const).map((s) => ({
              value: s,
              label: t(`contacts.status.${s}`),
            })),
          ]}
        />
        <SelectField
          label={t('contacts.blocked')}
          value={filters.blocked}
          onChange={set('blocked')}
          options={[
            { value: '', label: t('contacts.any') },
            { value: 'true', label: t('contacts.blockedOnly') },
            { value: 'false', label: t('contacts.notBlocked') },
          ]}
        />
        <SelectField
          label={t('contacts.columns.assignee')}
          value={filters.assigneeUserId}
          onChange={set('assigneeUserId')}
          options={[
            { value: '', label: t('contacts.any') },
            { value: 'none', label: t('contacts.unassigned') },
            ...(users.data ?? []).map((u) => ({ value: String(u.userId), label: u.name })),
          ]}
        />
        <TextField
          label={t('contacts.columns.language')}
          value={filters.language}
          onChange={set('language')}
          placeholder="ar"
          maxLength={35}
          size={4}
        />
        <TextField
          label={t('contacts.columns.country')}
          value={filters.country}
          onChange={set('country')}
          placeholder="SA"
          maxLength={2}
          size={4}
        />
        <CustomFieldFilter fields={fields.data ?? []} filters={filters} set={set} />
        <details className="column-picker">
          <summary className="btn btn-secondary">{t('contacts.columnsButton')}</summary>
          <fieldset>
            <legend className="sr-only">{t('contacts.columnsButton')}</legend>
            {allColumns.map((c) => (
              <label key={c} className="checkbox">
                <input
                  type="checkbox"
                  checked={shown.includes(c)}
                  onChange={(e) => toggleColumn(c, e.target.checked)}
                />
                <span dir="auto">{columnLabel(c)}</span>
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      {selected.length > 0 && (
        <div className="selection-bar" role="status">
          <span>{t('contacts.selected', { count: selected.length })}</span>
          {(tags.data ?? []).length > 0 && (
            <select
              aria-label={t('contacts.tagSelected')}
              value=""
              onChange={async (e) => {
                const tagId = Number(e.target.value)
                if (!tagId) return
                setBulkError(null)
                try {
                  await post(`/api/v1/workspaces/${ws}/contacts/tags`, { contactIds: selected, add: [tagId] })
                  await qc.invalidateQueries({ queryKey: qk.contacts(ws) })
                  await qc.invalidateQueries({ queryKey: qk.tags(ws) })
                } catch (err) {
                  setBulkError(err)
                }
              }}
            >
              <option value="">{t('contacts.tagSelected')}</option>
              {tags.data!.map((tag) => (
                <option key={tag.id} value={tag.id}>
                  {tag.name}
                </option>
              ))}
            </select>
          )}
          <Button
            disabled={selected.length !== 2}
            onClick={() => navigate(`/w/${ws}/contacts/merge?a=${selected[0]}&b=${selected[1]}`)}
          >
            {t('contacts.merge.action')}
          </Button>
          <Button variant="ghost" onClick={() => setSelected([])}>
            {t('contacts.clearSelection')}
          </Button>
        </div>
      )}
      <ErrorAlert error={bulkError ?? list.error} />
      {list.isLoading || columns === null ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p className="muted">{t('contacts.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table contacts-table">
            <thead>
              <tr>
                <th>
                  <span className="sr-only">{t('contacts.select')}</span>
                </th>
                <th>{t('contacts.columns.name')}</th>
                {shown.map((c) => (
                  <th key={c} dir="auto">
                    {columnLabel(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} data-contact={c.displayName}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t('contacts.selectContact', { name: c.displayName })}
                      checked={selected.includes(c.id)}
                      onChange={(e) =>
                        setSelected((s) => (e.target.checked ? [...s, c.id] : s.filter((x) => x !== c.id)))
                      }
                    />
                  </td>
                  <td>
                    <Link to={`/w/${ws}/contacts/${c.id}`} className="cell-user">
                      <Avatar name={c.displayName} />
                      <span dir="auto">{c.displayName}</span>
                    </Link>
                    {c.blocked && <Badge tone="red">{t('contacts.blockedBadge')}</Badge>}
                  </td>
                  {shown.map((col) => (
                    <td key={col}>
                      <Cell
                        column={col}
                        contact={c}
                        field={fieldByKey.get(col)}
                        stageName={stageName}
                        userName={(id) => users.data?.find((u) => u.userId === id)?.name ?? ''}
                        lang={i18n.language}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div ref={sentinel} />
      {list.hasNextPage && (
        <Button busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('contacts.loadMore')}
        </Button>
      )}
      {creating && (
        <ContactDialog
          ws={ws}
          contact={null}
          onClose={() => setCreating(false)}
          onSaved={(c) => navigate(`/w/${ws}/contacts/${c.id}`)}
        />
      )}
    </Page>
  )
}
