import type { Ctx } from '../../context'
import { defineQueue } from '../../jobs/jobs'
import { type ChannelRow, findChannel } from '../channels.repo'
import { toRef } from '../channels.service'
import { type EmailConfig, type EmailSecrets, imapClient } from './email.channel'
import { findMailbox, imapChannels, saveMailbox } from './email.repo'
import { receiveEmail } from './inbound'

export const IMAP_TICK_QUEUE = 'email.imap-tick'
export const IMAP_POLL_QUEUE = 'email.imap-poll'

export type FetchedMessage = { uid: number; source: Buffer }

/**
 * Takes in what one UID FETCH returned, in UID order, moving the high-water mark after each
 * message so a crash mid-way resumes where it stopped. `n:*` always returns the newest message
 * even when its UID is below n (RFC 3501 §6.4.8), hence the filter.
 */
export async function ingestFetched(
  ctx: Ctx,
  channel: ChannelRow,
  mailbox: { name: string; uidValidity: number; lastUid: number },
  fetched: FetchedMessage[],
): Promise<{ stored: number; duplicates: number; lastUid: number }> {
  let { lastUid } = mailbox
  let stored = 0
  let duplicates = 0
  for (const m of [...fetched].sort((a, b) => a.uid - b.uid)) {
    if (m.uid <= lastUid) continue
    const r = await receiveEmail(ctx, channel, m.source)
    if (r.outcome === 'stored') stored++
    else duplicates++
    lastUid = m.uid
    await saveMailbox(ctx.db, {
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      mailbox: mailbox.name,
      uidValidity: mailbox.uidValidity,
      lastUid,
    })
  }
  return { stored, duplicates, lastUid }
}

/**
 * One poll of one channel's mailbox, by UID. The first poll starts at the mailbox's current end
 * (only mail that arrives after connecting is taken in, not years of history). When UIDVALIDITY
 * changes the UIDs mean nothing any more, so the mailbox is read again from the start and
 * Message-ID idempotency skips what we already have.
 */
export async function pollImap(ctx: Ctx, row: ChannelRow) {
  const { ref } = toRef(ctx, row)
  const config = ref.config as EmailConfig
  if (config.inbound !== 'imap' || !config.imap) return { stored: 0, duplicates: 0 }
  const name = config.imap.mailbox
  const state = await findMailbox(ctx.db, row.workspaceId, row.id)
  const client = imapClient(config, ref.secrets as EmailSecrets)
  try {
    await client.connect()
    const lock = await client.getMailboxLock(name, { readOnly: true })
    try {
      const mb = client.mailbox
      if (!mb) throw new Error(`mailbox ${name} could not be opened`)
      const uidValidity = Number(mb.uidValidity)
      const lastUid = !state ? mb.uidNext - 1 : state.uidValidity === uidValidity ? state.lastUid : 0
      const fetched: FetchedMessage[] = []
      if (mb.exists > 0 && mb.uidNext - 1 > lastUid) {
        for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, source: true }, { uid: true })) {
          if (m.source) fetched.push({ uid: m.uid, source: m.source })
        }
      }
      const result = await ingestFetched(ctx, row, { name, uidValidity, lastUid }, fetched)
      await saveMailbox(ctx.db, {
        workspaceId: row.workspaceId,
        channelId: row.id,
        mailbox: name,
        uidValidity,
        lastUid: result.lastUid,
        lastPolledAt: ctx.clock.now(),
        lastError: null,
      })
      return result
    } finally {
      lock.release()
    }
  } catch (err) {
    await saveMailbox(ctx.db, {
      workspaceId: row.workspaceId,
      channelId: row.id,
      mailbox: name,
      lastPolledAt: ctx.clock.now(),
      lastError: (err as Error).message.slice(0, 500),
    })
    throw err
  } finally {
    await client.logout().catch(() => client.close())
  }
}

/**
 * A cron tick every minute fans out one poll job per IMAP channel whose interval has passed; the
 * poll queue's stately policy per mailbox keeps two processes (or a slow poll) from polling one
 * mailbox at once.
 */
export function imapQueues(ctx: Ctx) {
  return [
    defineQueue<Record<string, never>>({
      name: IMAP_TICK_QUEUE,
      handler: async () => {
        const now = ctx.clock.now().getTime()
        for (const row of await imapChannels(ctx.db)) {
          const every = Number((row.config.imap as { pollSeconds?: number } | undefined)?.pollSeconds ?? 60)
          const state = await findMailbox(ctx.db, row.workspaceId, row.id)
          const due = !state?.lastPolledAt || state.lastPolledAt.getTime() + every * 1000 - 5_000 <= now
          if (!due) continue
          await ctx.jobs.enqueue(
            null,
            IMAP_POLL_QUEUE,
            { workspaceId: row.workspaceId, channelId: row.id },
            { singletonKey: `imap:${row.workspaceId}:${row.id}` },
          )
        }
      },
    }),
    defineQueue<{ workspaceId: number; channelId: number }>({
      name: IMAP_POLL_QUEUE,
      // stately: per mailbox at most one poll running and one waiting, across processes.
      options: { policy: 'stately', retryLimit: 0 },
      handler: async ({ workspaceId, channelId }) => {
        const row = await findChannel(ctx.db, workspaceId, channelId)
        if (row?.status !== 'active') return
        try {
          const r = await pollImap(ctx, row)
          if (r.stored) ctx.log.info({ channelId, ...r }, 'imap: new email')
        } catch (err) {
          ctx.log.warn({ err, channelId }, 'imap poll failed; the next tick tries again')
        }
      },
    }),
  ]
}
