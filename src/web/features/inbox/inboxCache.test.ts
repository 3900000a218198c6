import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RecentIds } from '../shell/realtime'
import type { InboxPage, InboxRow, Message } from './api'
import { applyMessage, applyRow, markRead, rowFitsView } from './inboxCache'

const row = (contactId: number, minute: number, over: Partial<InboxRow> = {}): InboxRow => ({
  contactId,
  displayName: `C${contactId}`,
  avatarUrl: null,
  channel: { id: 1, type: 'whatsapp_cloud' },
  conversationId: contactId,
  status: 'open',
  preview: 'hi',
  direction: 'in',
  lastMessageAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  unread: false,
  assigneeUserId: null,
  assigneeTeamId: null,
  blocked: false,
  ...over,
})
const ids = (pages: InboxPage[]) => pages.map((p) => p.rows.map((r) => r.contactId))

test('rowFitsView follows the standard and team views (rules 43–47)', () => {
  const me = 7
  assert.equal(rowFitsView(row(1, 0), 'all', 'open', me), true)
  assert.equal(rowFitsView(row(1, 0), 'all', 'closed', me), false)
  assert.equal(rowFitsView(row(1, 0, { assigneeUserId: 7 }), 'mine', 'open', me), true)
  assert.equal(rowFitsView(row(1, 0, { assigneeUserId: 8 }), 'mine', 'open', me), false)
  assert.equal(rowFitsView(row(1, 0), 'unassigned', 'open', me), true)
  assert.equal(rowFitsView(row(1, 0, { assigneeTeamId: 3 }), 'team:3', 'open', me), true)
  assert.equal(rowFitsView(row(1, 0, { assigneeTeamId: 4 }), 'team:3', 'open', me), false)
  // Rule 47: blocked contacts leave every view but Blocked, whatever the status filter.
  assert.equal(rowFitsView(row(1, 0, { blocked: true }), 'all', 'open', me), false)
  assert.equal(rowFitsView(row(1, 0, { blocked: true, status: 'closed' }), 'blocked', 'open', me), true)
  assert.equal(rowFitsView(row(1, 0), 'custom:4', 'open', me), undefined)
})

test('applyRow moves a row with new activity to the top, keeping page sizes and cursors', () => {
  const pages: InboxPage[] = [
    { rows: [row(1, 9), row(2, 8)], nextCursor: 'a' },
    { rows: [row(3, 7), row(4, 6)], nextCursor: 'b' },
  ]
  const next = applyRow(pages, 4, row(4, 10), true, 'newest')
  assert.deepEqual(ids(next), [
    [4, 1],
    [2, 3],
  ])
  assert.equal(next[1]!.nextCursor, 'b')
})

test('applyRow drops a row that no longer fits, and leaves unseen old rows to infinite scroll', () => {
  const pages: InboxPage[] = [{ rows: [row(1, 9), row(2, 8)], nextCursor: 'more' }]
  assert.deepEqual(ids(applyRow(pages, 1, row(1, 9, { status: 'closed' }), false, 'newest')), [[2]])
  // Older than everything loaded and more pages exist: the next page will bring it.
  assert.equal(applyRow(pages, 5, row(5, 1), true, 'newest'), pages)
  // No more pages: it is appended.
  const last: InboxPage[] = [{ rows: [row(1, 9)], nextCursor: null }]
  assert.deepEqual(ids(applyRow(last, 5, row(5, 1), true, 'newest')), [[1, 5]])
  // Oldest-first sort puts new activity at the end.
  const oldest: InboxPage[] = [{ rows: [row(1, 1), row(2, 2)], nextCursor: null }]
  assert.deepEqual(ids(applyRow(oldest, 1, row(1, 5), true, 'oldest')), [[2, 1]])
})

test('applyMessage replaces by id or inserts newest first; RecentIds drops repeats', () => {
  const m = (id: number, status: Message['status'] = 'sent') => ({ id, status }) as Message
  const pages = [{ messages: [m(3), m(2)], nextBefore: 2 }]
  assert.deepEqual(
    applyMessage(pages, m(3, 'read'))[0]!.messages.map((x) => x.status),
    ['read', 'sent'],
  )
  assert.deepEqual(
    applyMessage(pages, m(4))[0]!.messages.map((x) => x.id),
    [4, 3, 2],
  )
  const seen = new RecentIds(2)
  assert.equal(seen.add(1), true)
  assert.equal(seen.add(1), false)
  seen.add(2)
  seen.add(3)
  assert.equal(seen.add(1), true, 'forgotten after max ids')
})

test('markRead clears only the blue dot, and keeps a read contact as it is', () => {
  const unread = { id: 1, displayName: 'C1', inbox: { status: 'open', unread: true } }
  assert.deepEqual(markRead(unread), { id: 1, displayName: 'C1', inbox: { status: 'open', unread: false } })
  assert.equal(unread.inbox.unread, true, 'the cached object is not mutated')
  const read = { id: 2, inbox: { status: 'open', unread: false } }
  assert.equal(markRead(read), read)
})
