/**
 * Workflow runs and durable timers on a durable PostgreSQL (fsync on).
 *
 *   npm run bench -- workflows [--timers=N (10,000)]    BENCH_RATE=20 (messages/s) BENCH_SECONDS=20
 *
 * The server is its own process (`tawasul serve`); this process is the load generator, the CRM
 * (answers in about 1 ms) and the channel's provider. Same run, two parts:
 *
 * 1. Runs: the VIP routing template (seed 000), completed and published, started by inbound
 *    messages of new contacts (each opens a conversation): Email exists? → HTTP lookup in the
 *    CRM → VIP or regular → Assign To. Warm-up (not measured), then BENCH_RATE new contacts/s for
 *    BENCH_SECONDS, open loop.
 * 2. Timers: N contacts (default 10,000; the issue asks 100,000) waiting in a Wait step whose timers all fall due at the same instant.
 *    The waiting runs and their timer (one tick job for that second) are written in bulk in the engine's own format
 *    (starting 100,000 runs through triggers would take far longer than what is measured); the
 *    server then resumes them through the engine like any other timer.
 *
 * RESULT workflows runs_per_s=N p99_ms=N timers=N timers_resumed_s=N duplicates=N
 *   runs_per_s        measured runs completed / (last completion − start of the measured phase)
 *   p99_ms            99th percentile, inbound message committed → contact assigned (Assign To done)
 *   timers            waiting runs whose timers fell due together
 *   timers_resumed_s  due time → the last of them completed
 *   duplicates        steps executed twice (a run with two logs of one step visit), both parts
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import PgBoss from 'pg-boss'
import { Agent } from 'undici'
import { startDestination } from '../src/server/test/custom-channel'
import { freePort, startPgServer } from '../src/server/test/pg-server'
import { setupOverHttp, startServeProcess, stopServeProcess } from '../src/server/test/serve'
import { TIMER_QUEUE, tickFor } from '../src/server/workflows/wake'
import type { WorkflowDefinition } from '../src/shared/workflow/definition'
import { configureStep, findStep } from '../src/shared/workflow/tree'
import { postOpenLoop } from './lib/open-loop'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
const arg = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? undefined

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The CRM of the VIP template: every tenth email is a VIP. */
async function startCrm() {
  let calls = 0
  const server = createServer((req, res) => {
    calls++
    const email = new URL(req.url ?? '/', 'http://x').searchParams.get('email') ?? ''
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ email, customerType: email.startsWith('vip') ? 'VIP' : 'Regular' }))
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    calls: () => calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** Waits until `count()` reaches `expected`, or it did not move for `stallMs`. */
async function settle(count: () => Promise<number>, expected: number, stallMs: number): Promise<number> {
  let last = -1
  let since = Date.now()
  for (;;) {
    const n = await count()
    if (n >= expected) return n
    if (n !== last) {
      last = n
      since = Date.now()
    } else if (Date.now() - since > stallMs) return n
    await sleep(250)
  }
}

