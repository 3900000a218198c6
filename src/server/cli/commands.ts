import path from 'node:path'
import { z } from 'zod'
import { ROLES } from '../../shared/permissions'
import { needsSetup, setup } from '../auth/auth.service'
import { passwordSchema } from '../auth/passwords'
import type { UserPrincipal } from '../auth/principal'
import { createChannel, listWorkspaceChannels, secretKeysOf, webhookPath } from '../channels/channels.service'
import { CHANNELS } from '../channels/registry'
import type { Config } from '../config'
import { type Ctx, systemClock } from '../context'
import { openDatabase } from '../db/database'
import { migrate } from '../db/migrate'
import { ConflictError, NotFoundError, ValidationError } from '../errors'
import { emailSchema, idSchema, labelSchema, localeSchema, personNameSchema } from '../http/schemas'
import { invite } from '../invitations/invitations.service'
import { createJobs } from '../jobs/jobs'
import { createLogger } from '../log'
import { mailQueue } from '../mail/mail.queue'
import { createMailer } from '../mail/mailer'
import { startServer } from '../main'
import { localDiskStorage } from '../storage/storage'
import { createApiTokenUnchecked } from '../tokens/tokens.service'
import { listMembers } from '../users/users.repo'
import { findWorkspace } from '../workspaces/workspaces.repo'
import { buildWeb } from './build-web'

type Option = { type: 'string' | 'boolean'; description: string; required?: boolean }
type RunArgs = {
  config: Config
  values: Record<string, string | boolean | undefined>
  out: (line: string) => void
}
export type Command = {
  name: string
  summary: string
  usage?: string
  options: Record<string, Option>
  /** Exit status; -1 means "keep running" (serve). */
  run: (args: RunArgs) => Promise<number>
}

/** Validates flags with the same zod schemas as the HTTP API; problems name the flag. */
function parseFlags<T extends z.ZodType>(schema: T, values: RunArgs['values']): z.infer<T> {
  const r = schema.safeParse(values)
  if (r.success) return r.data
  const fields = r.error.issues.map((i) => ({ path: `--${i.path.join('.')}`, message: i.message }))
  throw new ValidationError(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields)
}

/** Opens the database for a one-off command, with migrations applied and the job queues ready to accept. */
async function withCtx<T>(config: Config, command: string, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn')
  const database = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, command })
  try {
    await migrate(database)
    const jobs = createJobs(database, log, { pollSeconds: 1, stopTimeoutMs: 5000, maintenance: false })
    const mailer = createMailer(config.smtpUrl, config.mailFrom)
    const storage = localDiskStorage(path.join(config.dataDir, 'files'))
    const ctx: Ctx = { db: database.db, database, jobs, mailer, storage, clock: systemClock, log, config }
    await jobs.start()
    try {
      await jobs.register([mailQueue(ctx)] as never[], { work: false })
      return await fn(ctx)
    } finally {
      await jobs.stop()
      mailer.close()
    }
  } finally {
    await database.close()
  }
}

const workspaceFlag = { type: 'string', description: 'Workspace id', required: true } as const

async function ownerPrincipal(
  ctx: Ctx,
  workspaceId: number,
  asEmail: string | undefined,
): Promise<UserPrincipal> {
  const ws = await findWorkspace(ctx.db, workspaceId)
  if (!ws) throw new NotFoundError(`Workspace ${workspaceId}`)
  const members = await listMembers(ctx.db, workspaceId)
  const actor = asEmail
    ? members.find((m) => m.email === asEmail.toLowerCase())
    : members.filter((m) => m.role === 'owner').sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime())[0]
  if (!actor)
    throw new NotFoundError(asEmail ? `A member with email ${asEmail}` : 'An owner of this workspace')
  return {
    kind: 'user',
    userId: actor.userId,
    workspaceId,
    organizationId: ws.organizationId,
    role: actor.role,
    restrictions: actor.restrictions,
    teamId: actor.teamId,
  }
}

