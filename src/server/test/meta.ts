import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { type MetaSimulatorOptions, startMetaSimulator } from '../../simulators/meta/meta-simulator'
import type { TestClient } from './client'
import type { TestServer } from './harness'

/** A Graph API simulator on the test server's clock, posting webhooks to it over HTTP. */
export function startMetaFor(server: TestServer, opts: MetaSimulatorOptions = {}) {
  return startMetaSimulator({ clock: () => server.clock.now(), statusDelayMs: 50, ...opts })
}

type Sim = Awaited<ReturnType<typeof startMetaFor>>

/** Connects a channel through the API, pointed at the simulator, and points the simulator back at it. */
export async function connectMetaChannel(
  owner: TestClient,
  server: TestServer,
  workspaceId: number,
  sim: Sim,
  type: 'whatsapp_cloud' | 'messenger' | 'instagram',
) {
  const config =
    type === 'whatsapp_cloud'
      ? { phoneNumberId: sim.whatsappAccount.phoneNumberId, businessAccountId: sim.whatsappAccount.wabaId }
      : type === 'messenger'
        ? { pageId: sim.pageId }
        : { accountId: sim.instagramId }
  const res = await owner.post(`/api/v1/workspaces/${workspaceId}/channels`, {
    type,
    name: `${type} channel`,
    config: { ...config, apiBaseUrl: sim.url },
    secrets: { accessToken: sim.accessToken, appSecret: sim.appSecret },
  })
  if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${res.text}`)
  const webhookPath = new URL(res.body.webhookUrl).pathname
  sim.connect(type === 'whatsapp_cloud' ? 'whatsapp' : type, `${server.url}${webhookPath}`)
  return {
    id: res.body.id as number,
    webhookPath,
    verifyToken: res.body.credentials.verifyToken as string,
  }
}

export function fixture(dir: string, name: string): any {
  return JSON.parse(readFileSync(path.join(dir, 'fixtures', name), 'utf8'))
}

/** Posts a body with an X-Hub-Signature-256 computed here, independently of the code under test. */
export async function postSigned(
  server: TestServer,
  webhookPath: string,
  body: unknown,
  appSecret: string,
  signature?: string,
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body)
  const sig = signature ?? `sha256=${createHmac('sha256', appSecret).update(raw, 'utf8').digest('hex')}`
  const res = await server.app.inject({
    method: 'POST',
    url: webhookPath,
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig },
    payload: raw,
  })
  return { status: res.statusCode, body: res.body }
}

export async function countRows(server: TestServer, table: 'messages' | 'contacts', workspaceId: number) {
  const { rows } = await server.ctx.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE workspace_id = $1`,
    [workspaceId],
  )
  return rows[0]!.n
}
