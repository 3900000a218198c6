import type { SQL } from 'drizzle-orm'
import { actorOf, authorize, type Principal, requireUser } from '../auth/principal'
import type { Ctx } from '../context'
import { type FieldProblem, ForbiddenError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import {
  type Condition,
  conditionsOf,
  depthOf,
  type FieldOperator,
  type FilterGroup,
  filterSchema,
  MAX_CONDITIONS,
  MAX_DEPTH,
  STANDARD_FIELDS,
} from './custom-filter'
import { type CustomFieldType, compileFilter } from './custom-filter.repo'
import {
  type CustomInboxRow,
  countCustomInboxesOf,
  customFieldTypes,
  deleteCustomInbox,
  existingIds,
  findCustomInbox,
  insertCustomInbox,
  listVisibleCustomInboxes,
  updateCustomInbox,
} from './custom-inboxes.repo'

export const MAX_CUSTOM_INBOXES_PER_USER = 100

export type CustomInboxInput = {
  name: string
  filter: FilterGroup
  sharedUserIds?: number[] | undefined
  sharedTeamIds?: number[] | undefined
}

const TEXT_OPS: FieldOperator[] = [
  'is',
  'is_not',
  'contains',
  'not_contains',
  'starts_with',
  'exists',
  'not_exists',
]
const ORDERED_OPS: FieldOperator[] = ['is', 'is_not', 'greater_than', 'less_than', 'exists', 'not_exists']
const OPS_BY_TYPE: Record<CustomFieldType, FieldOperator[]> = {
  text: TEXT_OPS,
  email: TEXT_OPS,
  url: TEXT_OPS,
  list: ['is', 'is_not', 'exists', 'not_exists'],
  checkbox: ['is', 'is_not', 'exists', 'not_exists'],
  number: ORDERED_OPS,
  date: ORDERED_OPS,
  time: ORDERED_OPS,
}

function valueProblem(type: CustomFieldType, value: unknown): string | undefined {
  switch (type) {
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
        ? undefined
        : 'A number field compares with a number.'
    case 'checkbox':
      return typeof value === 'boolean' ? undefined : 'A checkbox field compares with true or false.'
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value)
        ? undefined
        : 'A date field compares with a date written YYYY-MM-DD.'
    case 'time':
      return typeof value === 'string' && /^\d\d:\d\d$/.test(value)
        ? undefined
        : 'A time field compares with a time written HH:MM.'
    default:
      return typeof value === 'string' ? undefined : 'This field compares with text.'
  }
}

/**
 * Checks what the schema cannot: size, the fields and operators that fit each field's type, and
 * that every channel, tag, stage and user referred to exists in this workspace. 422 names each
 * problem by its path in the filter.
 */