export const COMMANDS: Command[] = [
  {
    name: 'serve',
    summary: 'Start the server: API, web app and widget (what `npm start` runs)',
    options: {
      port: { type: 'string', description: 'Port to listen on (default PORT or 3000)' },
      'build-web': { type: 'boolean', description: 'Build the web app first if its sources changed' },
    },
    run: async ({ config, values }) => {
      if (values['build-web']) await buildWeb({ ifStale: true })
      const port = values.port === undefined ? config.port : Number(values.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new ValidationError('--port must be a port number.')
      const server = await startServer({ ...config, port })
      const stop = (signal: string) => {
        server.shutdown(signal).then(
          () => process.exit(0),
          (err) => {
            console.error(`tawasul: shutdown failed: ${(err as Error).message}`)
            process.exit(1)
          },
        )
      }
      process.once('SIGINT', () => stop('SIGINT'))
      process.once('SIGTERM', () => stop('SIGTERM'))
      return -1
    },
  },
  {
    name: 'migrate',
    summary: 'Apply pending database migrations and exit',
    options: {},
    run: async ({ config, out }) => {
      const database = await openDatabase({
        dataDir: config.dataDir,
        databaseUrl: config.databaseUrl,
        command: 'migrate',
      })
      try {
        await migrate(database)
      } finally {
        await database.close()
      }
      out('migrations applied')
      return 0
    },
  },
  {
    name: 'setup',
    summary: 'First-run setup: organization, workspace and owner (prints the new workspace id)',
    usage: '--org NAME --workspace NAME --email E --password P [--name N]',
    options: {
      org: { type: 'string', description: 'Organization name', required: true },
      workspace: { type: 'string', description: 'Workspace name', required: true },
      email: { type: 'string', description: "Owner's email", required: true },
      password: { type: 'string', description: "Owner's password (at least 10 characters)", required: true },
      name: { type: 'string', description: "Owner's name (default: the email's name part)" },
      timezone: { type: 'string', description: 'Workspace time zone, e.g. Asia/Riyadh (default UTC)' },
      language: { type: 'string', description: 'Workspace language: en or ar (default en)' },
    },
    run: async ({ config, values, out }) => {
      const input = parseFlags(
        z.object({
          org: labelSchema('Organization name'),
          workspace: labelSchema('Workspace name'),
          email: emailSchema,
          password: passwordSchema,
          name: personNameSchema.optional(),
          timezone: z.string().max(64).optional(),
          language: localeSchema.optional(),
        }),
        values,
      )
      const result = await withCtx(config, 'setup', async (ctx) => {
        if (!(await needsSetup(ctx)))
          throw new ConflictError('Tawasul is already set up (a user exists); setup refused.')
        return setup(ctx, {
          organizationName: input.org,
          workspaceName: input.workspace,
          email: input.email,
          password: input.password,
          name: input.name ?? input.email.split('@')[0]!,
          timezone: input.timezone,
          language: input.language,
        })
      })
      out(String(result.workspaceId))
      return 0
    },
  },
  {
    name: 'token create',
    summary: 'Create a workspace API token (printed once; store it now)',
    usage: '--workspace ID --name NAME',
    options: {
      workspace: workspaceFlag,
      name: { type: 'string', description: 'A name for the token', required: true },
    },
    run: async ({ config, values, out }) => {
      const input = parseFlags(z.object({ workspace: idSchema, name: labelSchema('Token name', 80) }), values)
      const token = await withCtx(config, 'token create', async (ctx) => {
        if (!(await findWorkspace(ctx.db, input.workspace)))
          throw new NotFoundError(`Workspace ${input.workspace}`)
        return createApiTokenUnchecked(ctx, input.workspace, input.name, null, { kind: 'system', id: null })
      })
      out(token.token)
      return 0
    },
  },
  {
    name: 'user invite',
    summary: 'Invite a user to a workspace (prints the invitation link when SMTP is not configured)',
    usage: '--workspace ID --email E --role owner|manager|agent [--as OWNER_EMAIL]',
    options: {
      workspace: workspaceFlag,
      email: { type: 'string', description: "Invitee's email", required: true },
      role: { type: 'string', description: `Access level: ${ROLES.join(', ')}`, required: true },
      as: { type: 'string', description: 'Act as this member (default: the first owner)' },
    },
    run: async ({ config, values, out }) => {
      const input = parseFlags(
        z.object({
          workspace: idSchema,
          email: emailSchema,
          role: z.enum(ROLES),
          as: emailSchema.optional(),
        }),
        values,
      )
      const result = await withCtx(config, 'user invite', async (ctx) => {
        const p = await ownerPrincipal(ctx, input.workspace, input.as)
        return invite(ctx, p, { email: input.email, role: input.role })
      })
      out(result.inviteUrl ?? `invitation emailed to ${input.email}`)
      return 0
    },
  },
  {
    name: 'user list',
    summary: 'List the users of a workspace',
    usage: '--workspace ID [--json]',
    options: {
      workspace: workspaceFlag,
      json: { type: 'boolean', description: 'Print JSON instead of a table' },
    },
    run: async ({ config, values, out }) => {
      const input = parseFlags(z.object({ workspace: idSchema, json: z.boolean().optional() }), values)
      const members = await withCtx(config, 'user list', async (ctx) => {
        if (!(await findWorkspace(ctx.db, input.workspace)))
          throw new NotFoundError(`Workspace ${input.workspace}`)
        return listMembers(ctx.db, input.workspace)
      })
      if (input.json) {
        out(
          JSON.stringify(
            members.map((m) => ({
              id: m.userId,
              email: m.email,
              name: m.name,
              role: m.role,
              team: m.teamName,
            })),
          ),
        )
      } else {
        for (const m of members) out([m.userId, m.email, m.role, m.name, m.teamName ?? ''].join('\t'))
      }
      return 0
    },
  },
  {
    name: 'channel create',
    summary: 'Connect a channel; prints its id, its inbound webhook path and any generated secret (once)',
    usage: '--workspace ID --type TYPE --name NAME --config JSON [--as OWNER_EMAIL]',
    options: {
      workspace: workspaceFlag,
      type: {
        type: 'string',
        description: `Channel type: ${CHANNELS.map((c) => c.type).join(', ')}`,
        required: true,
      },
      name: { type: 'string', description: 'A name for the channel', required: true },
      config: {
        type: 'string',
        description:
          'Settings as JSON; secret keys (accessToken, appSecret, verifyToken, apiToken…) are stored encrypted',
      },
      json: { type: 'boolean', description: 'Print JSON instead of lines' },
      as: { type: 'string', description: 'Act as this member (default: the first owner)' },
    },
    run: async ({ config, values, out }) => {
      const input = parseFlags(
        z.object({
          workspace: idSchema,
          type: z.string().min(1).max(40),
          name: labelSchema('Channel name', 80),
          config: z.string().max(20_000).default('{}'),
          json: z.boolean().optional(),
          as: emailSchema.optional(),
        }),
        values,
      )
      let all: unknown
      try {
        all = JSON.parse(input.config)
      } catch {
        throw new ValidationError('--config: Not valid JSON.', [
          { path: '--config', message: 'Not valid JSON.' },
        ])
      }
      if (!all || typeof all !== 'object' || Array.isArray(all))
        throw new ValidationError('--config: Must be an object.', [
          { path: '--config', message: 'Must be an object.' },
        ])
      // Secret keys go to the encrypted secrets, per the adapter's secrets schema.
      const secretKeys = new Set(secretKeysOf(input.type))
      const entries = Object.entries(all as Record<string, unknown>)
      const result = await withCtx(config, 'channel create', async (ctx) => {
        const p = await ownerPrincipal(ctx, input.workspace, input.as)
        return createChannel(ctx, p, {
          type: input.type,
          name: input.name,
          config: Object.fromEntries(entries.filter(([k]) => !secretKeys.has(k))),
          secrets: Object.fromEntries(entries.filter(([k]) => secretKeys.has(k))),
        })
      })
      const path = webhookPath(result.channel)
      if (input.json) {
        out(JSON.stringify({ id: result.channel.id, webhookPath: path, generated: result.generated }))
      } else {
        out(String(result.channel.id))
        out(path)
        for (const [k, v] of Object.entries(result.generated)) out(`${k}: ${v}`)
      }
      return 0
    },
  },
  {
    name: 'channel list',
    summary: 'List the channels of a workspace (secrets are never shown)',
    usage: '--workspace ID [--json]',
    options: {
      workspace: workspaceFlag,
      json: { type: 'boolean', description: 'Print JSON instead of a table' },
    },
    run: async ({ config, values, out }) => {
      const input = parseFlags(z.object({ workspace: idSchema, json: z.boolean().optional() }), values)
      const rows = await withCtx(config, 'channel list', async (ctx) =>
        listWorkspaceChannels(ctx, await ownerPrincipal(ctx, input.workspace, undefined)),
      )
      const list = rows.map((c) => ({
        id: c.id,
        type: c.type,
        name: c.name,
        status: c.status,
        webhookPath: webhookPath(c),
        lastError: c.lastError,
      }))
      if (input.json) out(JSON.stringify(list))
      else for (const c of list) out([c.id, c.type, c.status, c.name, c.webhookPath].join('\t'))
      return 0
    },
  },
]
