import assert from 'node:assert/strict'
import type { z } from 'zod'
import { TestClient, type TestResponse } from './client'
import type { TestServer } from './harness'

/** A workspace API token created through the v1 API, and a client that sends it as a Bearer token. */
export async function apiV2Client(server: TestServer, owner: TestClient, workspaceId: number) {
  const res = await owner.post(`/api/v1/workspaces/${workspaceId}/api-tokens`, { name: `v2 ${Date.now()}` })
  if (res.status !== 201) throw new Error(`token create failed: ${res.status} ${res.text}`)
  const client = new TestClient(server.app)
  client.bearer = res.body.token as string
  return { client, token: res.body.token as string, tokenId: res.body.id as number }
}

/** Asserts a response matches a schema transcribed from respond.io's documentation. */
export function assertShape<T extends z.ZodType>(schema: T, res: TestResponse, status = 200): z.infer<T> {
  assert.equal(res.status, status, res.text)
  const parsed = schema.safeParse(res.body)
  assert.ok(
    parsed.success,
    `${res.text}\n${parsed.success ? '' : JSON.stringify(parsed.error.issues, null, 1)}`,
  )
  return parsed.data
}

/** Asserts respond.io's error body `{ code, message }` with code = HTTP status, and a message matching. */
export function assertError(res: TestResponse, status: number, message?: RegExp) {
  assert.equal(res.status, status, res.text)
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message'], res.text)
  assert.equal(res.body.code, status)
  assert.equal(typeof res.body.message, 'string')
  if (message) assert.match(res.body.message, message)
}

/** `phone:+9665…` URL-encoded as a path segment. */
export const ident = (s: string) => encodeURIComponent(s)
