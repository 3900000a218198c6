import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'

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
