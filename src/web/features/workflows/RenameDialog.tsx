import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, patch } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { TextField } from '../../ui/Field'
import { type WorkflowDetail, wfPath } from './api'

/** Rename or describe a workflow (PATCH; the definition is untouched). */
export function RenameDialog({
  ws,
  workflow,
  onClose,
  onDone,
}: {
  ws: number
  workflow: WorkflowDetail
  onClose: () => void
  onDone: (saved: WorkflowDetail) => void
}) {
  const { t } = useTranslation()
  const [name, setName] = useState(workflow.name)
  const [description, setDescription] = useState(workflow.description)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onDone(await patch<WorkflowDetail>(wfPath(ws, `/workflows/${workflow.id}`), { name, description }))
      onClose()
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }
  const fieldError = (k: string) => (error instanceof ApiError ? error.field(k) : undefined)
  return (
    <Dialog
      open
      title={t('workflows.editor.rename')}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="rename-form" busy={busy}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form id="rename-form" onSubmit={submit}>
        <ErrorAlert error={error instanceof ApiError && error.fields.length ? null : error} />
        <TextField
          label={t('workflows.list.name')}
          value={name}
          onChange={setName}
          error={fieldError('name')}
          required
          maxLength={100}
          dir="auto"
        />
        <TextField
          label={t('workflows.editor.description')}
          value={description}
          onChange={setDescription}
          error={fieldError('description')}
          maxLength={1000}
          dir="auto"
        />
      </form>
    </Dialog>
  )
}
