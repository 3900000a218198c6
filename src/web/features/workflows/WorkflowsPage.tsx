import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useOutletContext } from 'react-router'
import { emptyDefinition, TRIGGER_TYPES, type TriggerType } from '../../../shared/workflow/definition'
import { ApiError, del, get, post } from '../../api/client'
import type { WorkspaceView } from '../../api/types'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Badge, Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { RequireCapability } from '../settings/SettingsLayout'
import { type Template, type WorkflowDetail, type WorkflowSummary, wfPath } from './api'
import { useFormat } from './format'
import './workflows.css'

export function WorkflowsPage() {
  return (
    <RequireCapability capability="workflows.manage">
      <Workflows />
    </RequireCapability>
  )
}

export function StatusBadge({ status }: { status: WorkflowSummary['status'] }) {
  const { t } = useTranslation()
  const tone = status === 'published' ? 'green' : status === 'stopped' ? 'amber' : 'neutral'
  return <Badge tone={tone}>{t(`workflows.status.${status}`)}</Badge>
}

function Workflows() {
  const { t } = useTranslation()
  const f = useFormat()
  const view = useOutletContext<WorkspaceView>()
  const ws = view.workspace.id
  const qc = useQueryClient()
  const list = useQuery({
    queryKey: ['workflows', ws],
    queryFn: () => get<WorkflowSummary[]>(wfPath(ws, '/workflows')),
  })
  const [creating, setCreating] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const navigate = useNavigate()
  const refresh = () => qc.invalidateQueries({ queryKey: ['workflows', ws] })

  const importFile = async (file: File) => {
    setError(null)
    try {
      const json = JSON.parse(await file.text()) as Record<string, unknown>
      const created = await post<WorkflowDetail>(wfPath(ws, '/workflows/import'), json)
      await refresh()
      navigate(`/w/${ws}/workflows/${created.id}`)
    } catch (err) {
      setError(
        err instanceof SyntaxError ? new ApiError(400, 'invalid_json', t('workflows.list.invalidFile')) : err,
      )
    }
  }
  const exportOne = async (w: WorkflowSummary) => {
    setError(null)
    try {
      const file = await get<unknown>(wfPath(ws, `/workflows/${w.id}/export`))
      const url = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }))
      const a = document.createElement('a')
      a.href = url
      a.download = `${w.name.replace(/[^\p{L}\p{N}_ -]+/gu, '').trim() || 'workflow'}.json`
      a.click()
      URL.revokeObjectURL(url)
    } catch (err) {
      setError(err)
    }
  }
  const remove = async (w: WorkflowSummary) => {
    if (!window.confirm(t('workflows.list.confirmDelete', { name: w.name }))) return
    setError(null)
    try {
      await del(wfPath(ws, `/workflows/${w.id}`))
      await refresh()
    } catch (err) {
      setError(err)
    }
  }

  if (list.isLoading) return <Loading />
  return (
    <Page
      title={t('nav.workflows')}
      description={t('workflows.list.description')}
      actions={
        <>
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            hidden
            aria-label={t('workflows.list.import')}
            onChange={(e) => {
              const file = e.target.files?.[0]
              e.target.value = ''
              if (file) void importFile(file)
            }}
          />
          <Button onClick={() => fileInput.current?.click()}>{t('workflows.list.import')}</Button>
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t('workflows.list.create')}
          </Button>
        </>
      }
    >
      <ErrorAlert error={error ?? list.error} />
      <Table
        columns={[
          t('workflows.list.name'),
          t('workflows.list.status'),
          t('workflows.list.trigger'),
          t('workflows.list.lastEdited'),
          t('workflows.list.activeRuns'),
        ]}
        rows={list.data}
        empty={t('workflows.list.empty')}
      >
        {(w) => (
          <tr key={w.id} data-workflow={w.name}>
            <td>
              <Link to={`${w.id}`} dir="auto">
                {w.name}
              </Link>
            </td>
            <td>
              <StatusBadge status={w.status} />
              {w.draftChanged && w.status !== 'draft' && (
                <Badge tone="amber">{t('workflows.status.unpublishedChanges')}</Badge>
              )}
            </td>
            <td>{t(`workflows.triggers.${w.triggerType}`)}</td>
            <td>{f.dateTime(w.updatedAt)}</td>
            <td>{f.number(w.activeRuns)}</td>
            <td className="row-actions">
              <Button
                variant="ghost"
                onClick={() => exportOne(w)}
                aria-label={t('workflows.list.exportName', { name: w.name })}
              >
                {t('workflows.list.export')}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => remove(w)}
                aria-label={t('workflows.list.deleteName', { name: w.name })}
              >
                {t('common.delete')}
              </Button>
            </td>
          </tr>
        )}
      </Table>
      {creating && (
        <CreateDialog
          ws={ws}
          onClose={() => setCreating(false)}
          onCreated={async (id) => {
            await refresh()
            navigate(`/w/${ws}/workflows/${id}`)
          }}
        />
      )}
    </Page>
  )
}

function CreateDialog({
  ws,
  onClose,
  onCreated,
}: {
  ws: number
  onClose: () => void
  onCreated: (id: number) => Promise<void>
}) {
  const { t } = useTranslation()
  const templates = useQuery({
    queryKey: ['workflow-templates', ws],
    queryFn: () => get<Template[]>(wfPath(ws, '/workflow-templates')),
  })
  const [name, setName] = useState('')
  const [start, setStart] = useState('scratch')
  const [trigger, setTrigger] = useState<TriggerType>('conversation_opened')
  const save = useMutation({
    mutationFn: async () => {
      const body =
        start === 'scratch' ? { name, definition: emptyDefinition(trigger) } : { name, templateKey: start }
      const created = await post<WorkflowDetail>(wfPath(ws, '/workflows'), body)
      await onCreated(created.id)
    },
  })
  const errors = formErrors(save.error)
  const template = templates.data?.find((x) => x.key === start)
  return (
    <FormDialog
      title={t('workflows.list.create')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
      submitLabel={t('workflows.list.createSubmit')}
    >
      <TextField
        label={t('workflows.list.name')}
        value={name}
        onChange={setName}
        error={errors.field('name')}
        required
        maxLength={100}
        autoFocus
        dir="auto"
      />
      <SelectField
        label={t('workflows.list.startFrom')}
        value={start}
        onChange={(v) => {
          setStart(v)
          if (v !== 'scratch' && !name) setName(t(`workflows.templates.${v}.name`))
        }}
        options={[
          { value: 'scratch', label: t('workflows.list.scratch') },
          ...(templates.data ?? []).map((x) => ({
            value: x.key,
            label: t(`workflows.templates.${x.key}.name`),
          })),
        ]}
      />
      {template ? (
        <p className="muted">{t(`workflows.templates.${template.key}.description`)}</p>
      ) : (
        <SelectField
          label={t('workflows.editor.triggerType')}
          value={trigger}
          onChange={(v) => setTrigger(v as TriggerType)}
          options={TRIGGER_TYPES.map((x) => ({ value: x, label: t(`workflows.triggers.${x}`) }))}
        />
      )}
    </FormDialog>
  )
}
