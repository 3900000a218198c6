import type { TFunction } from 'i18next'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, post } from '../../api/client'
import type { Channel, ChannelType } from '../../api/types'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { Checkbox, Field, SelectField, TextField } from '../../ui/Field'
import { CopyField } from './CopyField'
import { channelPayload } from './helpers'

/** Brand names stay as the adapter gives them; generic ones ("Custom channel") are translated. */
export function typeLabel(t: TFunction, type: string, label: string | undefined): string {
  return t(`channelSettings.typeLabels.${type}`, { defaultValue: label ?? type })
}

type Created = Channel & { credentials: Record<string, string> | null }

/**
 * The connect wizard: pick a type, fill the fields its adapter declares (labels and help are i18n
 * keys from the server's setup metadata), then copy the webhook URL and any generated secret.
 */
export function ConnectChannelDialog({
  ws,
  types,
  onClose,
  onDone,
}: {
  ws: number
  types: ChannelType[]
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [type, setType] = useState<ChannelType | null>(null)
  const [name, setName] = useState('')
  const [values, setValues] = useState<Record<string, string | boolean>>({})
  const [created, setCreated] = useState<Created | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!type) return
    setBusy(true)
    setError(null)
    const { config, secrets } = channelPayload(type.setup, values)
    try {
      const r = await post<Created>(`/api/v1/workspaces/${ws}/channels`, {
        type: type.type,
        name,
        config,
        ...(Object.keys(secrets).length ? { secrets } : {}),
      })
      setCreated(r)
      await onDone()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const errors = formErrors(error)

  if (created) {
    return (
      <Dialog
        open
        title={t('channelSettings.connected', { name: created.name })}
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            {t('common.done')}
          </Button>
        }
      >
        <p>{t('channelSettings.pasteWebhook')}</p>
        <CopyField label={t('channelSettings.webhookUrl')} value={created.webhookUrl} />
        {created.credentials && (
          <>
            <Alert kind="warning">{t('webhooks.shownOnce')}</Alert>
            {Object.entries(created.credentials).map(([k, v]) => {
              const f = type?.setup.find((s) => s.key === k)
              return <CopyField key={k} label={f ? t(f.label) : k} value={v} />
            })}
          </>
        )}
      </Dialog>
    )
  }

  return (
    <Dialog
      open
      wide
      title={
        type
          ? t('channelSettings.connectType', { type: typeLabel(t, type.type, type.label) })
          : t('channelSettings.connect')
      }
      onClose={onClose}
      footer={
        type ? (
          <>
            <Button onClick={() => setType(null)}>{t('channelSettings.back')}</Button>
            <Button variant="primary" type="submit" form="channel-form" busy={busy}>
              {t('channelSettings.connect')}
            </Button>
          </>
        ) : (
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        )
      }
    >
      {!type ? (
        <ul className="type-grid">
          {types.map((ty) => (
            <li key={ty.type}>
              <button
                type="button"
                className="type-card"
                onClick={() => {
                  setType(ty)
                  setName(typeLabel(t, ty.type, ty.label))
                  setValues({})
                }}
              >
                {typeLabel(t, ty.type, ty.label)}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <form id="channel-form" onSubmit={submit}>
          <ErrorAlert error={errors.alert} />
          {error instanceof ApiError && error.fields.length > 0 && (
            <Alert kind="error">
              <ul>
                {error.fields.map((f) => (
                  <li key={`${f.path}${f.message}`}>{f.message}</li>
                ))}
              </ul>
            </Alert>
          )}
          <TextField
            label={t('channelSettings.name')}
            value={name}
            onChange={setName}
            error={errors.field('name')}
            required
            dir="auto"
          />
          {type.setup
            .filter((f) => !f.generated)
            .map((f) => {
              const label = t(f.label)
              const hint = f.help ? t(f.help) : undefined
              const v = values[f.key]
              const set = (nv: string | boolean) => setValues((s) => ({ ...s, [f.key]: nv }))
              if (f.input === 'checkbox')
                return <Checkbox key={f.key} label={label} hint={hint} checked={v === true} onChange={set} />
              if (f.input === 'select')
                return (
                  <SelectField
                    key={f.key}
                    label={label}
                    value={typeof v === 'string' ? v : ''}
                    onChange={set}
                    options={[
                      { value: '', label: '—' },
                      ...(f.options ?? []).map((o) => ({ value: o, label: o })),
                    ]}
                  />
                )
              if (f.input === 'lines')
                return (
                  <Field key={f.key} label={label} hint={hint} error={errors.field(f.key)}>
                    {(id, describedBy) => (
                      <textarea
                        id={id}
                        rows={3}
                        value={typeof v === 'string' ? v : ''}
                        onChange={(e) => set(e.target.value)}
                        required={f.required}
                        aria-describedby={describedBy}
                        dir="ltr"
                      />
                    )}
                  </Field>
                )
              return (
                <TextField
                  key={f.key}
                  label={label}
                  hint={hint}
                  type={f.input}
                  value={typeof v === 'string' ? v : ''}
                  onChange={set}
                  required={f.required}
                  error={errors.field(f.key)}
                  autoComplete="off"
                  dir="ltr"
                />
              )
            })}
          {type.setup.some((f) => f.generated) && (
            <p className="field-hint">{t('channelSettings.generatedNote')}</p>
          )}
        </form>
      )}
    </Dialog>
  )
}
