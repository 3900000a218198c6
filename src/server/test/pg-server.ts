import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

/** A throwaway PostgreSQL server started from the system's binaries (tests and benchmarks). */
export type PgServer = { url: (db?: string) => string; port: number; dir: string; stop: () => void }

export function findPgBin(): string {
  const candidates = [
    process.env.PG_BIN,
    '/usr/lib/postgresql/15/bin',
    ...(existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .sort()
          .reverse()
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : []),
  ].filter((d): d is string => Boolean(d))
  const found = candidates.find(
    (d) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl')),
  )
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries not found: install them with `apt-get install postgresql-15` (or set PG_BIN).',
    )
  }
  return found
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export type PgServerOptions = {
  /** Durable settings (fsync on) for benchmarks; tests trade durability for speed. */
  durable?: boolean
  extraSettings?: Record<string, string>
}

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` user Debian creates. */
export async function startPgServer(opts: PgServerOptions = {}): Promise<PgServer> {
  const bin = findPgBin()
  const isRoot = process.getuid?.() === 0
  const dir = mkdtempSync(path.join(tmpdir(), 'tawasul-pg-'))
  const dataDir = path.join(dir, 'data')
  const sockDir = path.join(dir, 'sock')
  mkdirSync(sockDir)
  if (isRoot) {
    const pgUid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const pgGid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(dir, pgUid, pgGid)
    chownSync(sockDir, pgUid, pgGid)
  }
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd)
    const r = isRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' })
      : spawnSync(full, args, { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`)
  }
  run('initdb', ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--locale=C.UTF-8'])
  const port = await freePort()
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: sockDir,
    max_connections: '200',
    shared_buffers: '256MB',
    ...(opts.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
    ...opts.extraSettings,
  }
  const o = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ')
  run('pg_ctl', ['-D', dataDir, '-o', o, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  const stop = () => {
    try {
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
      process.kill(pid, 'SIGQUIT')
      const until = Date.now() + 10_000
      while (Date.now() < until) {
        try {
          process.kill(pid, 0)
        } catch {
          break
        }
        spawnSync('sleep', ['0.05'])
      }
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  return { url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`, port, dir, stop }
}
