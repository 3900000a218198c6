import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  TAWASUL_SECRET: z.string().min(32, 'TAWASUL_SECRET must be at least 32 characters').optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Tawasul <no-reply@localhost>'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  RATE_LIMIT_AUTH_MAX: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_AUTH_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Developer API v2: requests per token and endpoint per window (respond.io: 5 per second per method). */
  RATE_LIMIT_API_V2_MAX: z.coerce.number().int().min(1).default(5),
  RATE_LIMIT_API_V2_WINDOW_MS: z.coerce.number().int().min(100).default(1000),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(1),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  /** Built-in SMTP listener for email channels (inbound mail); off unless a port is given. */
  SMTP_LISTEN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SMTP_LISTEN_HOST: z.string().min(1).optional(),
  SMTP_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(30 * 1024 * 1024),
  /** Requests per minute to one workflow's Incoming Webhook URL. */
  WORKFLOW_HOOK_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** `deny`: no workspace may send webhooks to loopback/private addresses (hosted installs). */
  WEBHOOK_PRIVATE_NETWORKS: z.enum(['allow', 'deny']).default('allow'),
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
})

/** Outgoing webhooks (src/server/webhooks). Tests shorten the retry schedule. */
export type WebhookConfig = {
  /** Per attempt, connect to last byte. */
  timeoutMs: number
  /** Concurrent HTTP sends per process. */
  concurrency: number
  /** Whether workspaces may opt in to loopback/private receiver addresses. */
  privateNetworks: boolean
  /** Attempts per delivery before the dead-letter state (16 ≈ 28 h with the defaults below). */
  maxAttempts: number
  retryBaseMs: number
  retryMaxMs: number
  /** How often the worker looks for due retries (new deliveries wake it at once). */
  pollMs: number
  /** An endpoint failing without a single success for this long is disabled; 0 = never. */
  autoDisableAfterMs: number
  retentionDays: number
}

export const WEBHOOK_DEFAULTS: WebhookConfig = {
  timeoutMs: 10_000,
  concurrency: 16,
  privateNetworks: true,
  maxAttempts: 16,
  retryBaseMs: 30_000,
  retryMaxMs: 4 * 3600_000,
  pollMs: 1000,
  autoDisableAfterMs: 72 * 3600_000,
  retentionDays: 30,
}

export type Config = {
  port: number
  host: string
  dataDir: string
  databaseUrl: string | undefined
  publicUrl: string
  secret: string
  smtpUrl: string | undefined
  mailFrom: string
  logLevel: (typeof LOG_LEVELS)[number]
  sessionTtlMs: number
  trustProxy: boolean
  rateLimitAuth: { max: number; windowMs: number }
  rateLimitApiV2: { max: number; windowMs: number }
  jobPollSeconds: number
  shutdownTimeoutMs: number
  webDistDir: string
  /** Where the built website-chat widget lives (dist/widget/widget.js). */
  widgetDistDir: string
  /** The inbound SMTP listener for email channels; undefined = off. */
  smtpListen: { port: number; host: string; maxBytes: number } | undefined
  workflowHookRateLimit: number
  webhooks: WebhookConfig
}

export class ConfigError extends Error {}

/** Reads configuration from the environment; every problem is reported in one message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  // An empty variable (DATABASE_URL=) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(present)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`Invalid configuration: ${problems}`)
  }
  const e = parsed.data
  const dataDir = path.resolve(overrides.dataDir ?? e.DATA_DIR)
  const port = overrides.port ?? e.PORT
  return {
    port,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    secret: e.TAWASUL_SECRET ?? readOrCreateLocalSecret(dataDir),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    trustProxy: e.TRUST_PROXY,
    rateLimitAuth: { max: e.RATE_LIMIT_AUTH_MAX, windowMs: e.RATE_LIMIT_AUTH_WINDOW_MS },
    rateLimitApiV2: { max: e.RATE_LIMIT_API_V2_MAX, windowMs: e.RATE_LIMIT_API_V2_WINDOW_MS },
    jobPollSeconds: e.JOB_POLL_SECONDS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    webDistDir: path.resolve(import.meta.dirname, '../../dist/web'),
    widgetDistDir: path.resolve(import.meta.dirname, '../../dist/widget'),
    smtpListen:
      e.SMTP_LISTEN_PORT === undefined
        ? undefined
        : { port: e.SMTP_LISTEN_PORT, host: e.SMTP_LISTEN_HOST ?? e.HOST, maxBytes: e.SMTP_MAX_BYTES },
    workflowHookRateLimit: e.WORKFLOW_HOOK_RATE_LIMIT,
    webhooks: {
      ...WEBHOOK_DEFAULTS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      privateNetworks: e.WEBHOOK_PRIVATE_NETWORKS === 'allow',
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
    },
    ...overrides,
  }
}

/**
 * Without TAWASUL_SECRET we keep a random key in DATA_DIR so a single-machine install works
 * out of the box; several processes on one machine share it. Production should set the variable.
 */
function readOrCreateLocalSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  try {
    writeFileSync(file, `${secret}\n`, { flag: 'wx', mode: 0o600 })
  } catch {
    return readFileSync(file, 'utf8').trim() // another process created it first
  }
  chmodSync(file, 0o600)
  return secret
}
