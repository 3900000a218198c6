import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { patch } from '../../api/client'
import { formErrors } from '../../ui/Alert'
import { TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
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
  const save = useMutation({
    mutationFn: async () => {
      onDone(await patch<WorkflowDetail>(wfPath(ws, `/workflows/${workflow.id}`), { name, description }))
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={t('workflows.editor.rename')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
    >
      <TextField
        label={t('workflows.list.name')}
        value={name}
        onChange={setName}
        error={errors.field('name')}
        required
        maxLength={100}
        dir="auto"
      />
      <TextField
        label={t('workflows.editor.description')}
        value={description}
        onChange={setDescription}
        error={errors.field('description')}
        maxLength={1000}
        dir="auto"
      />
    </FormDialog>
  )
}
