import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { before, describe, test } from 'node:test'
import { loadConfig } from '../config'
import { createLogger } from '../log'
import { startServer } from '../main'
import { TestClient } from '../test/client'
import { TEST_DB } from '../test/harness'
import { createTestDatabase } from '../test/prepare'
import { runCli } from './main'

const BIN = path.resolve(import.meta.dirname, '../../../bin/tawasul.mjs')

type Run = { code: number; stdout: string; stderr: string }
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

describe('command line', () => {
  const env: Record<string, string> = {}
  before(async () => {
    env.DATA_DIR = mkdtempSync(path.join(tmpdir(), 'tawasul-cli-'))
    env.TAWASUL_SECRET = 'cli-test-secret-cli-test-secret-000000'
    if (TEST_DB === 'postgres') env.DATABASE_URL = await createTestDatabase(process.env.TAWASUL_TEST_PG!)
  })

  test('--help on the program and on every command', async () => {
    const top = await cli(['--help'], env)
    assert.equal(top.code, 0)
    for (const name of [
      'serve',
      'migrate',
      'setup',
      'token create',
      'user invite',
      'user list',
      'channel create',
      'channel list',
    ]) {
      assert.ok(top.stdout.includes(name), name)
      // In-process: the same code path as the binary, without a process start per command.
      const lines: string[] = []
      assert.equal(await runCli([...name.split(' '), '--help'], (l) => lines.push(l)), 0, name)
      assert.match(lines.join('\n'), new RegExp(`^Usage: tawasul ${name}`))
    }
    const none = await cli([], env)
    assert.equal(none.code, 1)
    const unknown = await cli(['frobnicate'], env)
    assert.equal(unknown.code, 2)
    assert.equal(unknown.stderr.trim().split('\n').length, 1)
    assert.match(unknown.stderr, /^tawasul: Unknown command "frobnicate"/)
  })

  test('setup validates, prints the workspace id, and refuses a second time', async () => {
    const missing = await cli(['setup', '--org', 'Acme', '--workspace', 'Support', '--password', 'x'], env)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /Missing --email/)
    const weak = await cli(
      ['setup', '--org', 'Acme', '--workspace', 'Support', '--email', 'o@acme.test', '--password', 'short'],
      env,
    )
    assert.equal(weak.code, 1)
    assert.match(weak.stderr, /^tawasul: --password: Password must be at least 10 characters\.\n$/)

    const ok = await cli(
      [
        'setup',
        '--org',
        'Acme',
        '--workspace',
        'الدعم',
        '--email',
        'cli-owner@acme.test',
        '--password',
        'Strong-Admin-Pass-1',
        '--name',
        'Cli Owner',
      ],
      env,
    )
    assert.equal(ok.code, 0, ok.stderr)
    const workspaceId = ok.stdout.trim()
    assert.match(workspaceId, /^\d+$/)
    env.WORKSPACE = workspaceId

    const again = await cli(
      [
        'setup',
        '--org',
        'X',
        '--workspace',
        'Y',
        '--email',
        'x@acme.test',
        '--password',
        'Strong-Admin-Pass-2',
      ],
      env,
    )
    assert.equal(again.code, 1)
    assert.match(again.stderr, /already set up/)
  })

  test('token create, user invite and user list', async () => {
    const ws = env.WORKSPACE!
    const token = await cli(['token', 'create', '--workspace', ws, '--name', 'CI'], env)
    assert.equal(token.code, 0, token.stderr)
    assert.match(token.stdout.trim(), new RegExp(`^tws_${ws}_[A-Za-z0-9_-]{43}$`))
    const badWs = await cli(['token', 'create', '--workspace', '999999', '--name', 'CI'], env)
    assert.equal(badWs.code, 1)
    assert.match(badWs.stderr, /Workspace 999999 was not found/)

    const invite = await cli(
      ['user', 'invite', '--workspace', ws, '--email', 'cli-agent@acme.test', '--role', 'agent'],
      env,
    )
    assert.equal(invite.code, 0, invite.stderr)
    assert.match(invite.stdout.trim(), /^http:\/\/localhost:\d+\/invite#token=inv_\d+_/)
    const badRole = await cli(
      ['user', 'invite', '--workspace', ws, '--email', 'x@acme.test', '--role', 'king'],
      env,
    )
    assert.equal(badRole.code, 1)
    assert.match(badRole.stderr, /--role/)

    const list = await cli(['user', 'list', '--workspace', ws, '--json'], env)
    assert.equal(list.code, 0, list.stderr)
    assert.deepEqual(
      JSON.parse(list.stdout).map((u: { email: string; role: string }) => [u.email, u.role]),
      [['cli-owner@acme.test', 'owner']],
    )

    // The token the CLI printed works against a server on the same data.
    const config = {
      ...loadConfig({ ...process.env, ...env, PORT: '0' }),
      databaseUrl: env.DATABASE_URL || undefined,
    }
    const server = await startServer(config, { log: createLogger('silent'), listen: false })
    try {
      const api = new TestClient(server.app)
      api.bearer = token.stdout.trim()
      const res = await api.get(`/api/v1/workspaces/${ws}`)
      assert.equal(res.status, 200)
      assert.equal(res.body.workspace.name, 'الدعم')
      if (TEST_DB === 'pglite') {
        const locked = await cli(['user', 'list', '--workspace', ws], env)
        assert.equal(locked.code, 1)
        assert.equal(locked.stderr.trim().split('\n').length, 1)
        assert.match(locked.stderr, /is in use by process \d+ \(tawasul serve/)
      }
    } finally {
      await server.shutdown()
    }
  })

  test('channel create routes secret keys to encrypted secrets, prints id, webhook path and generated secrets; channel list', async () => {
    const ws = env.WORKSPACE!
    const created = await cli(
      [
        'channel',
        'create',
        '--workspace',
        ws,
        '--type',
        'whatsapp_cloud',
        '--name',
        'WhatsApp KSA',
        '--config',
        JSON.stringify({
          phoneNumberId: '106540352242922',
          businessAccountId: '102290129340398',
          accessToken: 'EAAG-cli-access-token-000',
          appSecret: 'cli-app-secret-000',
        }),
      ],
      env,
    )
    assert.equal(created.code, 0, created.stderr)
    const [id, path, verify] = created.stdout.trim().split('\n')
    assert.match(id!, /^\d+$/)
    assert.match(path!, new RegExp(`^/webhooks/${ws}/${id}/[A-Za-z0-9_-]{32}$`))
    assert.match(verify!, /^verifyToken: [A-Za-z0-9_-]{32}$/)

    const bad = await cli(
      [
        'channel',
        'create',
        '--workspace',
        ws,
        '--type',
        'whatsapp_cloud',
        '--name',
        'X',
        '--config',
        '{"phoneNumberId":"abc"',
      ],
      env,
    )
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^tawasul: --config: Not valid JSON\.\n$/)
    const invalid = await cli(
      [
        'channel',
        'create',
        '--workspace',
        ws,
        '--type',
        'whatsapp_cloud',
        '--name',
        'X',
        '--config',
        '{"phoneNumberId":"abc"}',
      ],
      env,
    )
    assert.equal(invalid.code, 1)
    assert.match(invalid.stderr, /config\.phoneNumberId/)
    const unknown = await cli(
      ['channel', 'create', '--workspace', ws, '--type', 'pigeon', '--name', 'X'],
      env,
    )
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /Unknown channel type "pigeon"/)

    const list = await cli(['channel', 'list', '--workspace', ws, '--json'], env)
    assert.equal(list.code, 0, list.stderr)
    const rows = JSON.parse(list.stdout)
    assert.deepEqual(
      rows.map((c: { id: number; type: string; status: string; webhookPath: string }) => [
        c.id,
        c.type,
        c.status,
        c.webhookPath,
      ]),
      [[Number(id), 'whatsapp_cloud', 'active', path]],
    )
    assert.ok(
      !list.stdout.includes('cli-app-secret') && !list.stdout.includes('EAAG-cli'),
      'no secret is printed',
    )
    const table = await cli(['channel', 'list', '--workspace', ws], env)
    assert.equal(table.stdout.trim(), [id, 'whatsapp_cloud', 'active', 'WhatsApp KSA', path].join('\t'))

    // The secrets were stored encrypted and work: the channel answers Meta's handshake.
    const config = {
      ...loadConfig({ ...process.env, ...env, PORT: '0' }),
      databaseUrl: env.DATABASE_URL || undefined,
    }
    const server = await startServer(config, { log: createLogger('silent'), listen: false })
    try {
      const token = verify!.slice('verifyToken: '.length)
      const res = await server.app.inject({
        method: 'GET',
        url: `${path}?hub.mode=subscribe&hub.challenge=77&hub.verify_token=${token}`,
      })
      assert.deepEqual([res.statusCode, res.body], [200, '77'])
    } finally {
      await server.shutdown()
    }
  })
})
