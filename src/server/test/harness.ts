import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { App } from '../app'
import { type Config, loadConfig } from '../config'
import type { Clock, Ctx } from '../context'
import { createLogger } from '../log'
import { type Server, startServer } from '../main'
import type { Consumer } from '../outbox/consumers'
import type { RealtimeOptions } from '../realtime/options'
import { createTestDatabase } from './prepare'

/** Which database this test process runs on; the runner sets it (pglite by default). */
export const TEST_DB: 'pglite' | 'postgres' =
  process.env.TAWASUL_TEST_DB === 'postgres' ? 'postgres' : 'pglite'

let snapshot: Blob | undefined
function pgliteSnapshot(): Blob | undefined {
  const file = process.env.TAWASUL_TEST_SNAPSHOT
  if (!file) return undefined
  snapshot ??= new Blob([readFileSync(file)])
  return snapshot
}

/** A clock tests can move forward. */
export class TestClock implements Clock {
  offsetMs = 0
  now = () => new Date(Date.now() + this.offsetMs)
  advance(ms: number) {
    this.offsetMs += ms
  }
}

export type TestServer = Server & {
  clock: TestClock
  /** Every log line written so far (JSON), for redaction checks. */
  logs: () => string
  close: () => Promise<void>
}

export type TestServerOptions = {
  config?: Partial<Config>
  listen?: boolean
  beforeListen?: (app: App, ctx: Ctx) => Promise<void> | void
  realtime?: Partial<RealtimeOptions>
  consumers?: Consumer[]
  /** Reuse this database (PostgreSQL URL) instead of creating a fresh one: several servers on one database. */
  databaseUrl?: string
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const chunks: string[] = []
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk))
      cb()
    },
  })
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'info', sink)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tawasul-test-'))
  const databaseUrl =
    opts.databaseUrl ??
    (TEST_DB === 'postgres'
      ? await createTestDatabase(process.env.TAWASUL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres')
      : undefined)
  const base = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    TAWASUL_SECRET: 'test-secret-test-secret-test-secret-0000',
  })
  const config: Config = {
    ...base,
    port: 0,
    databaseUrl,
    rateLimitAuth: { max: 1000, windowMs: 60_000 },
    jobPollSeconds: 0.5,
    shutdownTimeoutMs: 5000,
    ...opts.config,
  }
  const clock = new TestClock()
  const server = await startServer(config, {
    log,
    listen: opts.listen ?? false,
    clock,
    beforeListen: opts.beforeListen,
    ...(opts.realtime ? { realtime: opts.realtime } : {}),
    consumers: opts.consumers,
    pgliteSnapshot: databaseUrl ? undefined : (pgliteSnapshot() ?? undefined),
    memory: !databaseUrl,
  })
  return { ...server, clock, logs: () => chunks.join(''), close: () => server.shutdown('test finished') }
}
