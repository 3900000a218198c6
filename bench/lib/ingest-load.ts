/**
 * The load generator of `npm run bench -- ingest`, in its own process (its own event loop and
 * connections): signed WhatsApp Cloud `messages` webhooks, posted with undici. The parent sends
 * one phase at a time over IPC and gets the measurements back.
 *
 * Closed phase: `concurrency` requests always in flight; counts the acknowledged (committed)
 * messages after a warm-up. Open phase: message k is sent at start + k / rate whatever the
 * server's pace (no coordinated omission); latency = acknowledgement − scheduled send time.
 */
import { createHmac } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
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
      text: { body: `Hello, I have a question about my order ${id.slice(-6)}` },
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

async function closed(p: Extract<Phase, { kind: 'closed' }>): Promise<PhaseResult> {
  const r: PhaseResult = {
    sent: 0,
    acked: 0,
    failed: 0,
    measured: 0,
    seconds: p.seconds,
    latencies: [],
    errors: [],
  }
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
  const r: PhaseResult = {
    sent: 0,
    acked: 0,
    failed: 0,
    measured: 0,
    seconds: p.seconds,
    latencies: [],
    errors: [],
  }
  const total = Math.round(p.rate * p.seconds)
  const start = performance.now()
  const inflight: Promise<void>[] = []
  for (let k = 0; k < total; k++) {
    const due = start + (k * 1000) / p.rate
    const wait = due - performance.now()
    if (wait > 1) await new Promise((res) => setTimeout(res, wait))
    const { raw } = nextWebhook(p.tag)
    r.sent++
    inflight.push(
      post(raw).then((res) => {
        if (res.ok) {
          r.acked++
          r.measured++
          r.latencies.push(performance.now() - due)
        } else {
          r.failed++
          if (r.errors.length < 5) r.errors.push(res.error!)
        }
      }),
    )
  }
  await Promise.all(inflight)
  r.latencies.sort((a, b) => a - b)
  return r
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
