import { actorOf, authorize, type Principal } from '../auth/principal'
import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import { isUniqueViolation } from '../db/errors'
import { ConflictError, NotFoundError, UnprocessableError } from '../errors'
import { emit } from '../events'
import {
  countSnippets,
  deleteSnippet,
  findSnippetByShortcut,
  insertSnippet,
  listSnippets,
  type SnippetRow,
  updateSnippet,
} from './snippets.repo'

export const MAX_SNIPPETS = 1000

/** Snippets (saved replies) are inserted with "/" by everyone who writes messages. */
export async function listWorkspaceSnippets(ctx: Ctx, p: Principal, prefix?: string): Promise<SnippetRow[]> {
  authorize(p, 'inbox.view')
  return listSnippets(ctx.db, p.workspaceId, prefix)
}

const duplicate = (shortcut: string) =>
  new ConflictError(`A snippet with the shortcut "${shortcut}" already exists.`, 'duplicate_shortcut', [
    { path: 'shortcut', message: 'Shortcuts are unique (ignoring case).' },
  ])

async function assertFree(tx: Tx, workspaceId: number, shortcut: string, exceptId?: number) {
  const clash = await findSnippetByShortcut(tx, workspaceId, shortcut)
  if (clash && clash.id !== exceptId) throw duplicate(shortcut)
}

async function guard<T>(shortcut: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate(shortcut ?? '')
    throw err
  }
}

/** Managed in Workspace Settings, like the rest of the workspace's messaging setup. */
export async function createSnippet(
  ctx: Ctx,
  p: Principal,
  input: { shortcut: string; body: string },
): Promise<SnippetRow> {
  authorize(p, 'settings.general')
  return guard(input.shortcut, () =>
    ctx.db.transaction(async (tx) => {
      await assertFree(tx, p.workspaceId, input.shortcut)
      if ((await countSnippets(tx, p.workspaceId)) >= MAX_SNIPPETS) {
        throw new UnprocessableError(
          `A workspace can have at most ${MAX_SNIPPETS} snippets.`,
          'limit_reached',
        )
      }
      const row = await insertSnippet(tx, {
        workspaceId: p.workspaceId,
        shortcut: input.shortcut,
        body: input.body,
        createdByUserId: p.kind === 'user' ? p.userId : null,
      })
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'snippet.created',
        payload: { snippetId: row.id, shortcut: row.shortcut },
      })
      return row
    }),
  )
}

export async function editSnippet(
  ctx: Ctx,
  p: Principal,
  id: number,
  input: { shortcut?: string | undefined; body?: string | undefined },
): Promise<SnippetRow> {
  authorize(p, 'settings.general')
  return guard(input.shortcut, () =>
    ctx.db.transaction(async (tx) => {
      if (input.shortcut !== undefined) await assertFree(tx, p.workspaceId, input.shortcut, id)
      const row = await updateSnippet(tx, p.workspaceId, id, input)
      if (!row) throw new NotFoundError('Snippet')
      await emit(tx, p.workspaceId, actorOf(p), {
        type: 'snippet.updated',
        payload: { snippetId: id, changes: Object.keys(input) },
      })
      return row
    }),
  )
}

export async function removeSnippet(ctx: Ctx, p: Principal, id: number): Promise<void> {
  authorize(p, 'settings.general')
  await ctx.db.transaction(async (tx) => {
    const row = await deleteSnippet(tx, p.workspaceId, id)
    if (!row) throw new NotFoundError('Snippet')
    await emit(tx, p.workspaceId, actorOf(p), {
      type: 'snippet.deleted',
      payload: { snippetId: id, shortcut: row.shortcut },
    })
  })
}
