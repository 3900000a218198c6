import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { post } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { SelectField } from '../../ui/Field'
import { type DryRun, type WorkflowDetail, wfPath } from './api'
import { ContactPicker } from './ContactPicker'
import { Json } from './format'

/** Simulates the workflow on a contact: the path it would take, without side effects. */
export function TestRunDialog({
  ws,
  workflow,
  onClose,
}: {
  ws: number
  workflow: WorkflowDetail
  onClose: () => void
}) {
  const { t } = useTranslation()
  const [contactId, setContactId] = useState<number | null>(null)
  const [version, setVersion] = useState<'draft' | 'live'>('draft')
  const [result, setResult] = useState<DryRun | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const run = async () => {
    if (!contactId) return
    setBusy(true)
    setError(null)
    try {
      setResult(await post<DryRun>(wfPath(ws, `/workflows/${workflow.id}/test-run`), { contactId, version }))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog
      open
      wide
      title={t('workflows.test.title')}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.close')}</Button>
          <Button variant="primary" onClick={run} busy={busy} disabled={!contactId}>
            {t('workflows.test.run')}
          </Button>
        </>
      }
    >
      <p className="muted">{t('workflows.test.description')}</p>
      <ContactPicker
        ws={ws}
        value={contactId}
        label={t('workflows.test.contact')}
        onChange={(id) => setContactId(id)}
      />
      {workflow.liveVersion !== null && (
        <SelectField
          label={t('workflows.test.version')}
          value={version}
          onChange={(v) => setVersion(v as 'draft' | 'live')}
          options={[
            { value: 'draft', label: t('workflows.test.draft') },
            { value: 'live', label: t('workflows.test.live', { version: workflow.liveVersion }) },
          ]}
        />
      )}
      <ErrorAlert error={error} />
      {result && (
        <section aria-label={t('workflows.test.path')} className="test-result">
          <h3>
            {t('workflows.test.path')}: {t(`workflows.test.status.${result.status}`)}
          </h3>
          <ol className="test-path">
            {result.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a step may be visited more than once
              <li key={i} data-step={s.stepId}>
                <strong dir="auto">
                  {s.name || t(`workflows.steps.${s.kind}`, { defaultValue: s.kind })}
                </strong>
                {s.outcome && (
                  <span className="muted">
                    {' '}
                    → {t(`workflows.outcomes.${s.outcome}`, { defaultValue: s.outcome })}
                  </span>
                )}
                {s.waited && (
                  <span className="muted"> · {t('workflows.test.waited', { for: s.waited.for })}</span>
                )}
                {s.error && <p className="text-danger">{s.error}</p>}
                <details>
                  <summary>{t('workflows.runs.inputOutput')}</summary>
                  <Json value={{ input: s.input, output: s.output }} />
                </details>
              </li>
            ))}
          </ol>
          {Object.keys(result.variables).length > 0 && (
            <details>
              <summary>{t('workflows.runs.variables')}</summary>
              <Json value={result.variables} />
            </details>
          )}
        </section>
      )}
    </Dialog>
  )
}
