import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { StepNode, TriggerDef, TriggerType } from '../../../shared/workflow/definition'
import { Button } from '../../ui/Button'
import { Checkbox, SelectField, TextField } from '../../ui/Field'
import type { BuilderSchemas, WorkflowDetail } from './api'
import { defaultValue, type JsonSchema } from './jsonSchema'
import { type FormContext, SchemaForm } from './SchemaForm'

function Drawer({
  title,
  onClose,
  onApply,
  children,
}: {
  title: string
  onClose: () => void
  onApply: () => void
  children: React.ReactNode
}) {
  const { t } = useTranslation()
  return (
    <aside
      className="drawer"
      aria-labelledby="drawer-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose()
      }}
    >
      <header className="drawer-header">
        <h2 id="drawer-title">{title}</h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('common.close')}>
          ×
        </button>
      </header>
      <form
        className="drawer-body"
        onSubmit={(e) => {
          e.preventDefault()
          onApply()
        }}
      >
        {children}
        <footer className="drawer-footer">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit">
            {t('workflows.editor.apply')}
          </Button>
        </footer>
      </form>
    </aside>
  )
}

/** Rule 65: rename and configure a step; the form is generated from the step's JSON Schema. */
export function StepDrawer({
  node,
  schema,
  ctx,
  onApply,
  onClose,
}: {
  node: StepNode
  schema: JsonSchema
  ctx: FormContext
  onApply: (name: string, config: Record<string, unknown>) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const [name, setName] = useState(node.name)
  const [config, setConfig] = useState<Record<string, unknown>>(node.config)
  return (
    <Drawer
      title={t(`workflows.steps.${node.kind}`)}
      onClose={onClose}
      onApply={() => onApply(name.trim(), config)}
    >
      <TextField
        label={t('workflows.editor.stepName')}
        value={name}
        onChange={setName}
        maxLength={100}
        dir="auto"
      />
      <SchemaForm
        schema={schema}
        value={config}
        onChange={(v) => setConfig((v ?? {}) as Record<string, unknown>)}
        path="config"
        name="config"
        ctx={ctx}
        bare
      />
    </Drawer>
  )
}

/** The trigger: its type, its conditions (generated form) and "Trigger once per contact" (rule 63). */
export function TriggerDrawer({
  trigger,
  schemas,
  webhook,
  onRotate,
  ctx,
  onApply,
  onClose,
}: {
  trigger: TriggerDef
  schemas: BuilderSchemas['triggers']
  webhook: WorkflowDetail['webhook']
  onRotate: () => void
  ctx: FormContext
  onApply: (trigger: TriggerDef) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const [draft, setDraft] = useState<TriggerDef>(trigger)
  const spec = schemas.find((s) => s.type === draft.type)
  return (
    <Drawer title={t('workflows.editor.trigger')} onClose={onClose} onApply={() => onApply(draft)}>
      <SelectField
        label={t('workflows.editor.triggerType')}
        value={draft.type}
        onChange={(v) => {
          const type = v as TriggerType
          const next = schemas.find((s) => s.type === type)
          setDraft({
            type,
            conditions: (next ? defaultValue(next.conditions) : {}) as Record<string, unknown>,
            oncePerContact: next?.oncePerContact ? draft.oncePerContact : false,
          })
        }}
        options={schemas.map((s) => ({ value: s.type, label: t(`workflows.triggers.${s.type}`) }))}
      />
      {spec && (
        <SchemaForm
          schema={spec.conditions}
          value={draft.conditions}
          onChange={(v) => setDraft({ ...draft, conditions: (v ?? {}) as Record<string, unknown> })}
          path="trigger.conditions"
          name="conditions"
          ctx={ctx}
          bare
        />
      )}
      {draft.type === 'incoming_webhook' && (
        <div className="webhook-box">
          <TextField
            label={t('workflows.editor.webhookUrl')}
            value={webhook.url}
            onChange={() => {}}
            readOnly
            dir="ltr"
          />
          <p className="field-hint">{t('workflows.editor.webhookHint', { header: webhook.header })}</p>
          <Button onClick={onRotate}>{t('workflows.editor.rotate')}</Button>
        </div>
      )}
      {spec?.oncePerContact && (
        <Checkbox
          label={t('workflows.editor.oncePerContact')}
          hint={t('workflows.editor.oncePerContactHint')}
          checked={draft.oncePerContact}
          onChange={(v) => setDraft({ ...draft, oncePerContact: v })}
        />
      )}
    </Drawer>
  )
}
