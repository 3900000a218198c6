import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { WebSocket } from 'ws'
import { resolveUserPrincipal } from '../auth/auth.service'
import { authorize, type UserPrincipal } from '../auth/principal'
import type { Ctx } from '../context'
import { AppError } from '../errors'
import { EVENTS_CHANNEL, type EventNotice } from '../events'
import { type BuiltFrame, buildFrames, frameFor } from './frames'
import { DEFAULT_REALTIME, type RealtimeOptions } from './options'
import { createPresenceTracker, PRESENCE_CHANNEL } from './presence-tracker'
import { CLOSE, type ClientMessage, clientMessage } from './protocol'
import {
  type EventRow,
  eventsToReplay,
  findEventsByIds,
  latestEventId,
  liveSessionIds,
} from './realtime.repo'

type Member = { principal: UserPrincipal; conns: Set<Conn> }
type Conn = {
  socket: WebSocket
  sessionId: string
  userId: number
  member: Member | null
  /** While a subscription replays missed events, live frames wait here. */
  replaying: BuiltFrame[] | null
  /** Pings sent since the last pong. */
  missed: number
  closed: boolean
  requests: number
  inbox: Promise<void>
}

export type RealtimeHub = {
  processId: string
  start: () => Promise<void>
  /** Takes over an authenticated socket (the route checked the session and Origin). */
  accept: (socket: WebSocket, session: { id: string; userId: number }) => void
  stop: () => Promise<void>
  stats: () => { sockets: number; subscribed: number; workspaces: number }
}

const MAX_REQUESTS_PER_PING = 30
const key = (workspaceId: number, userId: number) => `${workspaceId}:${userId}`

/**
 * One per server process. It LISTENs once on the events channel, loads what each committed event
 * needs once (a batch of queries per burst, not per socket), and pushes a frame to every socket
 * whose member may see it (rule 102, with memberships refreshed as they change). Sockets are
 * pinged, slow ones dropped; presence is kept in PostgreSQL so every process (and assignment,
 * "only online users") sees who is connected anywhere.
 */
