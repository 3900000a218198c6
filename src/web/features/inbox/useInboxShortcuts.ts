import { useEffect } from 'react'
import type { InboxRow } from './api'
import type { InboxDialog } from './InboxPage'

/**
 * Issue 6 item 4: j / k or Alt+↓ / Alt+↑ move between conversations, "m" assigns the contact to
 * me, "a" opens the assignment list, "c" closes, "s" snoozes. Ignored while typing in a field.
 */
export function useInboxShortcuts({
  rows,
  contactId,
  open,
  setDialog,
}: {
  rows: InboxRow[]
  contactId: number | null
  open: (id: number) => void
  setDialog: (d: InboxDialog) => void
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null
      const typing =
        target?.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? '')
      if (document.querySelector('dialog[open]')) return
      const step = (delta: number) => {
        if (rows.length === 0) return
        const i = rows.findIndex((r) => r.contactId === contactId)
        const next = rows[Math.min(rows.length - 1, Math.max(0, i === -1 ? 0 : i + delta))]
        if (next && next.contactId !== contactId) open(next.contactId)
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
  }, [rows, contactId, open, setDialog])
}