export default async function main() {
  const rate = num(process.env.BENCH_RATE, 20)
  const seconds = num(process.env.BENCH_SECONDS, 20)
  const warmup = num(process.env.BENCH_WARMUP, 50)
  // The issue asks for 100,000; on the shared 2-core machine 10,000 already take minutes to
  // resume (bench/README.md), so that is the default and `--timers=100000` the full test.
  const timers = num(arg('timers'), 10_000)
  const pgServer = await startPgServer({ durable: true })
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tawasul-bench-wf-'))
  const crm = await startCrm()
  const destination = await startDestination()
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: pgServer.url(),
    TAWASUL_SECRET: 'bench-secret-bench-secret-bench-secret-00',
    RATE_LIMIT_AUTH_MAX: '1000',
  }
  const server = await startServeProcess(env, port)
  const sql = new pg.Pool({ connectionString: pgServer.url(), max: 4 })
  const http = new Agent({ connections: 64, keepAliveTimeout: 30_000 })
  let boss: PgBoss | undefined
  try {
    const session = await setupOverHttp(base, {
      organizationName: 'Bench',
      workspaceName: 'Bench',
      name: 'Bench Owner',
      email: 'owner@bench.test',
      password: 'Correct-Horse-42-Battery',
    })
    const { api } = session
    const ws = session.workspaceId
    const channel = (await api('POST', '/channels', {
      type: 'custom',
      name: 'Gateway',
      config: { idType: 'phone', destinationUrl: destination.url },
    })) as { id: number; webhookUrl: string; credentials: { apiToken: string } }
    const webhookPath = new URL(channel.webhookUrl).pathname
    await api('PATCH', '/workflow-settings', { allowPrivateNetwork: true })
    const team = await api('POST', '/teams', { name: 'Front line' })
    await api('PUT', `/teams/${team.id}/members/${session.user.id}`)

    // The VIP template, completed the builder's way and published.
    const created = await api('POST', '/workflows', { name: 'VIP routing', templateKey: 'vip_routing' })
    let def = created.definition as WorkflowDefinition
    const configure = (id: string, patch: Record<string, unknown>) => {
      def = configureStep(def, id, { ...findStep(def, id)!.config, ...patch })
    }
    configure('crm_lookup', { url: `${crm.url}/customers?email=$contact.email` })
    configure('assign_vip', { userId: session.user.id })
    configure('assign_team', { teamId: team.id })
    configure('assign_after_retries', { teamId: team.id })
    const saved = await api('PUT', `/workflows/${created.id}/draft`, { definition: def })
    if ((saved.problems as unknown[]).length) throw new Error(JSON.stringify(saved.problems))
    await api('POST', `/workflows/${created.id}/publish`)

    // Open-loop load: message k is sent at start + k / rate; each from a new contact with an email.
    const drive = (tag: string, total: number, perSecond: number) =>
      postOpenLoop({
        url: `${base}${webhookPath}`,
        token: channel.credentials.apiToken,
        dispatcher: http,
        total,
        perSecond,
        body: (k) => ({
          channelId: String(channel.id),
          contactId: `+9665${tag === 'warm' ? '1' : '2'}${String(1_000_000 + k).slice(-7)}`,
          contact: { firstName: `C${k}`, email: `${k % 10 === 0 ? 'vip' : 'user'}${k}.${tag}@example.com` },
          events: [
            {
              type: 'message',
              mId: `${tag}-${k}`,
              timestamp: Date.now(),
              message: { type: 'text', text: 'hi' },
            },
          ],
        }),
      })
    const completedSince = async (since: Date) =>
      Number(
        (
          await sql.query(
            `SELECT count(*) AS n FROM workflow_runs WHERE workspace_id = $1 AND workflow_id = $2 AND status = 'completed' AND created_at >= $3`,
            [ws, created.id, since],
          )
        ).rows[0].n,
      )

    const warmStart = new Date()
    const warm = await drive('warm', warmup, rate)
    await settle(() => completedSince(warmStart), warmup, 30_000)
    const phaseStart = new Date()
    const total = Math.round(rate * seconds)
    const sent = await drive('run', total, rate)
    const done = await settle(() => completedSince(phaseStart), total, 30_000)
    const { rows: lat } = await sql.query(
      `SELECT extract(epoch FROM s.finished_at - m.created_at) * 1000 AS ms, r.ended_at,
              extract(epoch FROM r.created_at - m.created_at) * 1000 AS started_ms
       FROM workflow_runs r
       JOIN workflow_run_steps s ON s.workspace_id = r.workspace_id AND s.run_id = r.id
         AND s.step_id IN ('assign_vip', 'assign_team') AND s.status = 'done'
       JOIN LATERAL (SELECT min(created_at) AS created_at FROM messages
                     WHERE workspace_id = r.workspace_id AND contact_id = r.contact_id AND direction = 'in') m ON true
       WHERE r.workspace_id = $1 AND r.workflow_id = $2 AND r.created_at >= $3 AND r.status = 'completed'`,
      [ws, created.id, phaseStart],
    )
    const sorted = lat.map((r) => Number(r.ms)).sort((a, b) => a - b)
    // Where the time goes: message → run started (trigger consumer), run started → assigned.
    const toStart = lat.map((r) => Number(r.started_ms)).sort((a, b) => a - b)
    const inRun = lat.map((r) => Number(r.ms) - Number(r.started_ms)).sort((a, b) => a - b)
    const lastEnd = Math.max(...lat.map((r) => (r.ended_at as Date).getTime()))
    const span = (lastEnd - phaseStart.getTime()) / 1000
    const runsPerS = done / span
    console.log(
      `runs: warm-up ${warmup} in ${warm.seconds.toFixed(1)} s; measured ${rate} new contacts/s for ${seconds} s (sent in ${sent.seconds.toFixed(1)} s, ${sent.failures + warm.failures} failed): ${done}/${total} runs completed in ${span.toFixed(1)} s, ${sorted.length} assigned; message → assigned p50 ${Math.round(percentile(sorted, 50))} ms, p90 ${Math.round(percentile(sorted, 90))} ms, p99 ${Math.round(percentile(sorted, 99))} ms, max ${Math.round(sorted.at(-1) ?? Number.NaN)} ms; CRM calls ${crm.calls()}`,
    )

    console.log(
      `breakdown: message → run started p50 ${Math.round(percentile(toStart, 50))} ms, p99 ${Math.round(percentile(toStart, 99))} ms; run started → assigned p50 ${Math.round(percentile(inRun, 50))} ms, p99 ${Math.round(percentile(inRun, 99))} ms`,
    )

    // Part 2: N contacts waiting in a Wait step, all due at the same instant.
    const timerWf = await api('POST', '/workflows', {
      name: 'Timers',
      definition: {
        version: 1,
        trigger: { type: 'shortcut', conditions: {}, oncePerContact: false },
        steps: [
          { id: 'pause', kind: 'wait', name: 'Pause', config: { duration: { amount: 1, unit: 'hours' } } },
        ],
      },
    })
    await api('POST', `/workflows/${timerWf.id}/publish`)
    const {
      rows: [version],
    } = await sql.query(
      'SELECT max(id) AS id FROM workflow_versions WHERE workspace_id = $1 AND workflow_id = $2',
      [ws, timerWf.id],
    )
    const seedStart = Date.now()
    const far = new Date(Date.now() + 3600_000)
    for (let from = 0; from < timers; from += 10_000) {
      const n = Math.min(10_000, timers - from)
      await sql.query(
        `WITH c AS (
           INSERT INTO contacts (workspace_id, first_name, phone)
           SELECT $1, 'Timer ' || g, '+9665' || lpad(g::text, 8, '0') FROM generate_series($2::int, $3::int) g
           RETURNING workspace_id, id)
         INSERT INTO workflow_runs (workspace_id, workflow_id, version_id, contact_id, status, trigger_type,
                                    started_by_kind, current_step_id, seq, visits, wait_kind, wait_until, wait_state)
         SELECT workspace_id, $4, $5, id, 'waiting', 'shortcut', 'user', 'pause', 1, '{"pause":1}', 'timer', $6::text::timestamptz,
                jsonb_build_object('until', $6::text)
         FROM c`,
        [ws, 30_000_000 + from, 30_000_000 + from + n - 1, timerWf.id, version.id, far.toISOString()],
      )
    }
    boss = new PgBoss({
      connectionString: pgServer.url(),
      schema: 'pgboss',
      migrate: false,
      supervise: false,
      schedule: false,
      max: 2,
    })
    boss.on('error', () => {})
    await boss.start()
    // Due together, a little after everything is written (on a whole second: the tick's time).
    const due = new Date(Math.ceil((Date.now() + 5_000 + timers / 20) / 1000) * 1000)
    // The timer as the engine arms it (wake.armTimer): one tick job for the second they fall due.
    const tick = tickFor(due)
    await boss.send(TIMER_QUEUE, {}, { singletonKey: tick.singletonKey, startAfter: tick.startAfter })
    await sql.query(
      `UPDATE workflow_runs SET wait_until = $3::text::timestamptz, wait_state = jsonb_build_object('until', $3::text)
       WHERE workspace_id = $1 AND workflow_id = $2`,
      [ws, timerWf.id, due.toISOString()],
    )
    const seeded = (Date.now() - seedStart) / 1000
    if (Date.now() > due.getTime()) console.log('warning: seeding ended after the timers fell due')
    const resumed = await settle(
      async () =>
        Number(
          (
            await sql.query(
              `SELECT count(*) AS n FROM workflow_runs WHERE workspace_id = $1 AND workflow_id = $2 AND status = 'completed'`,
              [ws, timerWf.id],
            )
          ).rows[0].n,
        ),
      timers,
      60_000,
    )
    const {
      rows: [t],
    } = await sql.query(
      `SELECT extract(epoch FROM max(ended_at) - $3::timestamptz) AS last_s,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ended_at))
                - extract(epoch FROM $3::timestamptz) AS half_s
       FROM workflow_runs WHERE workspace_id = $1 AND workflow_id = $2 AND status = 'completed'`,
      [ws, timerWf.id, due],
    )
    const {
      rows: [dup],
    } = await sql.query(
      `SELECT count(*) AS n FROM (SELECT run_id, step_id, visit FROM workflow_run_steps WHERE workspace_id = $1
         GROUP BY 1, 2, 3 HAVING count(*) > 1) d`,
      [ws],
    )
    console.log(
      `timers: ${timers} waiting runs written in ${seeded.toFixed(1)} s; ${resumed}/${timers} resumed and completed; half by ${Number(t.half_s).toFixed(1)} s, all by ${Number(t.last_s).toFixed(1)} s after they fell due`,
    )
    const resumedS = resumed === timers ? Number(t.last_s) : Number.NaN
    console.log(
      `RESULT workflows runs_per_s=${runsPerS.toFixed(1)} p99_ms=${Math.round(percentile(sorted, 99))} timers=${timers} timers_resumed_s=${resumedS.toFixed(1)} duplicates=${Number(dup.n)}`,
    )
  } finally {
    await boss?.stop({ graceful: false, wait: true }).catch(() => {})
    await http.close()
    await sql.end()
    await stopServeProcess(server)
    await crm.close()
    await destination.close()
    pgServer.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
