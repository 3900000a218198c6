import type { Ctx } from '../context'
import { emit, SYSTEM } from '../events'
import { type ChannelRow, updateChannel } from './channels.repo'

/**
 * Marks a channel broken (expired token, revoked permission) with the reason, once, so the
 * channel list and the inbox can say so instead of messages failing silently (PEERS pain 19).
 * Saving new credentials makes it active again (channels.service editChannel).
 */
export async function markChannelError(ctx: Ctx, channel: ChannelRow, reason: string): Promise<void> {
  if (channel.status === 'disconnected') return
  await ctx.db.transaction(async (tx) => {
    const row = await updateChannel(tx, channel.workspaceId, channel.id, {
      status: 'error',
      lastError: reason,
    })
    if (!row || channel.status === 'error') return
    await emit(tx, channel.workspaceId, SYSTEM, {
      type: 'channel.errored',
      payload: { channelId: channel.id, type: channel.type, reason },
    })
  })
  ctx.log.warn({ channelId: channel.id, reason }, 'channel marked as error')
}
