/**
 * Outgoing webhooks under a steady inbound load, on a durable PostgreSQL (fsync on).
 *
 *   npm run bench -- webhooks     BENCH_RATE=40 (messages/s) BENCH_SECONDS=20 BENCH_CONTACTS=200
 *
 * A custom channel receives inbound messages over HTTP; four endpoints are subscribed to every
 * event. Warm-up (not measured): one message per contact creates the contacts and opens their
 * conversations. Then, measured: BENCH_RATE messages/s for BENCH_SECONDS spread over those
 * contacts — each a message.received event, so 4 deliveries per message. A local receiver
 * records every delivery.
 *
 * RESULT webhooks deliveries_per_s=N p99_ms=N duplicates=N
 *   deliveries_per_s  measured deliveries received / (last receipt − start of the measured phase)
 *   p99_ms            99th percentile of receipt time − the event's createdAt (its transaction time)
 *   duplicates        requests whose delivery id the receiver had already seen (whole run)
 */
import { createServer } from 'node:http'
import { Agent } from 'undici'
import { connectCustomChannel, startDestination } from '../src/server/test/custom-channel'
import { startPgServer } from '../src/server/test/pg-server'
import { registerWebhook } from '../src/server/test/webhook-receiver'
import { WEBHOOK_EVENT_NAMES } from '../src/server/webhooks/catalog'
import { postOpenLoop } from './lib/open-loop'
import { benchOwner } from './lib/owner'
import { startBenchServer } from './lib/server'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function startCountingReceiver() {
  const seen = new Set<string>()
  const latencies: number[] = []
  let duplicates = 0
  let first = 0
  let last = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const at = Date.now()
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; createdAt: string }
      if (seen.has(body.id)) duplicates++
      else {
        seen.add(body.id)
        latencies.push(at - Date.parse(body.createdAt))
      }
      first ||= at
      last = at
      res.writeHead(200).end()
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/hook`,
    stats: () => ({ unique: seen.size, duplicates, latencies, first, last }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

type Load = { server: { url: string }; channel: { id: number; apiToken: string; webhookPath: string } }

/** Open-loop load: message k is sent at start + k / rate, whatever the server's pace. */
function drive(l: Load, http: Agent, o: { rate: number; total: number; contacts: number; tag: string }) {
  return postOpenLoop({
    url: `${l.server.url}${l.channel.webhookPath}`,
    token: l.channel.apiToken,
    dispatcher: http,
    total: o.total,
    perSecond: o.rate,
    body: (k) => ({
      channelId: String(l.channel.id),
      contactId: `+9665${String(10_000_000 + (k % o.contacts)).padStart(8, '0')}`,
      events: [
        {
          type: 'message',
          mId: `${o.tag}-${k}`,
          timestamp: Date.now(),
          message: { type: 'text', text: `m${k}` },
        },
      ],
    }),
  })
}

/** Waits until the receiver holds `expected` unique deliveries, or nothing arrived for 15 s. */
async function settle(receiver: { stats: () => { unique: number } }, expected: number) {
  let last = -1
  let since = Date.now()
  while (receiver.stats().unique < expected) {
    await new Promise((r) => setTimeout(r, 200))
    const u = receiver.stats().unique
    if (u !== last) {
      last = u
      since = Date.now()
    } else if (Date.now() - since > 15_000) return false
  }
  return true
}

export default async function main() {
  const rate = num(process.env.BENCH_RATE, 40)
  const seconds = num(process.env.BENCH_SECONDS, 20)
  const contacts = num(process.env.BENCH_CONTACTS, 200)
  const endpoints = 4
  const pg = await startPgServer({ durable: true })
  const receiver = await startCountingReceiver()
  const destination = await startDestination()
  const { server, stop } = await startBenchServer(pg.url(), {
    env: { WEBHOOK_CONCURRENCY: process.env.WEBHOOK_CONCURRENCY },
  })
  const http = new Agent({ connections: 64, keepAliveTimeout: 30_000 })
  try {
    const { owner, ws } = await benchOwner(server)
    for (let i = 0; i < endpoints; i++)
      await registerWebhook(owner, ws, receiver.url, [...WEBHOOK_EVENT_NAMES])
    const load: Load = { server, channel: await connectCustomChannel(owner, ws, destination.url) }

    // Warm-up: contact.created, conversation.opened and message.received per contact.
    const warm = await drive(load, http, { rate, total: contacts, contacts, tag: 'warm' })
    const warmExpected = contacts * 3 * endpoints
    if (!(await settle(receiver, warmExpected))) throw new Error('warm-up deliveries did not all arrive')
    const base = receiver.stats()
    const baseLatencies = base.latencies.length

    const phaseStart = Date.now()
    const total = Math.round(rate * seconds)
    const sent = await drive(load, http, { rate, total, contacts, tag: 'run' })
    const expected = warmExpected + total * endpoints
    await settle(receiver, expected)
    await new Promise((r) => setTimeout(r, 500)) // late duplicates would arrive here
    const s = receiver.stats()
    const measured = s.unique - base.unique
    const sorted = s.latencies.slice(baseLatencies).sort((a, b) => a - b)
    const span = (s.last - phaseStart) / 1000
    console.log(
      `warm-up ${contacts} contacts in ${warm.seconds.toFixed(1)} s; measured ${rate} msg/s for ${seconds} s (sent in ${sent.seconds.toFixed(1)} s, ${sent.failures + warm.failures} failed): ${measured}/${total * endpoints} deliveries in ${span.toFixed(1)} s; latency p50 ${percentile(sorted, 50)} ms, p90 ${percentile(sorted, 90)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms`,
    )
    // Where the time goes: event → delivery created (fan-out), delivery created → delivered.
    const { rows: split } = await server.ctx.database.query<Record<string, number>>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY fan) AS fan50, percentile_cont(0.99) WITHIN GROUP (ORDER BY fan) AS fan99,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY send) AS send50, percentile_cont(0.99) WITHIN GROUP (ORDER BY send) AS send99
       FROM (SELECT extract(epoch FROM d.created_at - p.created_at) * 1000 AS fan,
                    extract(epoch FROM d.delivered_at - d.created_at) * 1000 AS send
             FROM webhook_deliveries d JOIN webhook_payloads p ON p.workspace_id = d.workspace_id AND p.id = d.payload_id
             WHERE p.created_at >= $1) t`,
      [new Date(phaseStart)],
    )
    const ms = (v: unknown) => Math.round(Number(v))
    console.log(
      `breakdown: event → delivery created p50 ${ms(split[0]?.fan50)} ms, p99 ${ms(split[0]?.fan99)} ms; created → delivered p50 ${ms(split[0]?.send50)} ms, p99 ${ms(split[0]?.send99)} ms`,
    )
    if (s.unique < expected) {
      console.log(`MISSING ${expected - s.unique} deliveries`)
      const { rows } = await server.ctx.database.query(
        `SELECT e.type, count(DISTINCT e.id)::int AS events, d.status, count(d.id)::int AS deliveries
         FROM events e LEFT JOIN webhook_deliveries d ON d.workspace_id = e.workspace_id AND d.event_id = e.id
         WHERE e.type = ANY($1) GROUP BY 1, 3 ORDER BY 1, 3`,
        [WEBHOOK_EVENT_NAMES],
      )
      console.log(JSON.stringify(rows))
    }
    console.log(
      `RESULT webhooks deliveries_per_s=${Math.round(measured / span)} p99_ms=${Math.round(percentile(sorted, 99))} duplicates=${s.duplicates}`,
    )
  } finally {
    await http.close()
    await stop()
    await receiver.close()
    await destination.close()
    pg.stop()
  }
}
