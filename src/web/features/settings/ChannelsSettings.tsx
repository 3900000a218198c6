import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { del, get, post } from '../../api/client'
import type { ChannelType } from '../../api/types'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Badge, Loading, Page } from '../../ui/Page'
import { useAction } from '../../ui/useAction'
import { formatDateTime, qk, useChannels, useView } from '../contacts/queries'
import { ConnectChannelDialog, typeLabel } from './ConnectChannelDialog'
import { CopyField } from './CopyField'
import { RequireCapability } from './SettingsLayout'

export function ChannelsSettings() {
  return (
    <RequireCapability capability="settings.channels">
      <Channels />
    </RequireCapability>
  )
}

const TONE = { active: 'green', disconnected: 'neutral', error: 'red' } as const

function Channels() {
  const { t, i18n } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const channels = useChannels(ws)
  const types = useQuery({
    queryKey: ['channel-types', ws],
    queryFn: () => get<ChannelType[]>(`/api/v1/workspaces/${ws}/channel-types`),
  })
  const [connecting, setConnecting] = useState(false)
  const [testing, setTesting] = useState<number | null>(null)
  const refresh = () => qc.invalidateQueries({ queryKey: qk.channels(ws) })
  const { act, error } = useAction(refresh)
  if (channels.isLoading || types.isLoading) return <Loading />
  const typeOf = (type: string) => types.data?.find((x) => x.type === type)
  return (
    <Page
      title={t('settings.nav.channels')}
      description={t('channelSettings.description')}
      actions={
        <>
          <Link className="btn btn-secondary" to="../../sandbox" relative="path">
            {t('settings.nav.sandbox')}
          </Link>
          <Button variant="primary" onClick={() => setConnecting(true)}>
            {t('channelSettings.connect')}
          </Button>
        </>
      }
    >
      <ErrorAlert error={error ?? channels.error ?? types.error} />
      {(channels.data ?? []).length === 0 && <p className="muted">{t('channelSettings.empty')}</p>}
      <div className="cards">
        {channels.data?.map((c) => (
          <article key={c.id} className="card" data-channel={c.name}>
            <header className="card-header">
              <div>
                <h2 dir="auto">{c.name}</h2>
                <p className="muted">{typeLabel(t, c.type, typeOf(c.type)?.label)}</p>
              </div>
              <Badge tone={TONE[c.status]}>{t(`channelSettings.status.${c.status}`)}</Badge>
            </header>
            {c.lastError && (
              <p className="field-error" dir="auto">
                {c.lastError}
              </p>
            )}
            <CopyField label={t('channelSettings.webhookUrl')} value={c.webhookUrl} />
            <p className="field-hint">
              {t('channelSettings.connectedOn', { when: formatDateTime(c.createdAt, i18n.language) })}
            </p>
            <div className="page-actions">
              {typeOf(c.type)?.canTest && (
                <Button
                  busy={testing === c.id}
                  onClick={async () => {
                    setTesting(c.id)
                    await act(() => post(`/api/v1/workspaces/${ws}/channels/${c.id}/setup`))
                    // The check runs in a job; its outcome shows in the status shortly after.
                    setTimeout(() => {
                      void refresh()
                      setTesting(null)
                    }, 1500)
                  }}
                >
                  {t('channelSettings.test')}
                </Button>
              )}
              {c.status !== 'disconnected' && (
                <Button
                  variant="ghost"
                  className="text-danger"
                  onClick={() => {
                    if (window.confirm(t('channelSettings.confirmDisconnect', { name: c.name })))
                      void act(() => del(`/api/v1/workspaces/${ws}/channels/${c.id}`))
                  }}
                >
                  {t('channelSettings.disconnect')}
                </Button>
              )}
            </div>
          </article>
        ))}
      </div>
      {connecting && types.data && (
        <ConnectChannelDialog
          ws={ws}
          types={types.data}
          onClose={() => setConnecting(false)}
          onDone={refresh}
        />
      )}
    </Page>
  )
}