export function createRealtimeHub(ctx: Ctx, options: Partial<RealtimeOptions> = {}): RealtimeHub {
  const opts = { ...DEFAULT_REALTIME, ...options }
  const processId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const conns = new Set<Conn>()
  const workspaces = new Map<number, Set<Conn>>()
  const members = new Map<string, Member>()
  const queue: EventNotice[] = []
  let draining: Promise<void> | null = null
  let unlisten: (() => Promise<void>)[] = []
  let timer: NodeJS.Timeout | undefined
  let ticks = 0
  let stopping = false
  const presence = createPresenceTracker(ctx, {
    processId,
    freshMs: opts.presenceFreshMs,
    countOf: (workspaceId, userId) => members.get(key(workspaceId, userId))?.conns.size ?? 0,
    isStopping: () => stopping,
    broadcast: (workspaceId, json) => {
      for (const c of workspaces.get(workspaceId) ?? []) if (!c.replaying) send(c, json)
    },
  })

  const send = (c: Conn, json: string) => {
    if (c.socket.readyState !== c.socket.OPEN) return
    if (c.socket.bufferedAmount + json.length > opts.maxBufferedBytes) {
      ctx.log.warn(
        { userId: c.userId, buffered: c.socket.bufferedAmount },
        'realtime: dropping a slow socket',
      )
      c.socket.terminate()
      return
    }
    c.socket.send(json)
  }
  const sendControl = (c: Conn, frame: Record<string, unknown>) => send(c, JSON.stringify(frame))
  const sendError = (c: Conn, code: string, message: string) =>
    sendControl(c, { type: 'error', code, message })

  // ── membership ──────────────────────────────────────────────────────────────
  function leave(c: Conn) {
    const m = c.member
    if (!m) return
    c.member = null
    c.replaying = null
    m.conns.delete(c)
    const ws = m.principal.workspaceId
    workspaces.get(ws)?.delete(c)
    if (workspaces.get(ws)?.size === 0) workspaces.delete(ws)
    if (m.conns.size === 0) members.delete(key(ws, m.principal.userId))
    presence.sync(ws, m.principal.userId)
  }

  function join(c: Conn, principal: UserPrincipal) {
    const k = key(principal.workspaceId, principal.userId)
    const m = members.get(k) ?? { principal, conns: new Set<Conn>() }
    m.principal = principal
    members.set(k, m)
    m.conns.add(c)
    c.member = m
    const here = workspaces.get(principal.workspaceId) ?? new Set<Conn>()
    workspaces.set(principal.workspaceId, here)
    here.add(c)
    presence.sync(principal.workspaceId, principal.userId)
  }

  function closeMember(m: Member, code: number, reason: string) {
    for (const c of [...m.conns]) {
      leave(c)
      c.socket.close(code, reason)
    }
  }

  async function refresh(workspaceId: number, userId: number) {
    const m = members.get(key(workspaceId, userId))
    if (!m) return
    try {
      m.principal = await resolveUserPrincipal(ctx, userId, workspaceId)
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      closeMember(m, CLOSE.forbidden, 'Your access to this workspace was revoked.')
    }
  }

  /** Role, restrictions and team decide visibility: keep them current as they change. */
  async function applyMembership(e: EventRow) {
    const p = e.payload as { userId?: number; teamId?: number }
    switch (e.type) {
      case 'member.updated':
      case 'member.joined':
      case 'team.member_added':
      case 'team.member_removed':
        if (p.userId) await refresh(e.workspaceId, p.userId)
        return
      case 'team.deleted':
        for (const m of [...members.values()]) {
          if (m.principal.workspaceId === e.workspaceId && m.principal.teamId === p.teamId)
            await refresh(e.workspaceId, m.principal.userId)
        }
        return
      case 'member.revoked': {
        const m = p.userId ? members.get(key(e.workspaceId, p.userId)) : undefined
        if (m) closeMember(m, CLOSE.forbidden, 'Your access to this workspace was revoked.')
        return
      }
    }
  }

  // ── live events ─────────────────────────────────────────────────────────────
  function deliver(workspaceId: number, f: BuiltFrame) {
    for (const c of workspaces.get(workspaceId) ?? []) {
      if (c.replaying) {
        c.replaying.push(f)
        if (c.replaying.length > opts.maxReplay) c.socket.close(CLOSE.tryAgainLater, 'Too far behind.')
        continue
      }
      const json = c.member && frameFor(c.member.principal, f)
      if (json) send(c, json)
    }
  }

  async function deliverBatch(workspaceId: number, notices: EventNotice[]) {
    const rows = await findEventsByIds(
      ctx.db,
      workspaceId,
      notices.map((n) => n.id),
    )
    const byId = new Map(rows.map((r) => [r.id, r]))
    // NOTIFY arrives in commit order; deliver in that order, not by id.
    const ordered = notices.map((n) => byId.get(n.id)).filter((r): r is EventRow => r !== undefined)
    const frames = await buildFrames(ctx.db, workspaceId, ordered)
    for (const [i, f] of frames.entries()) {
      await applyMembership(ordered[i]!)
      deliver(workspaceId, f)
    }
  }

  async function drain() {
    while (queue.length && !stopping) {
      const batch = queue.splice(0, opts.batchSize)
      const byWorkspace = new Map<number, EventNotice[]>()
      for (const n of batch) {
        if (!workspaces.has(n.workspaceId)) continue
        byWorkspace.set(n.workspaceId, [...(byWorkspace.get(n.workspaceId) ?? []), n])
      }
      for (const [workspaceId, notices] of byWorkspace) {
        try {
          await deliverBatch(workspaceId, notices)
        } catch (err) {
          if (stopping) return
          // Frames may be lost: make this workspace's clients reconnect and catch up instead.
          ctx.log.error({ err, workspaceId }, 'realtime: delivering events failed')
          for (const c of [...(workspaces.get(workspaceId) ?? [])])
            c.socket.close(CLOSE.serverError, 'Reconnect.')
        }
      }
    }
  }

  function onEventNotice(raw: string) {
    let n: EventNotice
    try {
      n = JSON.parse(raw)
    } catch {
      return
    }
    if (stopping || !workspaces.has(n.workspaceId)) return
    queue.push(n)
    kick()
  }

  function kick() {
    if (draining || stopping || queue.length === 0) return
    draining = drain().finally(() => {
      draining = null
      kick()
    })
  }

  // ── subscriptions ───────────────────────────────────────────────────────────
  async function subscribe(c: Conn, msg: Extract<ClientMessage, { type: 'subscribe' }>) {
    let principal: UserPrincipal
    try {
      principal = await resolveUserPrincipal(ctx, c.userId, msg.workspaceId)
      authorize(principal, 'inbox.view')
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      return sendError(c, err.code, err.message)
    }
    // The socket may have gone while the membership loaded: never join a closed one.
    if (c.closed) return
    leave(c)
    join(c, principal)
    const buffered: BuiltFrame[] = []
    c.replaying = buffered
    try {
      await catchUp(c, msg, buffered)
    } catch (err) {
      leave(c)
      c.socket.close(CLOSE.serverError, 'Reconnect.')
      throw err
    }
  }

  /** Replays what the client missed, then the live frames that arrived meanwhile, without repeats. */
  async function catchUp(
    c: Conn,
    msg: Extract<ClientMessage, { type: 'subscribe' }>,
    buffered: BuiltFrame[],
  ) {
    const ws = msg.workspaceId
    const latest = await latestEventId(ctx.db, ws)
    const sent = new Set<number>()
    let resync = false
    if (msg.lastEventId !== undefined) {
      const rows = await eventsToReplay(ctx.db, ws, msg.lastEventId, opts.replayOverlap, opts.maxReplay + 1)
      resync = rows.length > opts.maxReplay
      if (!resync) {
        for (const f of await buildFrames(ctx.db, ws, rows)) {
          sent.add(f.id)
          const json = c.member && frameFor(c.member.principal, f)
          if (json) send(c, json)
        }
      }
    }
    if (c.replaying !== buffered) return // unsubscribed or closed meanwhile
    c.replaying = null
    sendControl(c, {
      type: resync ? 'resync' : 'subscribed',
      workspaceId: ws,
      lastEventId: latest,
      ...(resync ? { reason: `More than ${opts.maxReplay} events were missed; refetch your lists.` } : {}),
    })
    for (const f of buffered) {
      if (sent.has(f.id)) continue
      const json = c.member && frameFor(c.member.principal, f)
      if (json) send(c, json)
    }
  }

  async function onMessage(c: Conn, data: string) {
    if (c.closed) return
    if (++c.requests > MAX_REQUESTS_PER_PING) {
      c.socket.close(CLOSE.tooManyRequests, 'Too many messages.')
      return
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(data)
    } catch {
      return sendError(c, 'invalid_json', 'Messages are JSON objects.')
    }
    const r = clientMessage.safeParse(parsed)
    if (!r.success) return sendError(c, 'validation_failed', r.error.issues.map((i) => i.message).join('; '))
    if (r.data.type === 'ping') return sendControl(c, { type: 'pong' })
    await subscribe(c, r.data)
  }

  // ── heartbeat ───────────────────────────────────────────────────────────────
  async function tick() {
    ticks++
    for (const c of conns) {
      c.requests = 0
      // Two unanswered pings (a busy client may be slow to answer one): the socket is dead.
      if (c.missed >= 2) {
        c.socket.terminate()
        continue
      }
      c.missed++
      c.socket.ping()
    }
    try {
      await presence.heartbeat(ticks % 10 === 0)
      // Signing out (or expiry) ends the sockets of that session too.
      const ids = [...new Set([...conns].map((c) => c.sessionId))]
      const live = await liveSessionIds(ctx.db, ids, ctx.clock.now())
      for (const c of conns) {
        if (!live.has(c.sessionId)) {
          leave(c)
          c.socket.close(CLOSE.unauthenticated, 'Your session has ended; sign in again.')
        }
      }
    } catch (err) {
      if (!stopping) ctx.log.warn({ err }, 'realtime: heartbeat failed')
    }
  }

  return {
    processId,
    async start() {
      unlisten = [
        await ctx.database.listen(EVENTS_CHANNEL, onEventNotice),
        await ctx.database.listen(PRESENCE_CHANNEL, (raw) => void presence.onNotice(raw)),
      ]
      timer = setInterval(() => void tick(), opts.pingMs)
      timer.unref()
    },
    accept(socket, session) {
      const c: Conn = {
        socket,
        sessionId: session.id,
        userId: session.userId,
        member: null,
        replaying: null,
        missed: 0,
        closed: false,
        requests: 0,
        inbox: Promise.resolve(),
      }
      if (stopping) {
        socket.close(CLOSE.goingAway, 'Server shutting down.')
        return
      }
      conns.add(c)
      socket.on('pong', () => {
        c.missed = 0
      })
      socket.on('message', (data, isBinary) => {
        if (isBinary) return sendError(c, 'invalid_json', 'Messages are JSON text.')
        // One message at a time per socket, in order.
        c.inbox = c.inbox
          .then(() => onMessage(c, String(data)))
          .catch((err) => {
            ctx.log.error({ err }, 'realtime: message failed')
            sendError(c, 'internal_error', 'Something went wrong on our side.')
          })
      })
      socket.on('close', () => {
        c.closed = true
        conns.delete(c)
        leave(c)
      })
      socket.on('error', () => {})
      sendControl(c, { type: 'hello', userId: session.userId, heartbeatMs: opts.pingMs })
    },
    async stop() {
      if (stopping) return
      stopping = true
      clearInterval(timer)
      await Promise.all(unlisten.map((u) => u().catch(() => {})))
      for (const c of conns) c.socket.close(CLOSE.goingAway, 'Server shutting down.')
      // Give clients a moment to answer the close, then cut whatever is left.
      const until = Date.now() + 1000
      while (conns.size && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
      for (const c of conns) c.socket.terminate()
      await Promise.race([
        Promise.all([draining, presence.settled()]),
        new Promise((r) => setTimeout(r, 1000)),
      ])
      await presence.clear()
    },
    stats: () => ({
      sockets: conns.size,
      subscribed: [...conns].filter((c) => c.member).length,
      workspaces: workspaces.size,
    }),
  }
}
