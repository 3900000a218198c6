import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { get } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { Badge, Loading } from '../../ui/Page'
import { type WorkflowDetail, type WorkflowVersion, wfPath } from './api'
import { useFormat } from './format'

/** Published versions, newest first; each publish makes a new immutable version. */
export function VersionsDialog({
  ws,
  workflow,
  onClose,
}: {
  ws: number
  workflow: WorkflowDetail
  onClose: () => void
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const versions = useQuery({
    queryKey: ['workflow-versions', ws, workflow.id],
    queryFn: () => get<WorkflowVersion[]>(wfPath(ws, `/workflows/${workflow.id}/versions`)),
  })
  return (
    <Dialog
      open
      title={t('workflows.editor.versions')}
      onClose={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
    >
      <ErrorAlert error={versions.error} />
      {versions.isLoading && <Loading />}
      {versions.data?.length === 0 && <p className="muted">{t('workflows.versions.none')}</p>}
      <ul className="versions">
        {versions.data?.map((v) => (
          <li key={v.version}>
            <strong>{t('workflows.versions.version', { version: f.number(v.version) })}</strong>{' '}
            {v.version === workflow.liveVersion && <Badge tone="green">{t('workflows.versions.live')}</Badge>}{' '}
            <span className="muted">
              {t('workflows.versions.publishedAt', { at: f.dateTime(v.publishedAt) })}
            </span>
          </li>
        ))}
      </ul>
    </Dialog>
  )
}
