import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, patch } from '../../api/client'
import type { ContactDetail, ContactField } from '../../api/types'
import { Button } from '../../ui/Button'
import { CustomValue } from './CustomValue'

type Props = {
  ws: number
  contact: ContactDetail
  field: ContactField
  onSaved: (c: ContactDetail) => void
}

/** One custom field on the contact page, edited in place with the control its type needs (rule 55). */
export function CustomFieldEditor({ ws, contact, field, onSaved }: Props) {
  const { t } = useTranslation()
  const current = contact.custom[field.key]
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const inputId = `cf-${field.key}`

  const start = () => {
    setDraft(current === undefined || current === null ? '' : String(current))
    setError(null)
    setEditing(true)
  }
  const save = async (value: string | number | boolean | null) => {
    setBusy(true)
    setError(null)
    try {
      const saved = await patch<ContactDetail>(`/api/v1/workspaces/${ws}/contacts/${contact.id}`, {
        custom: { [field.key]: value },
      })
      onSaved(saved)
      setEditing(false)
    } catch (err) {
      setError(err instanceof ApiError ? (err.fields[0]?.message ?? err.message) : t('errors.unexpected'))
    } finally {
      setBusy(false)
    }
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (draft.trim() === '') return void save(null)
    if (field.type === 'number') return void save(Number(draft))
    void save(draft)
  }

  // A checkbox saves on click: there is nothing to type.
  if (field.type === 'checkbox') {
    return (
      <div className="kv-row" data-field={field.key}>
        <label htmlFor={inputId} dir="auto">
          {field.name}
        </label>
        <div>
          <input
            id={inputId}
            type="checkbox"
            checked={current === true}
            disabled={busy}
            onChange={(e) => void save(e.target.checked)}
          />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      </div>
    )
  }
  if (!editing) {
    return (
      <div className="kv-row" data-field={field.key}>
        <span className="kv-label" dir="auto">
          {field.name}
        </span>
        <div className="kv-value">
          <CustomValue field={field} value={current} />
          <Button variant="ghost" onClick={start} aria-label={t('contacts.editField', { name: field.name })}>
            {t('common.edit')}
          </Button>
        </div>
      </div>
    )
  }
  const inputType =
    field.type === 'number'
      ? 'number'
      : field.type === 'date'
        ? 'date'
        : field.type === 'time'
          ? 'time'
          : field.type === 'email'
            ? 'email'
            : field.type === 'url'
              ? 'url'
              : 'text'
  return (
    <form className="kv-row" data-field={field.key} onSubmit={submit}>
      <label htmlFor={inputId} dir="auto">
        {field.name}
      </label>
      <div>
        <div className="inline-edit">
          {field.type === 'list' ? (
            <select id={inputId} value={draft} onChange={(e) => setDraft(e.target.value)}>
              <option value="">{t('contacts.none')}</option>
              {field.options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={inputId}
              type={inputType}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              dir={field.type === 'text' ? 'auto' : 'ltr'}
              aria-invalid={error ? true : undefined}
              // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field.
              autoFocus
            />
          )}
          <Button type="submit" variant="primary" busy={busy}>
            {t('common.save')}
          </Button>
          <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
        </div>
        {field.description && <p className="field-hint">{field.description}</p>}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  )
}
