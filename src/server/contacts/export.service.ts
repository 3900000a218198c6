import { authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import { csvCell } from '../lib/csv'
import { listMembers } from '../users/users.repo'
import { listFields } from './fields.repo'
import { listStages } from './lifecycle.repo'
import { listContactsPage } from './search.repo'
import type { ContactFiltersInput } from './search.schema'
import { resolveFilters } from './search.service'
import { groupTags, tagsOfContacts } from './tags.repo'

const PAGE = 1000
const line = (cells: unknown[]) => `${cells.map(csvCell).join(',')}\r\n`

/**
 * CSV of the contacts matching the list's filters (rule 101: data export is restrictable).
 * Permissions and filters are checked before the first byte; rows are then read page by page
 * (keyset), so memory stays flat for any workspace size. Cells are formula-injection safe.
 */
export async function exportContacts(
  ctx: Ctx,
  p: Principal,
  filters: ContactFiltersInput,
): Promise<AsyncGenerator<string>> {
  authorize(p, 'contacts.view')
  authorize(p, 'data.export')
  const ws = p.workspaceId
  const query = await resolveFilters(ctx.db, ws, filters)
  const [fields, stages, members] = await Promise.all([
    listFields(ctx.db, ws),
    listStages(ctx.db, ws),
    listMembers(ctx.db, ws),
  ])
  const stageName = new Map(stages.map((s) => [s.id, s.name]))
  const memberEmail = new Map(members.map((m) => [m.userId, m.email]))
  const header = [
    'ID',
    'First Name',
    'Last Name',
    'Phone',
    'Email',
    'Country',
    'Language',
    'Lifecycle',
    'Tags',
    'Assignee',
    'Blocked',
    'Created At',
    ...fields.map((f) => f.name),
  ]
  return (async function* () {
    // A BOM so spreadsheet software reads UTF-8 (Arabic names) correctly.
    yield `\uFEFF${line(header)}`
    let after = null
    do {
      const page = await listContactsPage(ctx.db, ws, query, after, PAGE)
      const tags = groupTags(
        await tagsOfContacts(
          ctx.db,
          ws,
          page.rows.map((c) => c.id),
        ),
      )
      let chunk = ''
      for (const c of page.rows) {
        chunk += line([
          c.id,
          c.firstName,
          c.lastName,
          c.phone,
          c.email,
          c.country,
          c.language,
          c.lifecycleStageId ? (stageName.get(c.lifecycleStageId) ?? '') : '',
          (tags.get(c.id) ?? []).map((t) => t.name).join(', '),
          c.assigneeUserId ? (memberEmail.get(c.assigneeUserId) ?? '') : '',
          c.blockedAt ? 'yes' : 'no',
          c.createdAt,
          ...fields.map((f) => c.custom[f.key] ?? ''),
        ])
      }
      yield chunk
      after = page.next
    } while (after)
  })()
}
