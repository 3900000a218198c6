import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useOutletContext } from 'react-router'
import { get, post } from '../../api/client'
import type { SandboxView, WorkspaceView } from '../../api/types'
import { formatDateTime } from '../../i18n'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Loading, Page } from '../../ui/Page'

/** Issue 4 item 9: chat with yourself as a customer on a simulated WhatsApp number. */
export function SandboxPage() {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  if (!view.capabilities['settings.channels']) return <Alert kind="error">{t('errors.forbidden')}</Alert>
  return <Sandbox ws={view.workspace.id} />
}

function Sandbox({ ws }: { ws: number }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const key = ['sandbox', ws]
  const sandbox = useQuery({
    queryKey: key,
    queryFn: () => get<SandboxView>(`/api/v1/workspaces/${ws}/sandbox`),
    refetchInterval: (q) => (q.state.data?.channel ? 2000 : false),
  })
  const start = useMutation({
    mutationFn: () => post<SandboxView>(`/api/v1/workspaces/${ws}/sandbox`),
    onSuccess: (data) => qc.setQueryData(key, data),
  })
  if (sandbox.isLoading) return <Loading />
  const data = sandbox.data
  return (
    <Page title={t('sandbox.title')} description={t('sandbox.description')}>
      <ErrorAlert error={sandbox.error ?? start.error} />
      {!data?.channel ? (
        <div className="sandbox-start">
          <p>{t('sandbox.intro')}</p>
          <Button variant="primary" busy={start.isPending} onClick={() => start.mutate()}>
            {t('sandbox.start')}
          </Button>
        </div>
      ) : (
        <div className="sandbox-layout">
          <Phone ws={ws} data={data} onSent={() => qc.invalidateQueries({ queryKey: key })} />
          <aside className="sandbox-help">
            <h2>{t('sandbox.howTitle')}</h2>
            <ol>
              <li>{t('sandbox.how1')}</li>
              <li>{t('sandbox.how2')}</li>
              <li>{t('sandbox.how3')}</li>
            </ol>
            <dl>
              <dt>{t('sandbox.customerNumber')}</dt>
              <dd dir="ltr">{data.customerNumber}</dd>
              <dt>{t('sandbox.businessNumber')}</dt>
              <dd dir="ltr">{data.businessNumber}</dd>
            </dl>
          </aside>
        </div>
      )}
    </Page>
  )
}

function Phone({ ws, data, onSent }: { ws: number; data: SandboxView; onSent: () => unknown }) {
  const { t, i18n } = useTranslation()
  const [text, setText] = useState('')
  const bottom = useRef<HTMLDivElement>(null)
  const send = useMutation({
    mutationFn: (body: string) => post(`/api/v1/workspaces/${ws}/sandbox/messages`, { text: body }),
    onSuccess: () => {
      setText('')
      return onSent()
    },
  })
  const count = data.lines.length
  useEffect(() => {
    if (count) bottom.current?.scrollIntoView({ block: 'end' })
  }, [count])
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (text.trim()) send.mutate(text)
  }
  return (
    <section className="phone" aria-label={t('sandbox.phone')}>
      <header className="phone-header">
        <strong dir="auto">{data.channel?.name}</strong>
        <span className="muted" dir="ltr">
          {data.businessNumber}
        </span>
      </header>
      <div className="phone-messages" role="log" aria-live="polite">
        {count === 0 && <p className="phone-empty muted">{t('sandbox.empty')}</p>}
        {data.lines.map((line) => (
          <div key={line.id} className={`bubble bubble-${line.from}`}>
            <span className="sr-only">{t(`sandbox.from.${line.from}`)}</span>
            <p dir="auto">{line.text}</p>
            <span className="bubble-meta">
              {formatDateTime(line.at, i18n.language)}
              {line.status && ` · ${t(`sandbox.status.${line.status}`, { defaultValue: line.status })}`}
            </span>
            {line.error && (
              <span className="bubble-error" dir="auto">
                {line.error}
              </span>
            )}
          </div>
        ))}
        <div ref={bottom} />
      </div>
      <ErrorAlert error={send.error} />
      <form className="phone-composer" onSubmit={submit}>
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('sandbox.placeholder')}
          aria-label={t('sandbox.placeholder')}
          dir="auto"
          maxLength={4096}
        />
        <Button variant="primary" type="submit" busy={send.isPending} disabled={!text.trim()}>
          {t('sandbox.send')}
        </Button>
      </form>
    </section>
  )
}
