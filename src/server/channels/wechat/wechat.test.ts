import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startWechatSimulator, type WechatSimulator } from '../../../simulators/wechat/wechat.simulator'
import { decryptSecret } from '../../auth/crypto'
import { storeFile } from '../../files/files.service'
import {
  type ConnectedChannel,
  channelMessages,
  connectChannel,
  sendMessage,
  startListeningServer,
  waitForMessage,
} from '../../test/channels'
import { waitFor } from '../../test/custom-channel'
import { setupOwner } from '../../test/factories'
import type { TestServer } from '../../test/harness'
import { wechatSignature } from './crypto'
import vector from './fixtures/signature-vector.json'
import { parseWechatXml } from './xml'

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')
const HOUR = 3600_000
const TOKEN = 'tawasulToken1'
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'

let server: TestServer
let owner: Awaited<ReturnType<typeof setupOwner>>
let sim: WechatSimulator
let wx: ConnectedChannel

const sha1 = (...p: string[]) => createHash('sha1').update(p.sort().join('')).digest('hex')
async function postXml(url: string, xml: string, query: Record<string, string>) {
  const res = await fetch(`${url}?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: xml,
  })
  return { status: res.status, body: await res.text() }
}
const signed = (token = TOKEN, timestamp = '1700000000', nonce = '42') => ({
  timestamp,
  nonce,
  signature: sha1(token, timestamp, nonce),
})
const stored = async (channelId: number, id: string) =>
  (await channelMessages(server, channelId)).find((m) => m.provider_message_id === id)

before(async () => {
  server = await startListeningServer()
  owner = await setupOwner(server)
  sim = await startWechatSimulator({ now: () => server.clock.now().getTime() })
  wx = await connectChannel(owner.client, owner.workspaceId, {
    type: 'wechat',
    config: { appId: sim.app.appId, apiBaseUrl: sim.url },
    secrets: { appSecret: sim.app.appSecret, token: TOKEN },
  })
  sim.configureServer({ url: wx.webhookUrl, token: TOKEN })
})
after(async () => {
  await server.close()
  await sim.close()
})

describe('signature and server verification', () => {
  test('the signature vector computed outside our code', () => {
    assert.equal(wechatSignature(vector.token, vector.timestamp, vector.nonce), vector.signature)
  })

  test("the console's GET check is answered with echostr; a wrong signature is 401", async () => {
    assert.deepEqual(await sim.verifyServer(), { ok: true, status: 200 })
    const q = new URLSearchParams({ ...signed('wrongToken'), echostr: '123' })
    assert.equal((await fetch(`${wx.webhookUrl}?${q}`)).status, 401)
  })

  test('POST …/setup fetches an access_token (the credential check) and keeps the channel active', async () => {
    const res = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/channels/${wx.id}/setup`)
    assert.equal(res.status, 202)
    await waitFor(async () => sim.tokenRequests() === 1)
    const c = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/channels/${wx.id}`)
    assert.equal(c.body.status, 'active')
    const wrong = await connectChannel(owner.client, owner.workspaceId, {
      type: 'wechat',
      config: { appId: sim.app.appId, apiBaseUrl: sim.url },
      secrets: { appSecret: 'f'.repeat(32), token: TOKEN },
    })
    await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/channels/${wrong.id}/setup`)
    const row = await waitFor(async () => {
      const r = await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/channels/${wrong.id}`)
      return r.body.status === 'error' ? r.body : undefined
    })
    assert.match(row.lastError, /AppSecret/)
  })
})

describe('inbound XML', () => {
  test('the published text, image and location examples are stored and answered "success"', async () => {
    for (const name of ['text.xml', 'image.xml', 'location.xml']) {
      const res = await postXml(wx.webhookUrl, fixture(name), signed())
      assert.deepEqual(res, { status: 200, body: 'success' }, name)
    }
    assert.equal((await stored(wx.id, '1234567890123456'))?.text, 'this is a test')
    const image = (await stored(wx.id, '1234567890123457'))!
    assert.deepEqual([image.type, image.content.media.providerMediaId], ['image', 'media_id'])
    const loc = (await stored(wx.id, '1234567890123458'))!
    assert.deepEqual(
      [loc.content.location.latitude, loc.content.location.longitude, loc.text],
      [23.134521, 113.358803, '位置信息'],
    )
  })

  test("WeChat's retry of the same MsgId is stored once; the subscribe event stores nothing", async () => {
    const before = (await channelMessages(server, wx.id)).length
    assert.equal((await postXml(wx.webhookUrl, fixture('text.xml'), signed())).status, 200)
    assert.equal((await postXml(wx.webhookUrl, fixture('subscribe.xml'), signed())).body, 'success')
    assert.equal((await channelMessages(server, wx.id)).length, before)
  })

  test('wrong or missing signatures are 401, malformed XML is 400, and nothing is stored', async () => {
    const before = (await channelMessages(server, wx.id)).length
    const xml = fixture('text.xml').replace('1234567890123456', '999')
    assert.equal((await postXml(wx.webhookUrl, xml, signed('wrongToken'))).status, 401)
    assert.equal((await postXml(wx.webhookUrl, xml, {})).status, 401)
    assert.equal((await postXml(wx.webhookUrl, '<xml><MsgType>text</MsgType>', signed())).status, 400)
    assert.equal(
      (await postXml(wx.webhookUrl, '<xml><MsgType><![CDATA[text]]></MsgType></xml>', signed())).status,
      400,
    )
    assert.equal(
      (
        await postXml(
          wx.webhookUrl,
          '<!DOCTYPE x [<!ENTITY a "b">]><xml><MsgType>text</MsgType></xml>',
          signed(),
        )
      ).status,
      400,
    )
    assert.equal((await channelMessages(server, wx.id)).length, before)
  })

  test('simulated image and voice are downloaded with media/get; link and menu replies are parsed', async () => {
    const openid = sim.addFollower()
    const jpeg = Buffer.from('wechat-jpeg-bytes')
    const img = await sim.sendImage(openid, jpeg)
    const voice = await sim.sendVoice(openid, Buffer.from('#!AMR voice'))
    const link = await sim.sendLink(openid, 'Tawasul', 'https://example.com/t')
    const menu = await sim.sendText(openid, 'Yes, please', { bizmsgmenuid: 'yes' })
    for (const d of [img, voice, link, menu]) assert.equal(d.delivery.body, 'success')
    const image = (await stored(wx.id, img.msgId))!
    const done = await waitForMessage(server, image.id, (m) => Boolean(m.content.media?.fileId), 'media/get')
    const f = await server.ctx.database.query<{ storage_key: string }>(
      'SELECT storage_key FROM files WHERE id = $1',
      [done.content.media.fileId],
    )
    assert.deepEqual(await server.ctx.storage.read(f.rows[0]!.storage_key), jpeg)
    assert.equal((await stored(wx.id, voice.msgId))!.type, 'audio')
    assert.deepEqual((await stored(wx.id, link.msgId))!.content.link.url, 'https://example.com/t')
    assert.deepEqual((await stored(wx.id, menu.msgId))!.content.interactive, {
      kind: 'button_reply',
      id: 'yes',
      title: 'Yes, please',
    })
  })

  test('safe mode (AES): messages are decrypted with the EncodingAESKey after checking msg_signature', async () => {
    const safe = await connectChannel(owner.client, owner.workspaceId, {
      type: 'wechat',
      config: { appId: sim.app.appId, apiBaseUrl: sim.url },
      secrets: { appSecret: sim.app.appSecret, token: TOKEN, encodingAESKey: AES_KEY },
    })
    sim.configureServer({ url: safe.webhookUrl, token: TOKEN, aesKey: AES_KEY, mode: 'safe' })
    try {
      const openid = sim.addFollower()
      const { msgId, delivery } = await sim.sendText(openid, 'مرحبا من الوضع الآمن')
      assert.equal(delivery.body, 'success')
      assert.equal((await stored(safe.id, msgId))?.text, 'مرحبا من الوضع الآمن')
      // The same encrypted body with a forged msg_signature is refused.
      const last = sim.deliveries.at(-1)!
      assert.ok(!last.xml.includes('Encrypt'))
      const encrypted = `<xml><ToUserName><![CDATA[x]]></ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>`
      const q = { ...signed(), encrypt_type: 'aes', msg_signature: 'f'.repeat(40) }
      assert.equal((await postXml(safe.webhookUrl, encrypted, q)).status, 401)
      // Without the key configured, an encrypted message is a clear 400.
      const sq = signed()
      const enc = parseWechatXml(encrypted).Encrypt!
      const r = await postXml(wx.webhookUrl, encrypted, {
        ...sq,
        encrypt_type: 'aes',
        msg_signature: sha1(TOKEN, sq.timestamp, sq.nonce, enc),
      })
      assert.equal(r.status, 400)
    } finally {
      sim.configureServer({ url: wx.webhookUrl, token: TOKEN })
    }
  })
})

describe('outbound through the customer-service API', () => {
  let openid: string
  let contactId: number
  const last = () => sim.received.at(-1)!
  before(async () => {
    openid = sim.addFollower()
    const { msgId } = await sim.sendText(openid, '你好')
    contactId = (await stored(wx.id, msgId))!.contact_id
  })

  test('text and menu messages; the access_token is fetched once, kept encrypted, and reused', async () => {
    const tokensBefore = sim.tokenRequests()
    const r1 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: '您好，有什么可以帮您？',
    })
    await waitForMessage(server, r1.body.id, (m) => m.status === 'sent')
    assert.deepEqual(last().body, {
      touser: openid,
      msgtype: 'text',
      text: { content: '您好，有什么可以帮您？' },
    })
    const r2 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'interactive',
      interactive: {
        kind: 'buttons',
        body: 'Satisfied?',
        buttons: [
          { id: 'y', title: 'Yes' },
          { id: 'n', title: 'No' },
        ],
      },
    })
    await waitForMessage(server, r2.body.id, (m) => m.status === 'sent')
    assert.deepEqual(last().body.msgmenu, {
      head_content: 'Satisfied?',
      list: [
        { id: 'y', content: 'Yes' },
        { id: 'n', content: 'No' },
      ],
      tail_content: '',
    })
    assert.equal(sim.tokenRequests(), tokensBefore, 'the token fetched at setup is reused')
    const state = await server.ctx.database.query<{ value: string }>(
      "SELECT value FROM channel_state WHERE channel_id = $1 AND key = 'access_token'",
      [wx.id],
    )
    assert.equal(state.rows.length, 1)
    const current = sim.currentToken()!
    assert.ok(!state.rows[0]!.value.includes(current), 'not stored in the clear')
    assert.equal(decryptSecret(server.ctx.config.secret, state.rows[0]!.value), current)
  })

  test('images are fetched, uploaded with media/upload (multipart) and sent by media_id', async () => {
    const data = Buffer.from('\x89PNG tawasul image', 'latin1')
    const file = await storeFile(
      server.ctx,
      owner.workspaceId,
      { fileName: 'chart.png', mimeType: 'image/png', data },
      null,
    )
    const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'image',
      fileId: file.id,
    })
    const m = await waitForMessage(server, r.body.id, (x) => x.status !== 'pending')
    assert.equal(m.status, 'sent', JSON.stringify(m.error))
    assert.equal(last().msgtype, 'image')
    assert.ok((last().body.image as { media_id: string }).media_id)
  })

  test('an expired token (42001) is refreshed and the send retried once; tokens are refreshed before expiry', async () => {
    const before = sim.tokenRequests()
    sim.expireToken()
    const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'after expiry',
    })
    assert.equal((await waitForMessage(server, r.body.id, (m) => m.status !== 'pending')).status, 'sent')
    assert.equal(sim.tokenRequests(), before + 1)
    // 6,901 s later our cached token is due for refresh although WeChat would still take it.
    await sim.sendText(openid, 'still here')
    server.clock.advance(6901_000)
    try {
      await sim.sendText(openid, 'much later')
      const r2 = await sendMessage(owner.client, owner.workspaceId, contactId, {
        type: 'text',
        text: 'fresh token',
      })
      assert.equal((await waitForMessage(server, r2.body.id, (m) => m.status !== 'pending')).status, 'sent')
      assert.equal(sim.tokenRequests(), before + 2)
    } finally {
      server.clock.advance(-6901_000)
    }
  })

  test('-1 (system busy) is retried; 45015 and 45047 fail the message with the reason', async () => {
    sim.failNext(-1, 'system error')
    const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'busy then ok',
    })
    assert.equal((await waitForMessage(server, r.body.id, (m) => m.status !== 'pending')).status, 'sent')
    sim.failNext(45047, 'out of response count limit')
    const r2 = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'too many',
    })
    const f2 = await waitForMessage(server, r2.body.id, (m) => m.status === 'failed')
    assert.equal(f2.error.code, '45047')
    assert.match(f2.error.title, /at most 20 messages/)
    // WeChat's clock says 49 hours have passed while ours does not: WeChat refuses with 45015.
    await sim.sendText(openid, 'hello again')
    sim.clock.advance(49 * HOUR)
    try {
      const r3 = await sendMessage(owner.client, owner.workspaceId, contactId, { type: 'text', text: 'late' })
      const f3 = await waitForMessage(server, r3.body.id, (m) => m.status === 'failed')
      assert.equal(f3.error.code, '45015')
      assert.match(f3.error.title, /48 hours/)
    } finally {
      sim.clock.advance(-49 * HOUR)
    }
  })
})

describe('window: 48 hours and 20 messages, reset by a reply (rule 19)', () => {
  test('the 21st message is refused until the contact replies; after 48 h nothing can be sent', async () => {
    const openid = sim.addFollower()
    const { msgId } = await sim.sendText(openid, 'start')
    const contactId = (await stored(wx.id, msgId))!.contact_id
    const ids: number[] = []
    for (let i = 1; i <= 20; i++) {
      const r = await sendMessage(owner.client, owner.workspaceId, contactId, {
        type: 'text',
        text: `message ${i}`,
      })
      assert.equal(r.status, 201, `message ${i}`)
      ids.push(r.body.id)
    }
    const refused = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'message 21',
    })
    assert.equal(refused.status, 422)
    assert.equal(refused.body.error.code, 'window_closed')
    assert.match(refused.body.error.message, /at most 20 messages/)
    for (const id of ids)
      assert.equal((await waitForMessage(server, id, (m) => m.status !== 'pending')).status, 'sent')
    assert.equal(sim.received.filter((r) => r.touser === openid).length, 20)

    await sim.sendText(openid, 'one more question')
    const again = await sendMessage(owner.client, owner.workspaceId, contactId, {
      type: 'text',
      text: 'answer',
    })
    assert.equal(again.status, 201, 'a reply resets the counter')

    server.clock.advance(49 * HOUR)
    try {
      const late = await sendMessage(owner.client, owner.workspaceId, contactId, {
        type: 'text',
        text: 'two days later',
      })
      assert.equal(late.status, 422)
      assert.equal(late.body.error.code, 'window_closed')
    } finally {
      server.clock.advance(-49 * HOUR)
    }
  })
})
