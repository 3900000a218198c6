import path from 'node:path'
import { type App, buildApp } from './app'
import { deleteExpiredSessions } from './auth/sessions.repo'
import { IMAP_TICK_QUEUE, imapQueues } from './channels/email/imap.poll'
import { type SmtpListener, startSmtpListener } from './channels/email/smtp.listener'
import { followUpQueue } from './channels/follow-up.queue'
import { channelSetupQueue } from './channels/setup.queue'
import type { Config } from './config'
import { contactImportQueue } from './contacts/import.job'
import { type Clock, type Ctx, systemClock } from './context'
import { conversationTimerQueues } from './conversations/timers.queue'
import { openDatabase } from './db/database'
import { migrate } from './db/migrate'
import { statusRetryQueue } from './ingest/ingest.queue'
import { mediaDownloadQueue } from './ingest/media.queue'
import { createJobs, defineQueue } from './jobs/jobs'
import { createLogger, type Log } from './log'
import { mailQueue } from './mail/mail.queue'
import { createMailer } from './mail/mailer'
import { sendQueue } from './messages/send.queue'
import { templateQueues } from './messages/templates.queue'
import { TEMPLATE_SYNC_ALL_QUEUE } from './messages/templates.service'
import { type Consumer, type ConsumerRunner, startConsumers } from './outbox/consumers'
import { createRealtimeHub, type RealtimeHub } from './realtime/hub'
import type { RealtimeOptions } from './realtime/options'
import { localDiskStorage } from './storage/storage'
import { WEBHOOK_CLEANUP_QUEUE, webhookCleanupQueue } from './webhooks/cleanup.queue'
import { webhookFanout } from './webhooks/fanout.consumer'
import { startWebhookWorker, type WebhookWorker } from './webhooks/worker'
import { closeOutbound } from './workflows/engine'
import { recoverRuns, runQueue, SWEEP_QUEUE, sweepQueue, timerQueue } from './workflows/run.queue'
import { RUN_QUEUE, TIMER_QUEUE, WORKFLOWS_CHANNEL } from './workflows/wake'
import { workflowsConsumer } from './workflows/workflows.consumer'

export type Server = {
  app: App
  ctx: Ctx
  url: string
  /** The inbound SMTP listener for email channels, when SMTP_LISTEN_PORT is set. */
  smtp: SmtpListener | undefined
  /** Stops accepting work, lets in-flight requests and jobs finish, then closes the database. */
  shutdown: (reason?: string) => Promise<void>
  /** The event-log consumers of this process (kick() runs them now). */
  consumers: ConsumerRunner
  /** This process's webhook delivery worker. */
  webhooks: WebhookWorker
}

export type StartOptions = {
  log?: Log
  /** Extra setup before listening (tests add routes or queues here). */
  beforeListen?: (app: App, ctx: Ctx) => Promise<void> | void
  listen?: boolean
  clock?: Clock
  /** Tests: start PGlite from this dumped data directory, in memory. */
  pgliteSnapshot?: Blob | undefined
  /** Tests: an in-memory PGlite (used when no snapshot is given). */
  memory?: boolean
  /** Tests: shorter heartbeats, smaller buffers. */
  realtime?: Partial<RealtimeOptions>
  /** Tests: extra event-log consumers. */
  consumers?: Consumer[]
}

/** Durable event-log consumers every server process runs (webhooks, workflows…), listed explicitly. */
function consumers(_ctx: Ctx): Consumer[] {
  return [workflowsConsumer, webhookFanout]
}

/** Queues every server process works on, listed explicitly. */
function queues(ctx: Ctx) {
  return [
    mailQueue(ctx),
    sendQueue(ctx),
    statusRetryQueue(ctx),
    mediaDownloadQueue(ctx),
    followUpQueue(ctx),
    channelSetupQueue(ctx),
    ...templateQueues(ctx),
    ...conversationTimerQueues(ctx),
    ...imapQueues(ctx),
    contactImportQueue(ctx),
    runQueue(ctx),
    timerQueue(ctx),
    sweepQueue(ctx),
    webhookCleanupQueue(ctx),
    defineQueue<Record<string, never>>({
      name: 'sessions.cleanup',
      handler: async () => {
        const n = await deleteExpiredSessions(ctx.db, ctx.clock.now())
        if (n) ctx.log.info({ removed: n }, 'expired sessions removed')
      },
    }),
  ]
}

/**
 * Fastify closes idle keep-alive sockets once, when close starts; a socket whose request was in
 * flight becomes idle afterwards and would linger for the keep-alive timeout (72 s). Keep closing
 * idle sockets until the server is down, and cut everything off at the shutdown timeout.
 */
