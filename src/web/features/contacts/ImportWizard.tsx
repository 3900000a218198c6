import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { IMPORT_MODES, type ImportMode, STANDARD_TARGETS } from '../../../shared/contact-import'
import { ApiError, get, getText, post, put, upload } from '../../api/client'
import type { ContactImport, ImportReview } from '../../api/types'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Checkbox, Field, SelectField } from '../../ui/Field'
import { Page } from '../../ui/Page'
import { parseImportReport, type ReportRow } from './csv'
import { formatNumber, qk, useFields, useTags, useView } from './queries'

type Mapping = { column: string; target: string }[]
type Uploaded = { import: ContactImport; sample: string[][]; suggestedMapping: Mapping }
type Step = 'upload' | 'mapping' | 'review' | 'progress'

/** Rule 57: CSV import in three phases, Upload → Mapping → Review, then progress and per-row results. */
export function ImportWizard() {
  const { t } = useTranslation()
  const view = useView()
  if (!view.capabilities['contacts.view']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <Wizard />
}

function Wizard() {
  const { t } = useTranslation()
  const ws = useView().workspace.id
  const [step, setStep] = useState<Step>('upload')
  const [uploaded, setUploaded] = useState<Uploaded | null>(null)
  const [mapping, setMapping] = useState<Mapping>([])
  const [mode, setMode] = useState<ImportMode>('add_and_update')
  const [tagIds, setTagIds] = useState<number[]>([])
  const [review, setReview] = useState<ImportReview | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const base = `/api/v1/workspaces/${ws}/contact-imports`
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const steps: Step[] = ['upload', 'mapping', 'review', 'progress']
  return (
    <Page
      title={t('contacts.import.title')}
      description={t('contacts.import.description')}
      actions={
        <Link className="btn btn-ghost" to={`/w/${ws}/contacts`}>
          {t('contacts.back')}
        </Link>
      }
    >
      <ol className="wizard-steps">
        {steps.map((s) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>
            {t(`contacts.import.steps.${s}`)}
          </li>
        ))}
      </ol>
      <ErrorAlert error={formErrors(error).alert} />
      {error instanceof ApiError && error.fields.length > 0 && (
        <Alert kind="error">
          <ul>
            {error.fields.map((f) => (
              <li key={`${f.path}${f.message}`}>{f.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      {step === 'upload' && (
        <UploadStep
          busy={busy}
          onFile={(file) =>
            run(async () => {
              const r = await upload<Uploaded>(
                `${base}?name=${encodeURIComponent(file.name)}`,
                file,
                'text/csv',
              )
              setUploaded(r)
              setMapping(r.suggestedMapping)
              setStep('mapping')
            })
          }
        />
      )}
      {step === 'mapping' && uploaded && (
        <MappingStep
          ws={ws}
          uploaded={uploaded}
          mapping={mapping}
          setMapping={setMapping}
          mode={mode}
          setMode={setMode}
          tagIds={tagIds}
          setTagIds={setTagIds}
          busy={busy}
          onNext={() =>
            run(async () => {
              const id = uploaded.import.id
              await put(`${base}/${id}/mapping`, { columns: mapping, options: { mode, tagIds } })
              setReview(await get<ImportReview>(`${base}/${id}/review`))
              setStep('review')
            })
          }
        />
      )}
      {step === 'review' && review && uploaded && (
        <ReviewStep
          review={review}
          busy={busy}
          onBack={() => setStep('mapping')}
          onStart={() =>
            run(async () => {
              await post(`${base}/${uploaded.import.id}/start`)
              setStep('progress')
            })
          }
        />
      )}
      {step === 'progress' && uploaded && <ProgressStep ws={ws} importId={uploaded.import.id} />}
    </Page>
  )
}

function UploadStep({ busy, onFile }: { busy: boolean; onFile: (f: File) => void }) {
  const { t } = useTranslation()
  return (
    <section className="card form-narrow">
      <Field label={t('contacts.import.file')} hint={t('contacts.import.fileHint')}>
        {(id, describedBy) => (
          <input
            id={id}
            type="file"
            accept=".csv,text/csv"
            aria-describedby={describedBy}
            disabled={busy}
            onChange={(e) => {
              const f = e.target.files?.[0]
              if (f) onFile(f)
            }}
          />
        )}
      </Field>
      {busy && <p className="muted">{t('contacts.import.uploading')}</p>}
    </section>
  )
}

function MappingStep({
  ws,
  uploaded,
  mapping,
  setMapping,
  mode,
  setMode,
  tagIds,
  setTagIds,
  busy,
  onNext,
}: {
  ws: number
  uploaded: Uploaded
  mapping: Mapping
  setMapping: (m: Mapping) => void
  mode: ImportMode
  setMode: (m: ImportMode) => void
  tagIds: number[]
  setTagIds: (ids: number[]) => void
  busy: boolean
  onNext: () => void
}) {
  const { t, i18n } = useTranslation()
  const fields = useFields(ws)
  const tags = useTags(ws)
  const options = [
    { value: 'ignore', label: t('contacts.import.ignore') },
    ...STANDARD_TARGETS.map((k) => ({ value: k, label: t(`contacts.import.targets.${k}`) })),
    ...(fields.data ?? []).map((f) => ({ value: `custom.${f.key}`, label: f.name })),
  ]
  const headers = uploaded.import.headers
  const targetOf = (column: string) => mapping.find((m) => m.column === column)?.target ?? 'ignore'
  const setTarget = (column: string, target: string) =>
    setMapping([...mapping.filter((m) => m.column !== column), { column, target }])
  return (
    <section>
      <p>
        {t('contacts.import.fileSummary', {
          name: uploaded.import.fileName,
          rows: formatNumber(uploaded.import.rowCount, i18n.language),
        })}
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('contacts.import.column')}</th>
            <th scope="col">{t('contacts.import.sample')}</th>
            <th scope="col">{t('contacts.import.mapTo')}</th>
          </tr>
        </thead>
        <tbody>
          {headers.map((h, i) => (
            <tr key={h} data-column={h}>
              <th scope="row" dir="auto">
                {h}
              </th>
              <td dir="auto" className="muted">
                {uploaded.sample
                  .map((r) => r[i] ?? '')
                  .filter(Boolean)
                  .slice(0, 2)
                  .join(' · ')}
              </td>
              <td>
                <select
                  aria-label={t('contacts.import.mapColumn', { column: h })}
                  value={targetOf(h)}
                  onChange={(e) => setTarget(h, e.target.value)}
                >
                  {options.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-narrow">
        <SelectField
          label={t('contacts.import.mode')}
          value={mode}
          onChange={(v) => setMode(v as ImportMode)}
          options={IMPORT_MODES.map((m) => ({ value: m, label: t(`contacts.import.modes.${m}`) }))}
        />
        {(tags.data ?? []).length > 0 && (
          <fieldset className="radio-group">
            <legend className="radio-group-label">{t('contacts.import.tagAll')}</legend>
            {tags.data!.map((tag) => (
              <Checkbox
                key={tag.id}
                label={tag.name}
                checked={tagIds.includes(tag.id)}
                onChange={(on) => setTagIds(on ? [...tagIds, tag.id] : tagIds.filter((x) => x !== tag.id))}
              />
            ))}
          </fieldset>
        )}
        <Button variant="primary" busy={busy} onClick={onNext}>
          {t('contacts.import.next')}
        </Button>
      </div>
    </section>
  )
}

function ReviewStep({
  review,
  busy,
  onBack,
  onStart,
}: {
  review: ImportReview
  busy: boolean
  onBack: () => void
  onStart: () => void
}) {
  const { t, i18n } = useTranslation()
  const n = (v: number) => formatNumber(v, i18n.language)
  return (
    <section>
      <dl className="stats">
        {(['create', 'update', 'skip', 'fail'] as const).map((k) => (
          <div key={k} data-stat={k}>
            <dt>{t(`contacts.import.review.${k}`)}</dt>
            <dd>{n(review[k])}</dd>
          </div>
        ))}
      </dl>
      {review.newTags.length > 0 && (
        <p>
          {t('contacts.import.newTags')} <bdi>{review.newTags.join(', ')}</bdi>
        </p>
      )}
      {review.errors.length > 0 && (
        <RowErrors rows={review.errors} title={t('contacts.import.rowsWithErrors')} />
      )}
      <div className="page-actions">
        <Button onClick={onBack}>{t('contacts.import.back')}</Button>
        <Button
          variant="primary"
          busy={busy}
          disabled={review.create + review.update === 0}
          onClick={onStart}
        >
          {t('contacts.import.start')}
        </Button>
      </div>
    </section>
  )
}

function RowErrors({ rows, title }: { rows: { row: number; reason: string }[]; title: string }) {
  const { t } = useTranslation()
  return (
    <section className="import-errors" aria-label={title}>
      <h2 className="section-title">{title}</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('contacts.import.row')}</th>
            <th scope="col">{t('contacts.import.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.row} data-row={r.row}>
              <td>{r.row}</td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function ProgressStep({ ws, importId }: { ws: number; importId: number }) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const url = `/api/v1/workspaces/${ws}/contact-imports/${importId}`
  const imp = useQuery({
    queryKey: ['contact-import', ws, importId],
    queryFn: () => get<ContactImport>(url),
    refetchInterval: (q) =>
      q.state.data && ['completed', 'failed'].includes(q.state.data.status) ? false : 1000,
  })
  const done = imp.data?.status === 'completed'
  const report = useQuery({
    queryKey: ['contact-import-report', ws, importId],
    queryFn: async () => {
      await qc.invalidateQueries({ queryKey: qk.contacts(ws) })
      return parseImportReport(await getText(`${url}/report`))
    },
    enabled: done && Boolean(imp.data?.reportAvailable),
  })
  if (!imp.data) return <ErrorAlert error={imp.error} />
  const p = imp.data.progress
  const n = (v: number) => formatNumber(v, i18n.language)
  const failed: ReportRow[] = (report.data ?? []).filter((r) => r.outcome === 'failed')
  return (
    <section aria-live="polite">
      <label className="progress-label">
        {done ? t('contacts.import.finished') : t('contacts.import.importing')}
        <progress max={imp.data.rowCount || 1} value={p.processed} />
      </label>
      {imp.data.status === 'failed' && <Alert kind="error">{imp.data.error ?? t('errors.unexpected')}</Alert>}
      <dl className="stats">
        {(['created', 'updated', 'skipped', 'failed'] as const).map((k) => (
          <div key={k} data-stat={k}>
            <dt>{t(`contacts.import.result.${k}`)}</dt>
            <dd>{n(p[k])}</dd>
          </div>
        ))}
      </dl>
      {done && failed.length > 0 && <RowErrors rows={failed} title={t('contacts.import.failedRows')} />}
      {imp.data.reportAvailable && (
        <a className="btn btn-secondary" href={`${url}/report`} download>
          {t('contacts.import.downloadReport')}
        </a>
      )}
      {done && (
        <Link className="btn btn-primary" to={`/w/${ws}/contacts`}>
          {t('contacts.import.viewContacts')}
        </Link>
      )}
    </section>
  )
}
