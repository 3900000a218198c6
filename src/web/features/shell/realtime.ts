import { createContext, useContext, useEffect, useRef, useState } from 'react'

/** A frame from /api/v1/realtime (docs/realtime.md): event frames carry an id, control frames do not. */
export type RealtimeFrame = { type: string; id?: number } & Record<string, unknown>
export type RealtimeStatus = 'connecting' | 'live' | 'down'
type Listener = (frame: RealtimeFrame) => void

/** Drops frames already applied (the server's catch-up may repeat a few, see docs/realtime.md). */
export class RecentIds {
  private readonly seen = new Set<number>()
  private readonly order: number[] = []
  constructor(private readonly max = 2000) {}
  /** True the first time an id is offered. */
  add(id: number): boolean {
    if (this.seen.has(id)) return false
    this.seen.add(id)
    this.order.push(id)
    if (this.order.length > this.max) this.seen.delete(this.order.shift()!)
    return true
  }
}

/**
 * One socket per tab for a workspace, shared by the bell and the inbox: subscribes, replays what
 * was missed after a drop (lastEventId), drops repeats, and reconnects with jittered backoff
 * (0.5 s doubling to 30 s). A 4401 close (the session ended) calls `onSessionEnded`.
 */
export class RealtimeConnection {
  private socket: WebSocket | null = null
  private listeners = new Set<Listener>()
  private statusListeners = new Set<(s: RealtimeStatus) => void>()
  private lastEventId: number | undefined
  private readonly seen = new RecentIds()
  private retryMs = 500
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = false
  status: RealtimeStatus = 'connecting'

  constructor(
    readonly workspaceId: number,
    private readonly onSessionEnded: () => void,
  ) {}

  start() {
    this.stopped = false
    this.open()
  }

  stop() {
    this.stopped = true
    clearTimeout(this.timer)
    this.socket?.close(1000)
    this.socket = null
  }

  onFrame(l: Listener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  onStatus(l: (s: RealtimeStatus) => void): () => void {
    this.statusListeners.add(l)
    return () => this.statusListeners.delete(l)
  }

  private setStatus(s: RealtimeStatus) {
    this.status = s
    for (const l of this.statusListeners) l(s)
  }

  private open() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/realtime`
    const socket = new WebSocket(url)
    this.socket = socket
    this.setStatus('connecting')
    socket.onmessage = (e) => {
      let frame: RealtimeFrame
      try {
        frame = JSON.parse(String(e.data))
      } catch {
        return
      }
      if (frame.type === 'hello') {
        socket.send(
          JSON.stringify({
            type: 'subscribe',
            workspaceId: this.workspaceId,
            ...(this.lastEventId !== undefined ? { lastEventId: this.lastEventId } : {}),
          }),
        )
        return
      }
      if (frame.type === 'subscribed' || frame.type === 'resync') {
        this.retryMs = 500
        if (this.lastEventId === undefined) this.lastEventId = Number(frame.lastEventId)
        this.setStatus('live')
      }
      if (typeof frame.id === 'number') {
        // Frames may repeat around a reconnect (docs/realtime.md): keep recent ids, drop repeats.
        if (!this.seen.add(frame.id)) return
        this.lastEventId = Math.max(this.lastEventId ?? 0, frame.id)
      }
      for (const l of this.listeners) l(frame)
    }
    socket.onclose = (e) => {
      if (this.socket !== socket) return
      this.socket = null
      this.setStatus('down')
      if (this.stopped) return
      // 4401: the session ended; 4403: no access any more. Reconnecting would not help.
      if (e.code === 4401) return this.onSessionEnded()
      if (e.code === 4403) return
      const wait = this.retryMs * (0.75 + Math.random() / 2)
      this.retryMs = Math.min(this.retryMs * 2, 30_000)
      this.timer = setTimeout(() => this.open(), wait)
    }
  }
}

export const RealtimeContext = createContext<RealtimeConnection | null>(null)

/** Calls `listener` for every frame of the tab's socket (the latest listener, without resubscribing). */
export function useRealtimeFrames(listener: Listener) {
  const connection = useContext(RealtimeContext)
  const ref = useRef(listener)
  ref.current = listener
  useEffect(() => connection?.onFrame((f) => ref.current(f)), [connection])
}

/** Whether live updates arrive; while the socket is down, lists should poll (docs/realtime.md). */
export function useRealtimeStatus(): RealtimeStatus {
  const connection = useContext(RealtimeContext)
  const [status, setStatus] = useState<RealtimeStatus>(connection?.status ?? 'connecting')
  useEffect(() => {
    if (!connection) return
    setStatus(connection.status)
    return connection.onStatus(setStatus)
  }, [connection])
  return status
}