async function closeHttp(app: App, timeoutMs: number): Promise<void> {
  const idle = setInterval(() => app.server.closeIdleConnections(), 50)
  const hard = setTimeout(() => app.server.closeAllConnections(), timeoutMs)
  try {
    await app.close()
  } finally {
    clearInterval(idle)
    clearTimeout(hard)
  }
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<Server> {
  const log = opts.log ?? createLogger(config.logLevel)
  const started = Date.now()
  const database = await openDatabase({
    dataDir: opts.memory && !opts.pgliteSnapshot ? 'memory://' : config.dataDir,
    databaseUrl: config.databaseUrl,
    command: 'serve',
    pgliteSnapshot: opts.pgliteSnapshot,
  })
  let ready = false
  let realtime: RealtimeHub | undefined
  try {
    await migrate(database)
    const jobs = createJobs(database, log, {
      pollSeconds: config.jobPollSeconds,
      stopTimeoutMs: config.shutdownTimeoutMs,
    })
    const mailer = createMailer(config.smtpUrl, config.mailFrom)
    const storage = localDiskStorage(path.join(config.dataDir, 'files'))
    const ctx: Ctx = {
      db: database.db,
      database,
      jobs,
      storage,
      mailer,
      clock: opts.clock ?? systemClock,
      log,
      config,
    }
    await jobs.start()
    // Before any worker takes a step: on a server, this LISTEN session is what tells other
    // processes that this one is alive (workflow leases, Database.isAlive).
    const unlistenRuns = await database.listen(WORKFLOWS_CHANNEL, (payload) =>
      jobs.wake(payload === 'tick' ? TIMER_QUEUE : RUN_QUEUE),
    )
    // Queues now (jobs can be enqueued from here on); this process's workers start once the HTTP
    // server is up, so a backlog after a restart (thousands of due timers) cannot starve the boot.
    await jobs.register(queues(ctx) as never[], { work: false })
    await jobs.boss.schedule('sessions.cleanup', '17 * * * *', {})
    // Rule 117: provider templates change outside Tawasul (approvals, pauses); refresh them hourly.
    await jobs.boss.schedule(TEMPLATE_SYNC_ALL_QUEUE, '41 * * * *', {})
    await jobs.boss.schedule(IMAP_TICK_QUEUE, '* * * * *', {})
    // Workflow runs: workers wake as soon as a run has work (any process's commit, the LISTEN
    // above); resume what a stopped process left mid-step, and sweep for stragglers every minute.
    await jobs.boss.schedule(SWEEP_QUEUE, '* * * * *', {})
    await recoverRuns(ctx, { all: true })
    await jobs.boss.schedule(WEBHOOK_CLEANUP_QUEUE, '43 3 * * *', {})

    const consumerRunner = await startConsumers(ctx, [...consumers(ctx), ...(opts.consumers ?? [])])
    const webhookWorker = await startWebhookWorker(ctx)

    // Listening before the HTTP server accepts sockets, so no committed event is missed.
    const hub = createRealtimeHub(ctx, opts.realtime)
    realtime = hub
    await hub.start()
    const app = await buildApp({ ctx, realtime: hub, isReady: () => ready })
    await opts.beforeListen?.(app, ctx)
    const url = opts.listen === false ? '' : await app.listen({ port: config.port, host: config.host })
    const smtp = config.smtpListen ? await startSmtpListener(ctx, config.smtpListen) : undefined
    await jobs.register(queues(ctx) as never[])
    ready = true
    log.info({ url, database: database.kind, ms: Date.now() - started }, 'Tawasul is ready')

    let stopping: Promise<void> | undefined
    const shutdown = (reason = 'shutdown') => {
      stopping ??= (async () => {
        ready = false
        log.info({ reason }, 'shutting down: finishing in-flight requests and jobs')
        await smtp?.close()
        // Sockets first (clients reconnect to another process and catch up), then HTTP.
        await hub.stop()
        await closeHttp(app, config.shutdownTimeoutMs)
        await consumerRunner.stop()
        await unlistenRuns()
        await webhookWorker.stop()
        await jobs.stop()
        await closeOutbound(ctx)
        mailer.close()
        await database.close()
        log.info('stopped')
      })()
      return stopping
    }
    return { app, ctx, url, smtp, shutdown, consumers: consumerRunner, webhooks: webhookWorker }
  } catch (err) {
    await realtime?.stop().catch(() => {})
    await database.close().catch(() => {})
    throw err
  }
}
