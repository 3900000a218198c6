import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, patch, post } from '../../api/client'
import type { ContactDetail } from '../../api/types'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { TextField } from '../../ui/Field'
import { qk } from './queries'

const KEYS = ['firstName', 'lastName', 'phone', 'email', 'country', 'language'] as const
type Key = (typeof KEYS)[number]

/** Create a contact, or edit its standard fields (rule 54; the profile picture comes from the channel). */
export function ContactDialog({
  ws,
  contact,
  onClose,
  onSaved,
}: {
  ws: number
  contact: ContactDetail | null
  onClose: () => void
  onSaved: (c: ContactDetail) => void
}) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [values, setValues] = useState<Record<Key, string>>(
    () => Object.fromEntries(KEYS.map((k) => [k, contact?.[k] ?? ''])) as Record<Key, string>,
  )
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const saved = contact
        ? await patch<ContactDetail>(`/api/v1/workspaces/${ws}/contacts/${contact.id}`, values)
        : await post<ContactDetail>(`/api/v1/workspaces/${ws}/contacts`, values)
      await qc.invalidateQueries({ queryKey: qk.contacts(ws) })
      qc.setQueryData(qk.contact(ws, saved.id), saved)
      onSaved(saved)
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
      title={contact ? t('contacts.edit') : t('contacts.create')}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="contact-form" busy={busy}>
            {t('common.save')}
          </Button>
        </>
      }
    >
      <form id="contact-form" onSubmit={submit}>
        <ErrorAlert error={error instanceof ApiError && error.fields.length ? null : error} />
        {KEYS.map((k, i) => (
          <TextField
            key={k}
            label={t(`contacts.fields.${k}`)}
            hint={k === 'phone' ? t('contacts.phoneHint') : undefined}
            value={values[k]}
            onChange={(v) => setValues((s) => ({ ...s, [k]: v }))}
            error={fieldError(k)}
            autoFocus={i === 0}
            type={k === 'email' ? 'email' : k === 'phone' ? 'tel' : 'text'}
            dir={k === 'phone' || k === 'email' ? 'ltr' : 'auto'}
          />
        ))}
      </form>
    </Dialog>
  )
}
