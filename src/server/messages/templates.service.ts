import { authorize, type Principal } from '../auth/principal'
import { ChannelAuthError } from '../channels/channel'
import { markChannelError } from '../channels/channel-health'
import { findChannel } from '../channels/channels.repo'
import { loadChannelRef, sendContextFor } from '../channels/channels.service'
import { adapterFor } from '../channels/registry'
import type { Ctx } from '../context'
import { NotFoundError, UnprocessableError } from '../errors'
import { disableTemplatesNotIn, findTemplateById, listTemplates, upsertTemplate } from './templates.repo'

export const TEMPLATE_SYNC_QUEUE = 'templates.sync'
export const TEMPLATE_SYNC_ALL_QUEUE = 'templates.sync-all'

async function channelWithTemplates(ctx: Ctx, workspaceId: number, channelId: number) {
  const channel = await findChannel(ctx.db, workspaceId, channelId)
  if (!channel) throw new NotFoundError('Channel')
  if (!adapterFor(channel.type)?.listTemplates)
    throw new UnprocessableError('This channel has no provider templates to sync.', 'no_templates')
  return channel
}

/** Rule 117: templates are approved at the provider; this asks a job to fetch them now. */
export async function requestTemplateSync(ctx: Ctx, p: Principal, channelId: number): Promise<void> {
  authorize(p, 'settings.channels')
  await channelWithTemplates(ctx, p.workspaceId, channelId)
  await ctx.jobs.enqueue(null, TEMPLATE_SYNC_QUEUE, { workspaceId: p.workspaceId, channelId })
}

export async function channelTemplates(ctx: Ctx, p: Principal, channelId: number) {
  authorize(p, 'inbox.view')
  if (!(await findChannel(ctx.db, p.workspaceId, channelId))) throw new NotFoundError('Channel')
  return listTemplates(ctx.db, p.workspaceId, channelId)
}

export async function getTemplate(ctx: Ctx, p: Principal, templateId: number) {
  authorize(p, 'inbox.view')
  const t = await findTemplateById(ctx.db, p.workspaceId, templateId)
  if (!t) throw new NotFoundError('Template')
  return t
}

/** Runs in a job: the provider's list replaces ours (templates it no longer lists are disabled). */
export async function syncTemplates(ctx: Ctx, workspaceId: number, channelId: number): Promise<number> {
  const loaded = await loadChannelRef(ctx, ctx.db, workspaceId, channelId)
  const adapter = loaded && adapterFor(loaded.row.type)
  if (!loaded || !adapter?.listTemplates || loaded.row.status === 'disconnected') return 0
  let templates: Awaited<ReturnType<NonNullable<typeof adapter.listTemplates>>>
  try {
    templates = await adapter.listTemplates(sendContextFor(ctx, loaded.row), loaded.ref)
  } catch (err) {
    if (err instanceof ChannelAuthError) {
      await markChannelError(ctx, loaded.row, err.title)
      return 0
    }
    throw err
  }
  await ctx.db.transaction(async (tx) => {
    const kept: number[] = []
    for (const t of templates) {
      const row = await upsertTemplate(tx, { workspaceId, channelId, ...t })
      kept.push(row.id)
    }
    await disableTemplatesNotIn(tx, workspaceId, channelId, kept)
  })
  ctx.log.info({ channelId, templates: templates.length }, 'templates synced')
  return templates.length
}
