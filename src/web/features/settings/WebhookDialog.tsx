import { useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, get, patch, post } from '../../api/client'
import type { Webhook } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { TextField } from '../../ui/Field'

type EventInfo = { event: string; alias: string; description: string }

export function WebhookDialog({
  ws,
  webhook,
  onClose,
  onCreated,
  onDone,
}: {
  ws: number
  webhook: Webhook | null
  onClose: () => void
  onCreated: (secret: string) => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const base = `/api/v1/workspaces/${ws}/webhooks`
  const catalog = useQuery({
    queryKey: ['webhook-events', ws],
    queryFn: () => get<EventInfo[]>(`${base}/events`),
  })
  const [url, setUrl] = useState(webhook?.url ?? '')
  const [description, setDescription] = useState(webhook?.description ?? '')
  const [events, setEvents] = useState<string[]>(webhook?.events ?? [])
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      if (webhook) await patch(`${base}/${webhook.id}`, { url, description, events })
      else {
        const created = await post<{ secret: string }>(base, { url, description, events })
        onCreated(created.secret)
      }
      await onDone()
      onClose()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const fieldError = (k: string) => (error instanceof ApiError ? error.field(k) : undefined)
  return (
    <Dialog
      open
      wide
      title={webhook ? t('webhooks.edit') : t('webhooks.add')}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="webhook-form" busy={busy}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form id="webhook-form" onSubmit={submit}>
        <ErrorAlert error={error instanceof ApiError && error.fields.length ? null : error} />
        <TextField
          label={t('webhooks.url')}
          hint={t('webhooks.urlHint')}
          type="url"
          value={url}
          onChange={setUrl}
          error={fieldError('url')}
          required
          autoFocus
          dir="ltr"
        />
        <TextField
          label={t('webhooks.descriptionLabel')}
          value={description}
          onChange={setDescription}
          error={fieldError('description')}
          dir="auto"
        />
        <fieldset className="event-picker">
          <legend className="radio-group-label">{t('webhooks.eventsLabel')}</legend>
          {fieldError('events') && <Alert kind="error">{fieldError('events')}</Alert>}
          {catalog.data?.map((ev) => (
            <label key={ev.event} className="checkbox">
              <input
                type="checkbox"
                checked={events.includes(ev.event) || events.includes(ev.alias)}
                onChange={(e) =>
                  setEvents((s) =>
                    e.target.checked ? [...s, ev.event] : s.filter((x) => x !== ev.event && x !== ev.alias),
                  )
                }
              />
              <span>
                <code dir="ltr">{ev.event}</code>
                <span className="field-hint">{ev.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
      </form>
    </Dialog>
  )
}
