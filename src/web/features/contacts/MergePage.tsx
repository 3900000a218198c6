import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { get, post } from '../../api/client'
import type { ContactDetail, ContactField } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Loading, Page } from '../../ui/Page'
import { CustomValue } from './CustomValue'
import { qk, useFields, useView } from './queries'

const STANDARD = ['firstName', 'lastName', 'phone', 'email', 'country', 'language'] as const
type Side = 'a' | 'b'

type Row = { key: string; label: string; a: unknown; b: unknown; field?: ContactField }

const blank = (v: unknown) => v === undefined || v === null || v === ''

/**
 * Rule 53: merge two contacts after a side-by-side review. The API keeps the primary's values and
 * fills its blanks from the secondary, except the fields listed in keepFromSecondary (the picks),
 * all in one transaction. Tags, channels and conversations are always united.
 */
export function MergePage() {
  const { t } = useTranslation()
  const view = useView()
  if (!view.capabilities['contacts.view']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <MergeReview />
}

function MergeReview() {
  const { t } = useTranslation()
  const view = useView()
  const ws = view.workspace.id
  const [params] = useSearchParams()
  const ids = { a: Number(params.get('a')), b: Number(params.get('b')) }
  const qc = useQueryClient()
  const navigate = useNavigate()
  const fields = useFields(ws)
  const load = (id: number) => ({
    queryKey: qk.contact(ws, id),
    queryFn: () => get<ContactDetail>(`/api/v1/workspaces/${ws}/contacts/${id}`),
  })
  const a = useQuery(load(ids.a))
  const b = useQuery(load(ids.b))
  const [primary, setPrimary] = useState<Side>('a')
  const [picks, setPicks] = useState<Record<string, Side>>({})
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  if (a.isLoading || b.isLoading || fields.isLoading) return <Loading />
  if (!a.data || !b.data) return <ErrorAlert error={a.error ?? b.error} />
  const contacts = { a: a.data, b: b.data }
  const other: Side = primary === 'a' ? 'b' : 'a'
  const rows: Row[] = [
    ...STANDARD.map((k) => ({
      key: k,
      label: t(`contacts.fields.${k}`),
      a: contacts.a[k],
      b: contacts.b[k],
    })),
    ...(fields.data ?? []).map((f) => ({
      key: `custom.${f.key}`,
      label: f.name,
      a: contacts.a.custom[f.key],
      b: contacts.b.custom[f.key],
      field: f,
    })),
  ].filter((r) => !blank(r.a) || !blank(r.b))
  // What the API would keep without a pick: the primary's value, else the secondary's.
  const defaultSide = (r: Row): Side => (blank(r[primary]) ? other : primary)
  const chosen = (r: Row): Side => picks[r.key] ?? defaultSide(r)

  const merge = async () => {
    setBusy(true)
    setError(null)
    try {
      const p = contacts[primary]
      const s = contacts[other]
      // Blanks of the primary are filled from the secondary by the merge itself.
      const keepFromSecondary = rows
        .filter((r) => chosen(r) === other && !blank(r[primary]))
        .map((r) => r.key)
      const merged = await post<ContactDetail>(`/api/v1/workspaces/${ws}/contacts/merge`, {
        primaryContactId: p.id,
        secondaryContactId: s.id,
        keepFromSecondary,
      })
      qc.setQueryData(qk.contact(ws, merged.id), merged)
      qc.removeQueries({ queryKey: qk.contact(ws, s.id) })
      await qc.invalidateQueries({ queryKey: qk.contacts(ws) })
      navigate(`/w/${ws}/contacts/${merged.id}`)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page
      title={t('contacts.merge.title')}
      description={t('contacts.merge.description')}
      actions={
        <Link className="btn btn-ghost" to={`/w/${ws}/contacts`}>
          {t('common.cancel')}
        </Link>
      }
    >
      <ErrorAlert error={error} />
      <table className="table merge-table">
        <caption className="sr-only">{t('contacts.merge.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('contacts.merge.field')}</th>
            {(['a', 'b'] as const).map((side) => (
              <th scope="col" key={side}>
                <label className="radio">
                  <input
                    type="radio"
                    name="primary"
                    checked={primary === side}
                    onChange={() => {
                      setPrimary(side)
                      setPicks({})
                    }}
                  />
                  <span>
                    {t('contacts.merge.keepAsPrimary')}: <bdi>{contacts[side].displayName}</bdi>
                  </span>
                </label>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-merge-field={r.key}>
              <th scope="row" dir="auto">
                {r.label}
              </th>
              {(['a', 'b'] as const).map((side) => (
                <td key={side}>
                  <label className="radio">
                    <input
                      type="radio"
                      name={`pick-${r.key}`}
                      checked={chosen(r) === side}
                      disabled={blank(r[side])}
                      aria-label={t('contacts.merge.keepValue', {
                        field: r.label,
                        name: contacts[side].displayName,
                      })}
                      onChange={() => setPicks((p) => ({ ...p, [r.key]: side }))}
                    />
                    {r.field ? (
                      <CustomValue field={r.field} value={r[side]} />
                    ) : (
                      <span dir="auto">{blank(r[side]) ? '—' : String(r[side])}</span>
                    )}
                  </label>
                </td>
              ))}
            </tr>
          ))}
          <tr>
            <th scope="row">{t('contacts.columns.tags')}</th>
            {(['a', 'b'] as const).map((side) => (
              <td key={side} dir="auto">
                {contacts[side].tags.map((tag) => tag.name).join(', ') || '—'}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <p className="muted">{t('contacts.merge.united')}</p>
      <Alert kind="warning">{t('contacts.merge.warning', { name: contacts[other].displayName })}</Alert>
      <Button variant="primary" busy={busy} onClick={() => void merge()}>
        {t('contacts.merge.confirm')}
      </Button>
    </Page>
  )
}
