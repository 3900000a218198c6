import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get, patch, post } from '../../api/client'
import type { Webhook } from '../../api/types'
import { Alert, formErrors } from '../../ui/Alert'
import { TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'

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
  const save = useMutation({
    mutationFn: async () => {
      if (webhook) await patch(`${base}/${webhook.id}`, { url, description, events })
      else {
        const created = await post<{ secret: string }>(base, { url, description, events })
        onCreated(created.secret)
      }
      await onDone()
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={webhook ? t('webhooks.edit') : t('webhooks.add')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
      wide
    >
      <TextField
        label={t('webhooks.url')}
        hint={t('webhooks.urlHint')}
        type="url"
        value={url}
        onChange={setUrl}
        error={errors.field('url')}
        required
        autoFocus
        dir="ltr"
      />
      <TextField
        label={t('webhooks.descriptionLabel')}
        value={description}
        onChange={setDescription}
        error={errors.field('description')}
        dir="auto"
      />
      <fieldset className="event-picker">
        <legend className="radio-group-label">{t('webhooks.eventsLabel')}</legend>
        {errors.field('events') && <Alert kind="error">{errors.field('events')}</Alert>}
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
    </FormDialog>
  )
}
