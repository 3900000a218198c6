import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { post } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { keys, paths } from './api'
import { Popover } from './Popover'
import { snoozePresets } from './snooze'

type Props = { ws: number; contactId: number; open: boolean; onOpenChange: (open: boolean) => void }

/** Rule 13: snooze until a time; the contact writing ends it early. */
export function SnoozeMenu({ ws, contactId, open, onOpenChange }: Props) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const [custom, setCustom] = useState('')
  const snooze = useMutation({
    mutationFn: (until: Date) =>
      post(`${paths.contact(ws, contactId)}/conversation/snooze`, { until: until.toISOString() }),
    onSuccess: () => {
      onOpenChange(false)
      return Promise.all([
        qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) }),
        qc.invalidateQueries({ queryKey: keys.timeline(ws, contactId) }),
      ])
    },
  })
  const fmt = new Intl.DateTimeFormat(i18n.language, { weekday: 'short', hour: 'numeric', minute: '2-digit' })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (custom) snooze.mutate(new Date(custom))
  }
  return (
    <Popover label={t('inbox.snooze')} buttonText={t('inbox.snooze')} open={open} onOpenChange={onOpenChange}>
      <ul className="menu-list">
        {snoozePresets(new Date()).map((p) => (
          <li key={p.key}>
            <button type="button" className="menu-item" onClick={() => snooze.mutate(p.at)}>
              <span>{t(`inbox.snoozePresets.${p.key}`)}</span>
              <span className="muted">{fmt.format(p.at)}</span>
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="snooze-custom">
        <label>
          <span>{t('inbox.snoozeUntil')}</span>
          <input type="datetime-local" value={custom} onChange={(e) => setCustom(e.target.value)} required />
        </label>
        <Button type="submit" variant="primary" busy={snooze.isPending}>
          {t('inbox.snooze')}
        </Button>
      </form>
      <ErrorAlert error={snooze.error} />
    </Popover>
  )
}
