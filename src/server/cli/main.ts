import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../config'
import { DataDirLockedError } from '../db/lock'
import { AppError } from '../errors'
import { COMMANDS, type Command } from './commands'

export class UsageError extends Error {}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: tawasul <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "tawasul <command> --help" for the options of a command.',
    'Environment: DATA_DIR (default ./data), DATABASE_URL (PostgreSQL server instead of the embedded one),',
    'PORT, HOST, PUBLIC_URL, SMTP_URL, MAIL_FROM, TAWASUL_SECRET, LOG_LEVEL.',
  ].join('\n')
}

function commandHelp(c: Command): string {
  const opts = Object.entries(c.options)
  const width = Math.max(0, ...opts.map(([k, o]) => `--${k}${o.type === 'string' ? ' VALUE' : ''}`.length))
  return [
    `Usage: tawasul ${c.name} ${c.usage ?? ''}`.trimEnd(),
    '',
    c.summary,
    ...(opts.length ? ['', 'Options:'] : []),
    ...opts.map(
      ([k, o]) =>
        `  ${`--${k}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(width)}  ${o.description}${o.required ? ' (required)' : ''}`,
    ),
    `  ${'--help'.padEnd(width)}  Show this help`,
  ].join('\n')
}

/** Finds the longest command name matching the leading words ("token create" before "token"). */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ')
    const command = COMMANDS.find((c) => c.name === name)
    if (command) return { command, rest: argv.slice(words) }
  }
  return undefined
}

export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(helpText())
    return argv.length === 0 ? 1 : 0
  }
  const found = findCommand(argv)
  if (!found) throw new UsageError(`Unknown command "${argv.slice(0, 2).join(' ')}". Run "tawasul --help".`)
  const { command, rest } = found
  if (rest.includes('--help') || rest.includes('-h')) {
    out(commandHelp(command))
    return 0
  }
  let values: Record<string, string | boolean | undefined>
  try {
    const parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(Object.entries(command.options).map(([k, o]) => [k, { type: o.type }])),
      strict: true,
      allowPositionals: false,
    })
    values = parsed.values as Record<string, string | boolean | undefined>
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} Run "tawasul ${command.name} --help".`)
  }
  for (const [k, o] of Object.entries(command.options)) {
    if (o.required && (values[k] === undefined || values[k] === '')) {
      throw new UsageError(`Missing --${k}. Run "tawasul ${command.name} --help".`)
    }
  }
  const config = loadConfig(process.env)
  return command.run({ config, values, out })
}

function oneLine(err: unknown): string {
  if (err instanceof AppError && err.fields?.length && !err.message.includes(err.fields[0]!.message)) {
    return `${err.message} (${err.fields.map((f) => `${f.path}: ${f.message}`).join('; ')})`
  }
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!
}

/** Entry point used by bin/tawasul.mjs: one-line reason and a non-zero exit on failure. */
export async function cliEntry(argv: string[]): Promise<void> {
  try {
    const code = await runCli(argv)
    // serve returns -1 and keeps running until a signal stops it.
    if (code !== -1) process.exit(code)
  } catch (err) {
    const known =
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof DataDirLockedError ||
      err instanceof AppError
    console.error(`tawasul: ${oneLine(err)}`)
    if (!known || process.env.LOG_LEVEL === 'debug') console.error(err)
    process.exit(err instanceof UsageError ? 2 : 1)
  }
}