async function validateFilter(ctx: Ctx, workspaceId: number, filter: FilterGroup) {
  const problems: FieldProblem[] = []
  const all = [...conditionsOf(filter)]
  if (depthOf(filter) > MAX_DEPTH)
    problems.push({ path: 'filter', message: `Groups nest at most ${MAX_DEPTH} levels deep.` })
  if (all.length > MAX_CONDITIONS)
    problems.push({ path: 'filter', message: `A filter has at most ${MAX_CONDITIONS} conditions.` })
  const types = await customFieldTypes(ctx.db, workspaceId)
  const refs = { channel: [], tag: [], lifecycle: [], user: [] } as Record<
    'channel' | 'tag' | 'lifecycle' | 'user',
    { id: number; path: string }[]
  >
  for (const { condition: c, path } of all) {
    if (c.field === 'contact_field') checkField(c, path, types, problems)
    else if (c.field === 'channel' || c.field === 'last_interacted_channel')
      refs.channel.push({ id: c.value, path: `${path}.value` })
    else if (c.field === 'tag') refs.tag.push({ id: c.value, path: `${path}.value` })
    else if (c.field === 'lifecycle' && c.value !== undefined)
      refs.lifecycle.push({ id: c.value, path: `${path}.value` })
    else if (c.field === 'assignee' && typeof c.value === 'number')
      refs.user.push({ id: c.value, path: `${path}.value` })
  }
  const label = { channel: 'channel', tag: 'tag', lifecycle: 'lifecycle stage', user: 'workspace member' }
  for (const kind of ['channel', 'tag', 'lifecycle', 'user'] as const) {
    const found = await existingIds(
      ctx.db,
      workspaceId,
      kind,
      refs[kind].map((r) => r.id),
    )
    for (const r of refs[kind])
      if (!found.has(r.id))
        problems.push({ path: r.path, message: `No ${label[kind]} ${r.id} in this workspace.` })
  }
  if (problems.length) {
    throw new UnprocessableError(
      `The filter is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      'invalid_filter',
      problems,
    )
  }
}

function checkField(
  c: Extract<Condition, { field: 'contact_field' }>,
  path: string,
  types: ReadonlyMap<string, CustomFieldType>,
  problems: FieldProblem[],
) {
  const standard = (STANDARD_FIELDS as readonly string[]).includes(c.key)
  const type: CustomFieldType | undefined = standard ? 'text' : types.get(c.key)
  if (!type) {
    problems.push({
      path: `${path}.key`,
      message: `Unknown contact field "${c.key}": use ${STANDARD_FIELDS.join(', ')} or a custom field key.`,
    })
    return
  }
  if (!OPS_BY_TYPE[type].includes(c.operator)) {
    problems.push({
      path: `${path}.operator`,
      message: `"${c.operator}" does not apply to ${standard ? 'this' : `a ${type}`} field; use ${OPS_BY_TYPE[type].join(', ')}.`,
    })
    return
  }
  if (c.value !== undefined) {
    const problem = valueProblem(type, c.value)
    if (problem) problems.push({ path: `${path}.value`, message: problem })
  }
}

/** Rule 46: shared with members and teams of this workspace; the creator needs no share. */
async function validateShares(
  ctx: Ctx,
  workspaceId: number,
  creatorId: number,
  userIds: number[],
  teamIds: number[],
): Promise<{ sharedUserIds: number[]; sharedTeamIds: number[] }> {
  const users = [...new Set(userIds)].filter((id) => id !== creatorId)
  const teams = [...new Set(teamIds)]
  const problems: FieldProblem[] = []
  const foundUsers = await existingIds(ctx.db, workspaceId, 'user', users)
  const foundTeams = await existingIds(ctx.db, workspaceId, 'team', teams)
  for (const id of users)
    if (!foundUsers.has(id)) problems.push({ path: 'sharedUserIds', message: `User ${id} is not a member.` })
  for (const id of teams)
    if (!foundTeams.has(id))
      problems.push({ path: 'sharedTeamIds', message: `No team ${id} in this workspace.` })
  if (problems.length)
    throw new UnprocessableError(problems.map((p) => p.message).join(' '), 'invalid_share', problems)
  return { sharedUserIds: users.sort((a, b) => a - b), sharedTeamIds: teams.sort((a, b) => a - b) }
}

function canView(p: Principal, row: CustomInboxRow): boolean {
  if (p.kind !== 'user') return false
  return (
    row.createdByUserId === p.userId ||
    row.sharedUserIds.includes(p.userId) ||
    (p.teamId !== null && row.sharedTeamIds.includes(p.teamId))
  )
}

/** Custom inboxes are a user's; they are invisible (404) to whoever they are not shared with. */
async function loadVisible(ctx: Ctx, p: Principal, id: number): Promise<CustomInboxRow> {
  const row = await findCustomInbox(ctx.db, p.workspaceId, id)
  if (!row || !canView(p, row)) throw new NotFoundError('Custom inbox')
  return row
}

async function loadOwn(ctx: Ctx, p: Principal, id: number): Promise<CustomInboxRow> {
  const row = await loadVisible(ctx, p, id)
  if (row.createdByUserId !== requireUser(p).userId)
    throw new ForbiddenError('Only the creator of a custom inbox can edit or delete it (rule 46).')
  return row
}

export async function listCustomInboxes(ctx: Ctx, p: Principal): Promise<CustomInboxRow[]> {
  authorize(p, 'inbox.view')
  const u = requireUser(p)
  return listVisibleCustomInboxes(ctx.db, p.workspaceId, u.userId, u.teamId)
}

export async function getCustomInbox(ctx: Ctx, p: Principal, id: number): Promise<CustomInboxRow> {
  authorize(p, 'inbox.view')
  requireUser(p)
  return loadVisible(ctx, p, id)
}

export async function createCustomInbox(ctx: Ctx, p: Principal, input: CustomInboxInput) {
  authorize(p, 'inbox.view')
  const u = requireUser(p)
  await validateFilter(ctx, p.workspaceId, input.filter)
  const shares = await validateShares(
    ctx,
    p.workspaceId,
    u.userId,
    input.sharedUserIds ?? [],
    input.sharedTeamIds ?? [],
  )
  return ctx.db.transaction(async (tx) => {
    if ((await countCustomInboxesOf(tx, p.workspaceId, u.userId)) >= MAX_CUSTOM_INBOXES_PER_USER) {
      throw new UnprocessableError(
        `You can have at most ${MAX_CUSTOM_INBOXES_PER_USER} custom inboxes.`,
        'limit_reached',
      )
    }
    const row = await insertCustomInbox(tx, {
      workspaceId: p.workspaceId,
      name: input.name,
      createdByUserId: u.userId,
      filter: input.filter,
      ...shares,
    })
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'custom_inbox.created',
      payload: { customInboxId: row.id },
    })
    return row
  })
}

export async function editCustomInbox(ctx: Ctx, p: Principal, id: number, input: Partial<CustomInboxInput>) {
  authorize(p, 'inbox.view')
  const current = await loadOwn(ctx, p, id)
  if (input.filter) await validateFilter(ctx, p.workspaceId, input.filter)
  const shares =
    input.sharedUserIds || input.sharedTeamIds
      ? await validateShares(
          ctx,
          p.workspaceId,
          current.createdByUserId,
          input.sharedUserIds ?? current.sharedUserIds,
          input.sharedTeamIds ?? current.sharedTeamIds,
        )
      : {}
  const values = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.filter ? { filter: input.filter } : {}),
    ...shares,
  }
  return ctx.db.transaction(async (tx) => {
    const row = await updateCustomInbox(tx, p.workspaceId, id, values)
    if (!row) throw new NotFoundError('Custom inbox')
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'custom_inbox.updated',
      payload: { customInboxId: id, changes: Object.keys(values) },
    })
    return row
  })
}

export async function removeCustomInbox(ctx: Ctx, p: Principal, id: number): Promise<void> {
  authorize(p, 'inbox.view')
  await loadOwn(ctx, p, id)
  await ctx.db.transaction(async (tx) => {
    await deleteCustomInbox(tx, p.workspaceId, id)
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'custom_inbox.deleted',
      payload: { customInboxId: id },
    })
  })
}

/** The WHERE fragment of a custom inbox, as the principal looking at it sees it ("me" is them). */
export async function customInboxFilter(ctx: Ctx, p: Principal, id: number): Promise<SQL> {
  const row = await loadVisible(ctx, p, id)
  const parsed = filterSchema.safeParse(row.filter)
  if (!parsed.success) {
    throw new UnprocessableError(
      'This custom inbox has a filter this version cannot read; its creator should edit it.',
      'invalid_filter',
    )
  }
  return compileFilter(parsed.data, {
    viewerUserId: p.kind === 'user' ? p.userId : null,
    now: ctx.clock.now(),
    customFieldTypes: await customFieldTypes(ctx.db, p.workspaceId),
  })
}
