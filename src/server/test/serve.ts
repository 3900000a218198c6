import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import type { Database } from '../db/database'

/**
 * The real `tawasul serve` as a child process, for what one in-process server cannot show: a
 * kill -9, two processes on one database, a benchmark's server apart from its load generator.
 */
const BIN = new URL('../../../bin/tawasul.mjs', import.meta.url).pathname

/**
 * Starts `tawasul serve` on `port` and resolves once /readyz answers. A cold start (tsx,
 * migrations) takes a minute on a busy 2-core machine; a server that never gets ready is killed.
 */
export async function startServeProcess(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const until = Date.now() + 180_000
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return child
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL') // never leave a server behind
      throw new Error('server did not become ready')
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Resolves once the process has exited (at once if it already has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode ? r() : child.once('exit', () => r()),
  )

/** A graceful stop (SIGTERM), forced after 15 s. */
export async function stopServeProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode) return
  child.kill('SIGTERM')
  const hard = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited(child)
  clearTimeout(hard)
}

type SetupBody = {
  organizationName: string
  workspaceName: string
  name: string
  email: string
  password: string
}

/**
 * First-run setup through the public API, like any integration would, and a client for the new
 * workspace's API with the owner's session: `api(method, path, body)` asserts a 2xx answer.
 */
export async function setupOverHttp(base: string, body: SetupBody) {
  const setup = await fetch(`${base}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  assert.equal(setup.status, 201)
  const cookie = setup.headers.get('set-cookie')!.split(';')[0]!
  const session = (await setup.json()) as { csrfToken: string; workspaceId: number; user: { id: number } }
  const api = async (method: string, p: string, json?: unknown) => {
    const r = await fetch(`${base}/api/v1/workspaces/${session.workspaceId}${p}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': session.csrfToken,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    })
    const text = await r.text()
    assert.ok(r.ok, `${method} ${p}: ${r.status} ${text}`)
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>
  }
  return { ...session, cookie, api }
}

type Api = Awaited<ReturnType<typeof setupOverHttp>>['api']

/**
 * A custom channel sending to `destinationUrl`, in a workspace allowed to call private addresses.
 * Resolves once the channel is active (its setup job ran); until then a send is refused (and a
 * run's Send a Message step would take its "not sent" path).
 */
export async function customChannelOverHttp(api: Api, destinationUrl: string): Promise<{ id: number }> {
  const channel = (await api('POST', '/channels', {
    type: 'custom',
    name: 'Gateway',
    config: { idType: 'phone', destinationUrl },
  })) as { id: number }
  await api('PATCH', '/workflow-settings', { allowPrivateNetwork: true })
  for (let i = 0; (await api('GET', `/channels/${channel.id}`)).status !== 'active'; i++) {
    assert.ok(i < 600, 'the channel became active')
    await new Promise((r) => setTimeout(r, 100))
  }
  return channel
}

/**
 * `n` contacts who wrote in on the channel (so they can be answered), written straight to the
 * database: for tests about runs, not about ingest. Returns their ids.
 */
export async function seedContactsOnChannel(
  database: Database,
  workspaceId: number,
  channelId: number,
  n: number,
): Promise<number[]> {
  const { rows } = await database.query<{ id: number }>(
    `INSERT INTO contacts (workspace_id, first_name, phone, last_interacted_channel_id, last_incoming_at)
     SELECT $1, 'Contact ' || g, '+96655' || lpad(g::text, 7, '0'), $2, now() FROM generate_series(1, $3::int) g
     RETURNING id`,
    [workspaceId, channelId, n],
  )
  await database.query(
    `INSERT INTO contact_channels (workspace_id, contact_id, channel_id, identifier, last_incoming_at)
     SELECT workspace_id, id, $2, phone, now() FROM contacts WHERE workspace_id = $1`,
    [workspaceId, channelId],
  )
  return rows.map((r) => Number(r.id))
}

/** Which of these processes holds the TCP connection whose local port is `port` (Linux /proc). */
export function ownerOfPort(port: number, pids: number[]): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols[1]?.endsWith(`:${hex}`)) inodes.add(cols[9]!)
    }
  }
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        if (m && inodes.has(m[1]!)) return pid
      }
    } catch {}
  }
  return undefined
}
