import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, get, patch, post, put } from '../../api/client'
import type { Webhook } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Checkbox } from '../../ui/Field'
import { Badge, Loading, Page } from '../../ui/Page'
import { useAction } from '../../ui/useAction'
import { formatDateTime, useView } from '../contacts/queries'
import { SecretDialog } from './SecretDialog'
import { RequireCapability } from './SettingsLayout'
import { WebhookDeliveries } from './WebhookDeliveries'
import { WebhookDialog } from './WebhookDialog'

export function WebhooksSettings() {
  return (
    <RequireCapability capability="settings.integrations">
      <Webhooks />
    </RequireCapability>
  )
}

type Settings = { allowPrivateNetwork: boolean; instanceAllowsPrivateNetwork: boolean }

/** Outgoing webhooks (docs/webhooks.md): endpoints, secrets shown once, rotation, delivery log. */
function Webhooks() {
  const { t, i18n } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const base = `/api/v1/workspaces/${ws}/webhooks`
  const webhooks = useQuery({ queryKey: ['webhooks', ws], queryFn: () => get<Webhook[]>(base) })
  const settings = useQuery({
    queryKey: ['webhook-settings', ws],
    queryFn: () => get<Settings>(`${base}/settings`),
  })
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null)
  const [secret, setSecret] = useState<string | null>(null)
  const [log, setLog] = useState<number | null>(null)
  const refresh = () => qc.invalidateQueries({ queryKey: ['webhooks', ws] })
  const { act, error } = useAction(refresh)
  if (webhooks.isLoading) return <Loading />
  return (
    <Page
      title={t('settings.nav.webhooks')}
      description={t('webhooks.description')}
      actions={
        <Button variant="primary" onClick={() => setEditing('new')}>
          {t('webhooks.add')}
        </Button>
      }
    >
      <ErrorAlert error={error ?? webhooks.error} />
      {settings.data?.instanceAllowsPrivateNetwork && (
        <Checkbox
          label={t('webhooks.allowPrivate')}
          hint={t('webhooks.allowPrivateHint')}
          checked={settings.data.allowPrivateNetwork}
          onChange={(v) => {
            // Shown at once; the server's answer (or the refetch after an error) settles it.
            qc.setQueryData<Settings>(['webhook-settings', ws], { ...settings.data!, allowPrivateNetwork: v })
            void act(async () => {
              try {
                qc.setQueryData(
                  ['webhook-settings', ws],
                  await put<Settings>(`${base}/settings`, { allowPrivateNetwork: v }),
                )
              } catch (err) {
                await qc.invalidateQueries({ queryKey: ['webhook-settings', ws] })
                throw err
              }
            })
          }}
        />
      )}
      {(webhooks.data ?? []).length === 0 && <p className="muted">{t('webhooks.empty')}</p>}
      <div className="webhook-list">
        {webhooks.data?.map((w) => (
          <article key={w.id} className="card" data-webhook={w.url}>
            <header className="card-header">
              <div>
                <h2 dir="ltr" className="cell-ltr webhook-url">
                  {w.url}
                </h2>
                {w.description && (
                  <p className="muted" dir="auto">
                    {w.description}
                  </p>
                )}
                <p className="field-hint">
                  {t('webhooks.events', { count: w.events.length })} ·{' '}
                  <span dir="ltr">
                    {t('webhooks.secretHint')} {w.secretHint}…
                  </span>
                </p>
              </div>
              <div className="card-actions">
                {w.enabled ? (
                  <Badge tone="green">{t('webhooks.enabled')}</Badge>
                ) : (
                  <Badge tone="amber">{t('webhooks.disabled')}</Badge>
                )}
                {w.health.failingSince && <Badge tone="red">{t('webhooks.failing')}</Badge>}
              </div>
            </header>
            {w.disabledReason && <Alert kind="warning">{w.disabledReason}</Alert>}
            <dl className="stats">
              <div>
                <dt>{t('webhooks.lastSuccess')}</dt>
                <dd className="stat-small">{formatDateTime(w.health.lastSuccessAt, i18n.language) || '—'}</dd>
              </div>
              <div>
                <dt>{t('webhooks.pending')}</dt>
                <dd className="stat-small">{w.health.pending}</dd>
              </div>
              <div>
                <dt>{t('webhooks.dead')}</dt>
                <dd className="stat-small">{w.health.dead}</dd>
              </div>
            </dl>
            <div className="page-actions">
              <Button onClick={() => setLog(log === w.id ? null : w.id)} aria-expanded={log === w.id}>
                {t('webhooks.deliveryLog')}
              </Button>
              <Button onClick={() => act(() => post(`${base}/${w.id}/test`))}>
                {t('webhooks.sendTest')}
              </Button>
              <Button onClick={() => setEditing(w)}>{t('common.edit')}</Button>
              <Button onClick={() => act(() => patch(`${base}/${w.id}`, { enabled: !w.enabled }))}>
                {w.enabled ? t('webhooks.disable') : t('webhooks.enable')}
              </Button>
              <Button
                onClick={() => {
                  if (!window.confirm(t('webhooks.confirmRotate'))) return
                  void act(async () => {
                    const r = await post<{ secret: string }>(`${base}/${w.id}/rotate-secret`, {})
                    setSecret(r.secret)
                  })
                }}
              >
                {t('webhooks.rotate')}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  if (window.confirm(t('webhooks.confirmDelete', { url: w.url })))
                    void act(() => del(`${base}/${w.id}`))
                }}
              >
                {t('common.delete')}
              </Button>
            </div>
            {log === w.id && <WebhookDeliveries ws={ws} webhookId={w.id} />}
          </article>
        ))}
      </div>
      {editing && (
        <WebhookDialog
          ws={ws}
          webhook={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onCreated={(s) => setSecret(s)}
          onDone={refresh}
        />
      )}
      {secret && (
        <SecretDialog title={t('webhooks.secretTitle')} secret={secret} onClose={() => setSecret(null)} />
      )}
    </Page>
  )
}
