import type { Ctx } from '../../context'
import { WEBCHAT_TOPIC, type WebchatNotice } from './webchat.channel'

type Listener = (n: WebchatNotice) => void

/**
 * Fan-out of agent messages to the visitors' open streams in this process. Every process LISTENs
 * on the same NOTIFY topic, so a reply sent by any process (its send job) reaches the visitor
 * whichever process holds their connection; nothing depends on in-process memory alone.
 */
export function createWebchatHub(ctx: Ctx) {
  const listeners = new Map<string, Set<Listener>>()
  const key = (ws: number, channelId: number, identifier: string) => `${ws}:${channelId}:${identifier}`
  let listening: Promise<() => Promise<void>> | undefined
  const ensure = () => {
    listening ??= ctx.database.listen(WEBCHAT_TOPIC, (payload) => {
      let n: WebchatNotice
      try {
        n = JSON.parse(payload) as WebchatNotice
      } catch {
        return
      }
      for (const fn of listeners.get(key(n.workspaceId, n.channelId, n.identifier)) ?? []) fn(n)
    })
    return listening
  }
  return {
    async subscribe(ws: number, channelId: number, identifier: string, fn: Listener): Promise<() => void> {
      await ensure()
      const k = key(ws, channelId, identifier)
      const set = listeners.get(k) ?? new Set<Listener>()
      listeners.set(k, set)
      set.add(fn)
      return () => {
        set.delete(fn)
        if (set.size === 0) listeners.delete(k)
      }
    },
    async close() {
      listeners.clear()
      if (listening) await (await listening)()
    },
  }
}
