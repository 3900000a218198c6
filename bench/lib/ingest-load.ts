/**
 * The load generator of `npm run bench -- ingest`, in its own process (its own event loop and
 * connections): signed WhatsApp Cloud `messages` webhooks, posted with undici. The parent sends
 * one phase at a time over IPC and gets the measurements back.
 *
 * Closed phase: `concurrency` requests always in flight; counts the acknowledged (committed)
 * messages after a warm-up. Open phase: message k is sent at start + k / rate whatever the
 * server's pace (no coordinated omission); two latencies from the scheduled send time: to the
 * acknowledgement (200 after commit), and to the message.received frame on an agent's realtime
 * WebSocket subscribed to the workspace (the message visible to the agent; docs/realtime.md).
 */
import { createHmac } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import WebSocket from 'ws'
import { type WhatsappAccount, whatsappMessageWebhook } from '../../src/simulators/meta/payloads'

export type LoadSetup = {
  origin: string
  webhookPath: string
  appSecret: string
  account: WhatsappAccount
  /** Existing contacts are wa_ids EXISTING_PREFIX + 0..existing-1; new ones count up from NEW_PREFIX. */
  existing: number
  newFraction: number
  connections: number
  /** The agent's session cookie and workspace, for the realtime socket. */
  cookie: string
  workspaceId: number
}

export type Phase =
  | { kind: 'closed'; concurrency: number; warmSeconds: number; seconds: number; tag: string }
  | { kind: 'open'; rate: number; seconds: number; tag: string }

export type PhaseResult = {
  sent: number
  acked: number
  failed: number
  /** Acknowledged during the measured window, and its length. */
  measured: number
  seconds: number
  /** Open phase only: ms from scheduled send to acknowledgement, ascending. */
  latencies: number[]
  /** Open phase only: ms from scheduled send to the message.received frame, ascending. */
  visible: number[]
  /** Open phase only: acknowledged messages whose frame never came (within 10 s of the end). */
  invisible: number
  errors: string[]
}

export const EXISTING_PREFIX = 96650_000_000
export const NEW_PREFIX = 96659_000_000

let setup: LoadSetup
let pool: Pool
let newCounter = 0
let seq = 0

function nextWebhook(tag: string): { raw: string; id: string } {
  const isNew = Math.random() < setup.newFraction
  const waId = String(
    isNew ? NEW_PREFIX + newCounter++ : EXISTING_PREFIX + Math.floor(Math.random() * setup.existing),
  )
  const id = `wamid.bench-${tag}-${process.pid}-${seq++}`
  const body = whatsappMessageWebhook(
    setup.account,
    { waId, name: isNew ? 'New Customer' : 'Customer' },
    {
      from: waId,
      id,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body: `Hello, I have a question about my order ${id}` },
    },
  )
  return { raw: JSON.stringify(body), id }
}

async function post(raw: string): Promise<{ ok: boolean; error?: string }> {
  const signature = `sha256=${createHmac('sha256', setup.appSecret).update(raw).digest('hex')}`
  try {
    const res = await pool.request({
      method: 'POST',
      path: setup.webhookPath,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body: raw,
    })
    const text = await res.body.text()
    return res.statusCode === 200
      ? { ok: true }
      : { ok: false, error: `${res.statusCode} ${text.slice(0, 200)}` }
  } catch (err) {
    return { ok: false, error: String(err) }
  }
}

function emptyResult(seconds: number): PhaseResult {
  return {
    sent: 0,
    acked: 0,
    failed: 0,
    measured: 0,
    seconds,
    latencies: [],
    visible: [],
    invisible: 0,
    errors: [],
  }
}

async function closed(p: Extract<Phase, { kind: 'closed' }>): Promise<PhaseResult> {
  const r = emptyResult(p.seconds)
  const start = performance.now()
  const from = start + p.warmSeconds * 1000
  const until = from + p.seconds * 1000
  const worker = async () => {
    while (performance.now() < until) {
      const { raw } = nextWebhook(p.tag)
      r.sent++
      const res = await post(raw)
      const at = performance.now()
      if (res.ok) {
        r.acked++
        if (at >= from && at < until) r.measured++
      } else {
        r.failed++
        if (r.errors.length < 5) r.errors.push(res.error!)
      }
    }
  }
  await Promise.all(Array.from({ length: p.concurrency }, worker))
  return r
}

async function open(p: Extract<Phase, { kind: 'open' }>): Promise<PhaseResult> {
  const r = emptyResult(p.seconds)
  // The agent's view: frames arrive on this process's event loop, timed on the same clock.
  const seen = new Map<string, number>()
  const socket = await watch((id) => seen.set(id, performance.now()))
  const due = new Map<string, number>()
  const total = Math.round(p.rate * p.seconds)
  const start = performance.now()
  const inflight: Promise<void>[] = []
  for (let k = 0; k < total; k++) {
    const at = start + (k * 1000) / p.rate
    const wait = at - performance.now()
    if (wait > 1) await new Promise((res) => setTimeout(res, wait))
    const { raw, id } = nextWebhook(p.tag)
    r.sent++
    inflight.push(
      post(raw).then((res) => {
        if (res.ok) {
          r.acked++
          r.measured++
          r.latencies.push(performance.now() - at)
          due.set(id, at)
        } else {
          r.failed++
          if (r.errors.length < 5) r.errors.push(res.error!)
        }
      }),
    )
  }
  await Promise.all(inflight)
  const until = performance.now() + 10_000
  while ([...due.keys()].some((id) => !seen.has(id)) && performance.now() < until)
    await new Promise((res) => setTimeout(res, 50))
  socket.terminate()
  for (const [id, at] of due) {
    const got = seen.get(id)
    if (got === undefined) r.invisible++
    else r.visible.push(got - at)
  }
  r.latencies.sort((a, b) => a - b)
  r.visible.sort((a, b) => a - b)
  return r
}

/** An agent's realtime socket (session cookie, same-site Origin), subscribed to the workspace. */
async function watch(onReceived: (providerId: string) => void): Promise<WebSocket> {
  const socket = new WebSocket(`${setup.origin.replace(/^http/, 'ws')}/api/v1/realtime`, {
    headers: { cookie: setup.cookie, origin: setup.origin },
  })
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; message?: { text?: string | null } }
      if (f.type === 'subscribed') resolve()
      else if (f.type === 'error') reject(new Error(`realtime: ${String(data)}`))
      else if (f.type === 'message.received') {
        const id = f.message?.text?.match(/wamid\.bench-\S+/)?.[0]
        if (id) onReceived(id)
      }
    })
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'subscribe', workspaceId: setup.workspaceId })),
    )
    socket.once('error', reject)
  })
  return socket
}

process.on('message', async (msg: { setup?: LoadSetup; phase?: Phase; stop?: true }) => {
  if (msg.setup) {
    setup = msg.setup
    pool = new Pool(setup.origin, { connections: setup.connections, keepAliveTimeout: 30_000 })
    process.send!({ ready: true })
  } else if (msg.phase) {
    const result = msg.phase.kind === 'closed' ? await closed(msg.phase) : await open(msg.phase)
    process.send!({ result })
  } else if (msg.stop) {
    await pool?.close()
    process.exit(0)
  }
})
