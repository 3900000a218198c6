import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { patch, post } from '../../api/client'
import type { ContactDetail } from '../../api/types'
import { formErrors } from '../../ui/Alert'
import { TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
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
  const save = useMutation({
    mutationFn: async () => {
      const saved = contact
        ? await patch<ContactDetail>(`/api/v1/workspaces/${ws}/contacts/${contact.id}`, values)
        : await post<ContactDetail>(`/api/v1/workspaces/${ws}/contacts`, values)
      await qc.invalidateQueries({ queryKey: qk.contacts(ws) })
      qc.setQueryData(qk.contact(ws, saved.id), saved)
      onSaved(saved)
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={contact ? t('contacts.edit') : t('contacts.create')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
    >
      {KEYS.map((k, i) => (
        <TextField
          key={k}
          label={t(`contacts.fields.${k}`)}
          hint={k === 'phone' ? t('contacts.phoneHint') : undefined}
          value={values[k]}
          onChange={(v) => setValues((s) => ({ ...s, [k]: v }))}
          error={errors.field(k)}
          autoFocus={i === 0}
          type={k === 'email' ? 'email' : k === 'phone' ? 'tel' : 'text'}
          dir={k === 'phone' || k === 'email' ? 'ltr' : 'auto'}
        />
      ))}
    </FormDialog>
  )
}
