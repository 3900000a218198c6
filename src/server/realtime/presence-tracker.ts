import type { Ctx } from '../context'
import {
  announcePresence,
  connectedMembers,
  deletePresenceOfProcess,
  deleteStalePresence,
  setPresence,
  touchPresenceOfProcess,
} from '../presence/presence.repo'

export const PRESENCE_CHANNEL = 'tawasul_presence'

export type PresenceTrackerOptions = {
  processId: string
  freshMs: number
  /** Live sockets of a member on this process, as the hub knows them now. */
  countOf: (workspaceId: number, userId: number) => number
  isStopping: () => boolean
  /** Sends a control frame to this process's sockets in a workspace. */
  broadcast: (workspaceId: number, json: string) => void
}

/**
 * Keeps this process's rows of user_presence in step with its sockets and tells every process
 * (PRESENCE_CHANNEL) when a member comes online or goes offline here.
 */
export function createPresenceTracker(ctx: Ctx, o: PresenceTrackerOptions) {
  const key = (workspaceId: number, userId: number) => `${workspaceId}:${userId}`
  const writes = new Map<string, Promise<void>>()
  const written = new Map<string, number>()

  return {
    /**
     * Writes a member's socket count on this process, one write at a time per member and always
     * the count as it is when the write runs, so a quick connect-disconnect cannot leave a row behind.
     */
    sync(workspaceId: number, userId: number) {
      const k = key(workspaceId, userId)
      const next = (writes.get(k) ?? Promise.resolve())
        .then(async () => {
          if (o.isStopping()) return
          const count = o.countOf(workspaceId, userId)
          const before = written.get(k) ?? 0
          if (count === before) return
          await setPresence(ctx.db, workspaceId, userId, o.processId, count)
          if (count === 0) written.delete(k)
          else written.set(k, count)
          if ((before === 0) !== (count === 0))
            await announcePresence(ctx.db, PRESENCE_CHANNEL, workspaceId, userId)
        })
        .catch((err) => ctx.log.warn({ err, workspaceId, userId }, 'realtime: presence update failed'))
      writes.set(k, next)
      void next.finally(() => {
        if (writes.get(k) === next) writes.delete(k)
      })
    },

    /** Another process (or this one) announced a change: tell this process's sockets. */
    async onNotice(raw: string) {
      let n: { workspaceId: number; userId: number }
      try {
        n = JSON.parse(raw)
      } catch {
        return
      }
      if (o.isStopping()) return
      try {
        const state = (await connectedMembers(ctx.db, n.workspaceId, o.freshMs)).get(n.userId) ?? 'offline'
        o.broadcast(n.workspaceId, JSON.stringify({ type: 'presence', userId: n.userId, state }))
      } catch (err) {
        ctx.log.warn({ err }, 'realtime: presence notice failed')
      }
    },

    /** Refreshes this process's rows; now and then removes rows of processes that died. */
    async heartbeat(sweep: boolean) {
      await touchPresenceOfProcess(ctx.db, o.processId)
      if (sweep) await deleteStalePresence(ctx.db, o.freshMs * 4)
    },

    settled: () => Promise.all(writes.values()),

    async clear() {
      await deletePresenceOfProcess(ctx.db, o.processId).catch((err) =>
        ctx.log.warn({ err }, 'realtime: presence cleanup failed'),
      )
    },
  }
}
