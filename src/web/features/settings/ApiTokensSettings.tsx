import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useOutletContext } from 'react-router'
import { del, get, post } from '../../api/client'
import type { ApiToken, WorkspaceView } from '../../api/types'
import { formatDateTime } from '../../i18n'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Badge, Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useAction } from '../../ui/useAction'
import { RequireCapability } from './SettingsLayout'

export function ApiTokensSettings() {
  return (
    <RequireCapability capability="settings.integrations">
      <Tokens />
    </RequireCapability>
  )
}

function Tokens() {
  const { t, i18n } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  const ws = view.workspace.id
  const qc = useQueryClient()
  const tokens = useQuery({
    queryKey: ['api-tokens', ws],
    queryFn: () => get<ApiToken[]>(`/api/v1/workspaces/${ws}/api-tokens`),
  })
  const [creating, setCreating] = useState(false)
  const refresh = () => qc.invalidateQueries({ queryKey: ['api-tokens', ws] })
  const { act, error } = useAction(refresh)
  if (tokens.isLoading) return <Loading />
  return (
    <Page
      title={t('settings.nav.apiTokens')}
      description={t('tokens.description')}
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      }
    >
      <ErrorAlert error={error ?? tokens.error} />
      <Table
        columns={[t('tokens.name'), t('tokens.token'), t('tokens.createdBy'), t('tokens.lastUsed')]}
        rows={tokens.data}
        empty={t('tokens.empty')}
      >
        {(tk) => (
          <tr key={tk.id}>
            <td dir="auto">{tk.name}</td>
            <td dir="ltr" className="cell-ltr">
              <code>{tk.tokenPrefix}</code>
            </td>
            <td dir="auto">{tk.createdByName ?? t('tokens.commandLine')}</td>
            <td>{tk.lastUsedAt ? formatDateTime(tk.lastUsedAt, i18n.language) : t('tokens.never')}</td>
            <td className="cell-actions">
              {tk.revokedAt ? (
                <Badge tone="red">{t('tokens.revoked')}</Badge>
              ) : (
                <Button
                  variant="ghost"
                  className="text-danger"
                  onClick={() => {
                    if (!window.confirm(t('tokens.confirmRevoke', { name: tk.name }))) return
                    void act(() => del(`/api/v1/workspaces/${ws}/api-tokens/${tk.id}`))
                  }}
                >
                  {t('tokens.revoke')}
                </Button>
              )}
            </td>
          </tr>
        )}
      </Table>
      {creating && <CreateTokenDialog ws={ws} onClose={() => setCreating(false)} onDone={refresh} />}
    </Page>
  )
}

function CreateTokenDialog({
  ws,
  onClose,
  onDone,
}: {
  ws: number
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [name, setName] = useState('')
  const [token, setToken] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: async () => {
      const res = await post<{ token: string }>(`/api/v1/workspaces/${ws}/api-tokens`, { name })
      setToken(res.token)
      await onDone()
    },
  })
  const errors = formErrors(save.error)
  if (token) {
    return (
      <Dialog
        open
        title={t('tokens.create')}
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            {t('common.done')}
          </Button>
        }
      >
        <Alert kind="warning">{t('tokens.shownOnce')}</Alert>
        <input
          className="token-output"
          readOnly
          value={token}
          dir="ltr"
          aria-label={t('tokens.token')}
          onFocus={(e) => e.target.select()}
        />
      </Dialog>
    )
  }
  return (
    <FormDialog
      title={t('tokens.create')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
      submitLabel={t('tokens.create')}
    >
      <TextField
        label={t('tokens.name')}
        value={name}
        onChange={setName}
        error={errors.field('name')}
        required
        autoFocus
        dir="auto"
      />
    </FormDialog>
  )
}
