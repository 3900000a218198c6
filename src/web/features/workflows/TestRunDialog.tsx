import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { WorkflowDefinition } from '../../../shared/workflow/definition'
import { ApiError, post } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { SelectField, TextField } from '../../ui/Field'
import { type DryRun, type WorkflowDetail, wfPath } from './api'
import { type AssumptionInput, assumableSteps, buildChoices } from './assumptions'
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
  const [inputs, setInputs] = useState<Record<string, AssumptionInput>>({})
  const [triggerData, setTriggerData] = useState('')
  const def = workflow.definition as WorkflowDefinition
  const assumable = assumableSteps(def.steps)
  const takesData = def.trigger.type === 'incoming_webhook' || def.trigger.type === 'shortcut'
  const set = (stepId: string, patch: AssumptionInput) =>
    setInputs((all) => ({ ...all, [stepId]: { ...all[stepId], ...patch } }))
  const run = async () => {
    if (!contactId) return
    setBusy(true)
    setError(null)
    try {
      let trigger: Record<string, unknown> | undefined
      if (takesData && triggerData.trim()) trigger = JSON.parse(triggerData) as Record<string, unknown>
      const body = { contactId, version, choices: buildChoices(inputs), ...(trigger ? { trigger } : {}) }
      setResult(await post<DryRun>(wfPath(ws, `/workflows/${workflow.id}/test-run`), body))
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
      {(assumable.length > 0 || takesData) && (
        <details className="assumptions" open>
          <summary>{t('workflows.test.assumptions')}</summary>
          <p className="muted">{t('workflows.test.assumptionsHint')}</p>
          {takesData && (
            <div className="field">
              <label htmlFor="trigger-data">{t('workflows.test.triggerData')}</label>
              <textarea
                id="trigger-data"
                dir="ltr"
                rows={3}
                value={triggerData}
                onChange={(e) => setTriggerData(e.target.value)}
              />
            </div>
          )}
          {assumable.map((a) => {
            const i = inputs[a.stepId] ?? {}
            const name = a.name || t(`workflows.steps.${a.kind}`)
            return (
              <fieldset key={a.stepId} className="schema-group" data-assume={a.stepId}>
                <legend dir="auto">{name}</legend>
                {a.outcomes.length > 0 && (
                  <SelectField
                    label={t('workflows.test.outcome')}
                    value={i.outcome ?? ''}
                    onChange={(v) => set(a.stepId, { outcome: v })}
                    options={[
                      { value: '', label: t('workflows.test.asNormal') },
                      ...a.outcomes.map((o) => ({ value: o, label: t(`workflows.outcomes.${o}`) })),
                    ]}
                  />
                )}
                {a.answer && !i.outcome && (
                  <TextField
                    label={t('workflows.test.answer')}
                    hint={t('workflows.test.answerHint')}
                    value={i.answer ?? ''}
                    onChange={(v) => set(a.stepId, { answer: v })}
                    dir="auto"
                  />
                )}
                {a.response && !i.outcome && (
                  <>
                    <TextField
                      label={t('workflows.test.httpStatus')}
                      hint={t('workflows.test.statusHint')}
                      inputMode="numeric"
                      value={i.status ?? ''}
                      onChange={(v) => set(a.stepId, { status: v })}
                    />
                    <div className="field">
                      <label htmlFor={`body-${a.stepId}`}>{t('workflows.test.responseBody')}</label>
                      <textarea
                        id={`body-${a.stepId}`}
                        dir="ltr"
                        rows={3}
                        value={i.body ?? ''}
                        onChange={(e) => set(a.stepId, { body: e.target.value })}
                      />
                    </div>
                  </>
                )}
              </fieldset>
            )
          })}
        </details>
      )}
      <ErrorAlert
        error={
          error instanceof SyntaxError
            ? new ApiError(400, 'invalid_json', t('workflows.test.badTriggerData'))
            : error
        }
      />
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
