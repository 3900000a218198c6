import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get } from '../../api/client'
import { type ContactItem, wfPath } from './api'

/** Search contacts (name, phone, email) and choose one. */
export function ContactPicker({
  ws,
  value,
  onChange,
  label,
}: {
  ws: number
  value: number | null
  onChange: (id: number | null, contact: ContactItem | null) => void
  label: string
}) {
  const { t } = useTranslation()
  const [q, setQ] = useState('')
  const contacts = useQuery({
    queryKey: ['contacts-pick', ws, q],
    queryFn: () =>
      get<{ contacts: ContactItem[] }>(
        wfPath(ws, `/contacts?limit=20${q ? `&q=${encodeURIComponent(q)}` : ''}`),
      ),
  })
  const list = contacts.data?.contacts ?? []
  return (
    <div className="contact-picker">
      <div className="field">
        <label htmlFor="contact-search">{t('workflows.runs.searchContact')}</label>
        <input
          id="contact-search"
          type="search"
          dir="auto"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="contact-choice">{label}</label>
        <select
          id="contact-choice"
          value={value ?? ''}
          onChange={(e) => {
            const id = e.target.value ? Number(e.target.value) : null
            onChange(id, list.find((c) => c.id === id) ?? null)
          }}
        >
          <option value="">{t('workflows.runs.anyContact')}</option>
          {list.map((c) => (
            <option key={c.id} value={c.id}>
              {c.displayName}
              {c.phone ? ` · ${c.phone}` : ''}
            </option>
          ))}
        </select>
      </div>
    </div>
  )
}
