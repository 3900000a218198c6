import { useMutation, useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get, post } from '../../api/client'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { SelectField } from '../../ui/Field'
import { type Contact, keys, type Template } from './api'
import { type Slot, slotId, templatePayload, templatePreview, templateSlots } from './templateFill'

type Props = {
  ws: number
  channelId: number
  contact: Contact
  onClose: () => void
  onSend: (template: ReturnType<typeof templatePayload>) => Promise<void>
  busy: boolean
  error: unknown
}

const SOURCES = ['text', 'firstName', 'lastName', 'displayName', 'phone', 'email'] as const
type Source = (typeof SOURCES)[number]

/** Rule 15: after the 24-hour window only an approved template goes out; fill, preview, send. */
export function TemplateDialog({ ws, channelId, contact, onClose, onSend, busy, error }: Props) {
  const { t } = useTranslation()
  const templates = useQuery({
    queryKey: keys.templates(ws, channelId),
    queryFn: () => get<Template[]>(`/api/v1/workspaces/${ws}/channels/${channelId}/templates`),
  })
  const sync = useMutation({
    mutationFn: () => post(`/api/v1/workspaces/${ws}/channels/${channelId}/templates/sync`),
    onSuccess: () => setTimeout(() => void templates.refetch(), 1500),
  })
  const approved = (templates.data ?? []).filter((x) => x.status.toUpperCase() === 'APPROVED')
  const [chosen, setChosen] = useState('')
  const [sources, setSources] = useState<Record<string, Source>>({})
  const [texts, setTexts] = useState<Record<string, string>>({})
  const template = approved.find((x) => String(x.id) === chosen)
  const slots = template ? templateSlots(template.components) : []

  const slotValue = (s: Slot) => {
    const id = slotId(s)
    const source = sources[id] ?? 'text'
    if (source === 'text') return texts[id] ?? ''
    return String(contact[source] ?? '')
  }
  const values = Object.fromEntries(slots.map((s) => [slotId(s), slotValue(s)]))
  const missing = slots.some((s) => !slotValue(s).trim())
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (template && !missing) await onSend(templatePayload(template, values)).catch(() => undefined)
  }
  return (
    <Dialog open title={t('inbox.sendTemplate')} onClose={onClose} wide>
      <form onSubmit={submit} className="stack template-form">
        {templates.isSuccess && approved.length === 0 && (
          <Alert kind="info">
            {t('inbox.noTemplates')}{' '}
            <Button onClick={() => sync.mutate()} busy={sync.isPending}>
              {t('inbox.syncTemplates')}
            </Button>
          </Alert>
        )}
        <ErrorAlert error={templates.error ?? sync.error} />
        <SelectField
          label={t('inbox.template')}
          value={chosen}
          onChange={setChosen}
          options={[
            { value: '', label: t('inbox.chooseTemplate') },
            ...approved.map((x) => ({ value: String(x.id), label: `${x.name} (${x.language})` })),
          ]}
        />
        {slots.map((s) => {
          const id = slotId(s)
          const source = sources[id] ?? 'text'
          const label = t(`inbox.slot.${s.part}`, { n: s.n })
          return (
            <fieldset key={id} className="slot">
              <legend>{label}</legend>
              <select
                aria-label={t('inbox.slotSource', { slot: label })}
                value={source}
                onChange={(e) => setSources({ ...sources, [id]: e.target.value as Source })}
              >
                {SOURCES.map((x) => (
                  <option key={x} value={x}>
                    {t(`inbox.source.${x}`)}
                  </option>
                ))}
              </select>
              {source === 'text' ? (
                <input
                  aria-label={label}
                  value={texts[id] ?? ''}
                  onChange={(e) => setTexts({ ...texts, [id]: e.target.value })}
                  dir="auto"
                  maxLength={s.part === 'header' ? 60 : 1024}
                />
              ) : (
                <output dir="auto" className="muted">
                  {slotValue(s) || t('inbox.fieldEmpty')}
                </output>
              )}
            </fieldset>
          )
        })}
        {template && (
          <section className="template-preview" aria-label={t('inbox.preview')}>
            <h3>{t('inbox.preview')}</h3>
            {templatePreview(template.components, values).map((p) => (
              <p key={p.key} className={`tp tp-${p.kind}`} dir="auto">
                {p.text}
              </p>
            ))}
          </section>
        )}
        <ErrorAlert error={error} />
        <div className="dialog-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!template || missing}>
            {t('inbox.sendTemplateNow')}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}
