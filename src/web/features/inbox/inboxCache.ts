import type { InboxPage, InboxRow, InboxSort, InboxStatus, Message } from './api'

/**
 * Whether a row (as a realtime frame carries it) belongs in a standard or team view, mirroring
 * the server's view filters (src/server/inbox/inbox.repo.ts): rule 47, blocked contacts appear only
 * in the Blocked inbox; rules 43–45, Mine / Unassigned / team by assignee. Mentioned and custom
 * inboxes are arbitrary filters: `undefined` means "cannot tell here, refetch".
 */
export function rowFitsView(
  row: InboxRow,
  view: string,
  status: InboxStatus,
  me: number,
): boolean | undefined {
  if (view === 'blocked') return row.blocked
  if (row.blocked || row.status !== status)
    return view === 'mentioned' || view.startsWith('custom:') ? undefined : false
  if (view === 'all') return true
  if (view === 'mine') return row.assigneeUserId === me
  if (view === 'unassigned') return row.assigneeUserId === null
  if (view.startsWith('team:')) return row.assigneeTeamId === Number(view.slice(5))
  return undefined
}

/**
 * A `contact.read` frame: the server cleared only the contact's blue dot (markContactRead), so the
 * cached contact is patched instead of refetched.
 */
export function markRead<T extends { inbox: { unread: boolean } }>(contact: T): T {
  return contact.inbox.unread ? { ...contact, inbox: { ...contact.inbox, unread: false } } : contact
}

const time = (r: InboxRow) => (r.lastMessageAt ? Date.parse(r.lastMessageAt) : 0)

/**
 * Puts a changed row where it belongs in the loaded pages of one view: replaced in place, moved
 * by its new activity time, inserted, or dropped. A row that would sort after the last loaded
 * row is left for infinite scroll to fetch (keyset pages must not skip or repeat it).
 */
export function applyRow(
  pages: InboxPage[],
  contactId: number,
  row: InboxRow | null,
  fits: boolean,
  sort: InboxSort,
): InboxPage[] {
  const all = pages.flatMap((p) => p.rows)
  const without = all.filter((r) => r.contactId !== contactId)
  const had = without.length !== all.length
  if (!row || !fits) {
    if (!had) return pages
    return repage(pages, without)
  }
  const before = (a: InboxRow, b: InboxRow) => (sort === 'newest' ? time(a) > time(b) : time(a) < time(b))
  let index = without.findIndex((r) => before(row, r))
  const more = pages[pages.length - 1]?.nextCursor !== null
  if (index === -1) {
    if (more && !had) return pages
    index = without.length
  }
  const next = [...without.slice(0, index), row, ...without.slice(index)]
  return repage(pages, next)
}

/** Keeps page boundaries (and cursors) stable: each page keeps its row count, the last takes the rest. */
function repage(pages: InboxPage[], rows: InboxRow[]): InboxPage[] {
  let at = 0
  return pages.map((p, i) => {
    const n = i === pages.length - 1 ? rows.length - at : p.rows.length
    const slice = rows.slice(at, at + Math.max(0, n))
    at += slice.length
    return { ...p, rows: slice }
  })
}

export type MessagePage = { messages: Message[]; nextBefore: number | null }

/** Inserts or replaces a message in newest-first pages (message.created / status_updated frames). */
export function applyMessage(pages: MessagePage[], m: Message): MessagePage[] {
  let found = false
  const replaced = pages.map((p) => ({
    ...p,
    messages: p.messages.map((x) => {
      if (x.id !== m.id) return x
      found = true
      return m
    }),
  }))
  if (found || replaced.length === 0) return replaced
  const [first, ...rest] = replaced
  const messages = [m, ...first!.messages].sort((a, b) => b.id - a.id)
  return [{ ...first!, messages }, ...rest]
}
