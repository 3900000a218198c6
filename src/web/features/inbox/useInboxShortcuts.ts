import { useEffect, useLayoutEffect, useRef } from 'react'
import type { InboxRow } from './api'
import type { InboxDialog } from './InboxPage'

/**
 * Issue 6 item 4: j / k or Alt+↓ / Alt+↑ move between conversations, "m" assigns the contact to
 * me, "a" opens the assignment list, "c" closes, "s" snoozes. Ignored while typing in a field.
 */
export function useInboxShortcuts(props: {
  rows: InboxRow[]
  contactId: number | null
  open: (id: number) => void
  setDialog: (d: InboxDialog) => void
}) {
  // Read at key time, not captured by the listener: a key pressed right after j moves on from
  // where j went, even before React has re-rendered and re-subscribed (j then k, or j j).
  const latest = useRef(props)
  useLayoutEffect(() => {
    latest.current = props
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { rows, contactId, open, setDialog } = latest.current
      const target = e.target as HTMLElement | null
      const typing =
        target?.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? '')
      if (document.querySelector('dialog[open]')) return
      const step = (delta: number) => {
        if (rows.length === 0) return
        const i = rows.findIndex((r) => r.contactId === contactId)
        const next = rows[Math.min(rows.length - 1, Math.max(0, i === -1 ? 0 : i + delta))]
        if (next && next.contactId !== contactId) {
          open(next.contactId)
          latest.current = { ...latest.current, contactId: next.contactId }
        }
        e.preventDefault()
      }
      if (e.altKey && e.key === 'ArrowDown') return step(1)
      if (e.altKey && e.key === 'ArrowUp') return step(-1)
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === 'j') return step(1)
      if (e.key === 'k') return step(-1)
      if (contactId === null) return
      const dialog = ({ a: 'assign', m: 'assignMe', c: 'close', s: 'snooze' } as const)[e.key as 'a']
      if (dialog) {
        e.preventDefault()
        setDialog(dialog)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
