import { createServer } from 'node:net'
import type { TestClient } from './client'
import { waitFor } from './custom-channel'
import { startTestServer, type TestServer } from './harness'

/** A free loopback port (providers call Tawasul over real HTTP in channel tests). */
export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as { port: number }
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/**
 * A test server that listens on loopback, with PUBLIC_URL set to the address simulators call, so
 * URL-signing providers (Twilio) sign exactly what Tawasul checks.
 */
export async function startListeningServer(): Promise<TestServer> {
  const port = await freePort()
  return startTestServer({
    listen: true,
    config: { port, host: '127.0.0.1', publicUrl: `http://127.0.0.1:${port}` },
  })
}

export type ConnectedChannel = { id: number; webhookUrl: string; webhookPath: string; body: any }

/** Connects a channel through the API, as the settings page does. */
export async function connectChannel(
  client: TestClient,
  workspaceId: number,
  input: { type: string; name?: string; config: Record<string, unknown>; secrets: Record<string, unknown> },
): Promise<ConnectedChannel> {
  const res = await client.post(`/api/v1/workspaces/${workspaceId}/channels`, { name: input.type, ...input })
  if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${res.text}`)
  return {
    id: res.body.id,
    webhookUrl: res.body.webhookUrl,
    webhookPath: new URL(res.body.webhookUrl).pathname,
    body: res.body,
  }
}

export type MessageRowLite = {
  id: number
  contact_id: number
  direction: string
  type: string
  text: string | null
  content: any
  status: string
  error: any
  provider_message_id: string | null
}

/** Messages stored for a channel, oldest first. */
export async function channelMessages(server: TestServer, channelId: number): Promise<MessageRowLite[]> {
  const { rows } = await server.ctx.database.query<MessageRowLite>(
    'SELECT id, contact_id, direction, type, text, content, status, error, provider_message_id FROM messages WHERE channel_id = $1 ORDER BY id',
    [channelId],
  )
  return rows
}

export async function messageById(server: TestServer, id: number): Promise<MessageRowLite> {
  const { rows } = await server.ctx.database.query<MessageRowLite>(
    'SELECT id, contact_id, direction, type, text, content, status, error, provider_message_id FROM messages WHERE id = $1',
    [id],
  )
  return rows[0]!
}

/** Waits until the message satisfies `ok` (jobs run in the background). */
export function waitForMessage(
  server: TestServer,
  id: number,
  ok: (m: MessageRowLite) => boolean,
  label = `message ${id}`,
): Promise<MessageRowLite> {
  return waitFor(
    async () => {
      const m = await messageById(server, id)
      return ok(m) ? m : undefined
    },
    15_000,
    label,
  )
}

/** Sends through the public API, as an agent in the inbox does. */
export async function sendMessage(
  client: TestClient,
  workspaceId: number,
  contactId: number,
  message: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return client.post(`/api/v1/workspaces/${workspaceId}/contacts/${contactId}/messages`, {
    message,
    ...extra,
  })
}
