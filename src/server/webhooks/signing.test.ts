import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { emit } from '../events'
import type { TestClient } from '../test/client'
import { waitFor } from '../test/custom-channel'
import { buildContact, setupOwner } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { fastWebhooks, registerWebhook } from '../test/webhook-receiver'
import { sign } from './signing'

const DOCS = path.resolve(import.meta.dirname, '../../../docs/webhooks.md')

/** The verification recipe exactly as docs/webhooks.md publishes it. */
function documentedRecipe(): string {
  const blocks = [...readFileSync(DOCS, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!)
  const recipe = blocks.find((b) => b.includes('export function verifyTawasulWebhook'))
  assert.ok(recipe, 'docs/webhooks.md has the verification recipe')
  return recipe
}

/**
 * A receiver in its own Node process (plain JavaScript, no project code) that verifies each
 * request with the documented recipe against every secret it was given and records the verdicts.
 * Its clock can be shifted to follow the server's test clock.
 */
const RECEIVER = `
import { createServer } from 'node:http'
import { verifyTawasulWebhook } from './verify.mjs'

let secrets = []
let offsetMs = 0
const results = []
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const raw = Buffer.concat(chunks)
    if (req.url === '/_control') {
      ;({ secrets, offsetMs } = JSON.parse(raw.toString('utf8')))
      res.writeHead(200).end()
      return
    }
    if (req.url === '/_results') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results))
      return
    }
    const verdicts = secrets.map((s) => verifyTawasulWebhook(s, req.headers, raw, Date.now() + offsetMs))
    results.push({ headers: req.headers, raw: raw.toString('utf8'), verdicts })
    res.writeHead(verdicts.some(Boolean) ? 200 : 401).end()
  })
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
`

type Result = { headers: Record<string, string>; raw: string; verdicts: boolean[] }

async function startVerifier() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tawasul-verifier-'))
  writeFileSync(path.join(dir, 'verify.mjs'), documentedRecipe())
  writeFileSync(path.join(dir, 'receiver.mjs'), RECEIVER)
  const child: ChildProcess = spawn(process.execPath, [path.join(dir, 'receiver.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(JSON.parse(String(d)).port))
    child.once('exit', (code) => reject(new Error(`verifier exited with ${code}`)))
  })
  const base = `http://127.0.0.1:${port}`
  const results = async (): Promise<Result[]> => (await fetch(`${base}/_results`)).json() as Promise<Result[]>
  return {
    url: `${base}/hook`,
    configure: (secrets: string[], offsetMs = 0) =>
      fetch(`${base}/_control`, { method: 'POST', body: JSON.stringify({ secrets, offsetMs }) }),
    results,
    /** The verdicts for one delivery id, once it has arrived. */
    verdictsFor: (id: string) =>
      waitFor(async () => (await results()).find((r) => r.headers['tawasul-webhook-id'] === id), 8000, id),
    /** Sends a hand-made request; answers the verdicts. */
    post: async (headers: Record<string, string>, raw: string) => {
      await fetch(`${base}/hook`, { method: 'POST', headers, body: raw })
      return (await results()).at(-1)!.verdicts
    },
    stop: () => {
      child.kill()
    },
  }
}

describe('webhook signatures, verified in a separate receiver process with the documented recipe', () => {
  let server: TestServer
  let owner: TestClient
  let ws: number
  let verifier: Awaited<ReturnType<typeof startVerifier>>
  let hook: { id: number; secret: string }
  const api = (p: string) => `/api/v1/workspaces/${ws}/webhooks/${hook.id}${p}`
  const ping = async () => {
    const res = await owner.post(api('/test'))
    assert.equal(res.status, 202, res.text)
    return res.body.id as string
  }

  before(async () => {
    server = await startTestServer({ config: { webhooks: fastWebhooks() } })
    const o = await setupOwner(server)
    owner = o.client
    ws = o.workspaceId
    verifier = await startVerifier()
    hook = await registerWebhook(owner, ws, verifier.url, ['contact.updated'])
  })
  after(async () => {
    verifier.stop()
    await server.close()
  })

  test('real deliveries verify with the right secret only; tampering and stale timestamps fail', async () => {
    await verifier.configure([hook.secret, 'whsec_not-the-secret'])
    const contact = await buildContact(server, ws, { firstName: 'مريم', lastName: 'العتيبي' })
    await server.ctx.db.transaction((tx) =>
      emit(
        tx,
        ws,
        { kind: 'system', id: null },
        {
          type: 'contact.updated',
          payload: { contactId: contact.id, changes: ['الاسم'] },
        },
      ),
    )
    const got = await waitFor(
      async () =>
        (await verifier.results()).find((r) => r.headers['tawasul-webhook-event'] === 'contact.updated'),
      8000,
      'contact.updated',
    )
    assert.deepEqual(got.verdicts, [true, false])
    assert.equal(
      JSON.parse(got.raw).data.contact.displayName,
      'مريم العتيبي',
      'multi-byte body signed as bytes',
    )
    assert.match(got.headers['tawasul-webhook-signature']!, /^v1=[0-9a-f]{64}$/)
    assert.deepEqual((await verifier.verdictsFor(await ping())).verdicts, [true, false])

    const h = { ...got.headers }
    delete h['content-length']
    delete h.host
    delete h.connection
    assert.deepEqual(await verifier.post(h, got.raw.replace('مريم', 'مريـ')), [false, false], 'tampered body')
    assert.deepEqual(await verifier.post(h, got.raw), [true, false], 'a replay within 5 minutes verifies')
    const resign = (ts: number) => ({
      ...h,
      'tawasul-webhook-timestamp': String(ts),
      'tawasul-webhook-signature': `v1=${sign(hook.secret, ts, got.raw)}`,
    })
    const now = Math.floor(Date.now() / 1000)
    // Clear of the 300 s edge either way, so a slow machine cannot blur the verdicts.
    assert.deepEqual(await verifier.post(resign(now - 270), got.raw), [true, false])
    assert.deepEqual(await verifier.post(resign(now - 330), got.raw), [false, false], 'older than 5 minutes')
    assert.deepEqual(await verifier.post(resign(now + 330), got.raw), [false, false], 'from the future')
    const { 'tawasul-webhook-signature': _s, ...unsigned } = h
    assert.deepEqual(await verifier.post(unsigned, got.raw), [false, false], 'no signature')
    const v0 = { ...h, 'tawasul-webhook-signature': h['tawasul-webhook-signature']!.replace('v1=', 'v0=') }
    assert.deepEqual(await verifier.post(v0, got.raw), [false, false], 'unknown scheme')
  })

  test('rotation: both secrets sign during the overlap, only the new one after it', async () => {
    const s1 = hook.secret
    const rotated = await owner.post(api('/rotate-secret'), { overlapHours: 1 })
    assert.equal(rotated.status, 200, rotated.text)
    assert.equal(rotated.headers['cache-control'], 'no-store')
    const s2 = rotated.body.secret as string
    assert.notEqual(s2, s1)
    assert.equal(rotated.body.webhook.secretHint, `${s2.slice(0, 10)}…`)
    assert.ok(rotated.body.webhook.previousSecretExpiresAt)

    await verifier.configure([s1, s2])
    const during = await verifier.verdictsFor(await ping())
    assert.deepEqual(during.verdicts, [true, true])
    assert.equal(during.headers['tawasul-webhook-signature']!.split(',').length, 2)
    assert.ok(
      during.headers['tawasul-webhook-signature']!.startsWith(
        `v1=${sign(s2, Number(during.headers['tawasul-webhook-timestamp']), during.raw)},`,
      ),
      'new secret first',
    )

    const hour = 61 * 60_000
    server.clock.advance(hour)
    await verifier.configure([s1, s2], hour)
    const afterOverlap = await verifier.verdictsFor(await ping())
    assert.deepEqual(afterOverlap.verdicts, [false, true])
    assert.equal(afterOverlap.headers['tawasul-webhook-signature']!.split(',').length, 1)
    assert.equal(
      (await owner.get(`/api/v1/workspaces/${ws}/webhooks/${hook.id}`)).body.previousSecretExpiresAt,
      null,
    )

    // overlapHours 0 (a leaked secret): the old one stops at once.
    const s3 = (await owner.post(api('/rotate-secret'), { overlapHours: 0 })).body.secret as string
    await verifier.configure([s2, s3], hour)
    assert.deepEqual((await verifier.verdictsFor(await ping())).verdicts, [false, true])
    for (const s of [s1, s2, s3]) assert.equal(server.logs().includes(s), false, 'no secret in the logs')
  })
})
