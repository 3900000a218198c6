import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Badge } from '../../ui/Page'
import { keys, type Window } from './api'
import { countdown } from './format'

/**
 * The messaging window of the reply channel (rules 15–22) as a badge with a live countdown.
 * When it runs out the conversation is refetched, so the composer switches to the template or
 * tagged-message fallback without a reload.
 */
export function WindowBadge({ ws, contactId, window }: { ws: number; contactId: number; window: Window }) {
  const { t, i18n } = useTranslation()
  const qc = useQueryClient()
  const closesAt = window.closesAt ? Date.parse(window.closesAt) : null
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (closesAt === null) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [closesAt])
  const left = closesAt === null ? null : closesAt - now
  const expired = left !== null && left <= 0
  useEffect(() => {
    if (expired) void qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) })
  }, [expired, qc, ws, contactId])

  if (window.status === 'none') return <Badge>{t('inbox.window.none')}</Badge>
  if (window.status === 'expired') return <Badge tone="red">{t('inbox.window.expired')}</Badge>
  const label = window.status === 'human_agent' ? t('inbox.window.humanAgent') : t('inbox.window.open')
  return (
    <span
      className={`badge badge-${window.status === 'open' ? 'green' : 'amber'} window-badge`}
      data-window={window.status}
    >
      {label}{' '}
      <bdi className="countdown" role="timer" aria-label={t('inbox.window.timeLeft')}>
        {countdown(left ?? 0, i18n.language)}
      </bdi>
      {window.remainingOutbound !== null && (
        <span> · {t('inbox.window.remaining', { count: window.remainingOutbound })}</span>
      )}
    </span>
  )
}
