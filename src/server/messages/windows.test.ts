import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decideSend, policyFor, type SendIntent, windowState } from './windows'

const H = 3600_000
const now = new Date('2026-11-21T12:00:00Z')
const ago = (h: number) => new Date(now.getTime() - h * H)
const id = (hoursAgo: number | null, outbound = 0) => ({
  lastIncomingAt: hoursAgo === null ? null : ago(hoursAgo),
  outboundSinceIncoming: outbound,
})
const human = { sender: 'human' as const, isTemplate: false }
const bot = { sender: 'automation' as const, isTemplate: false }
const decide = (type: string, identity: ReturnType<typeof id>, intent: SendIntent = human) =>
  decideSend(type, policyFor(type), identity, now, intent)

describe('WhatsApp (rule 15)', () => {
  test('free-form within 24 h of the last incoming message, then templates only', () => {
    assert.deepEqual(decide('whatsapp_cloud', id(23)), { allowed: true, send: { mode: 'free' } })
    const closed = decide('whatsapp_cloud', id(30))
    assert.equal(closed.allowed, false)
    assert.equal(
      (closed as { reason: string }).reason,
      'WhatsApp 24-hour window closed 6 h ago: send an approved template.',
    )
    assert.deepEqual(decide('whatsapp_cloud', id(30), { ...human, isTemplate: true }), {
      allowed: true,
      send: { mode: 'template' },
    })
    assert.match(
      (decide('whatsapp_cloud', id(null)) as { reason: string }).reason,
      /only approved templates until the contact writes/,
    )
  })
  test('the window closes exactly 24 h after the contact wrote', () => {
    const s = windowState(policyFor('whatsapp_cloud'), id(1), now)
    assert.deepEqual(s, { status: 'open', closesAt: new Date(ago(1).getTime() + 24 * H) })
  })
})

describe('Messenger and Instagram (rules 16–17)', () => {
  test('Messenger: 24 h free; to 7 days only a person (HUMAN_AGENT); then message tags', () => {
    assert.deepEqual(decide('messenger', id(2)), { allowed: true, send: { mode: 'free' } })
    assert.deepEqual(decide('messenger', id(48)), { allowed: true, send: { mode: 'human_agent' } })
    const auto = decide('messenger', id(48), bot)
    assert.equal(auto.allowed, false)
    assert.match(
      (auto as { reason: string }).reason,
      /only a person can reply \(HUMAN_AGENT tag\), or send a tagged message/,
    )
    const late = decide('messenger', id(8 * 24))
    assert.equal(late.allowed, false)
    assert.match(
      (late as { reason: string }).reason,
      /Messenger 7-day window closed 24 h ago: send a tagged message \(CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE\)/,
    )
    assert.deepEqual(
      decide('messenger', id(8 * 24), { ...human, messageTag: 'POST_PURCHASE_UPDATE' } as never),
      {
        allowed: true,
        send: { mode: 'message_tag', tag: 'POST_PURCHASE_UPDATE' },
      },
    )
  })
  test('Instagram: after 7 days nothing can be sent until the contact writes', () => {
    assert.deepEqual(decide('instagram', id(100)), { allowed: true, send: { mode: 'human_agent' } })
    const r = decide('instagram', id(200))
    assert.equal(r.allowed, false)
    assert.match(
      (r as { reason: string }).reason,
      /Instagram window closed .* nothing can be sent until the contact writes again/,
    )
    assert.equal(
      decide('instagram', id(1), { ...human, messageTag: 'ACCOUNT_UPDATE' } as never).allowed,
      false,
    )
  })
})

describe('Viber, WeChat and windowless channels (rules 18–21)', () => {
  test('Viber: outside 24 h messages go out as chatbot-initiated', () => {
    assert.deepEqual(decide('viber', id(30)), { allowed: true, send: { mode: 'chatbot_initiated' } })
  })
  test('WeChat: 48 h and at most 20 messages; the contact replying resets both', () => {
    assert.equal(decide('wechat', id(47, 19)).allowed, true)
    const spent = decide('wechat', id(1, 20))
    assert.equal(spent.allowed, false)
    assert.match((spent as { reason: string }).reason, /at most 20 messages until the contact replies/)
    assert.equal(decide('wechat', id(49, 0)).allowed, false)
    assert.deepEqual(windowState(policyFor('wechat'), id(1, 5), now), {
      status: 'open',
      closesAt: new Date(ago(1).getTime() + 48 * H),
      remainingOutbound: 15,
    })
  })
  test('Telegram, LINE, web chat, SMS and email have no window (rule 20)', () => {
    for (const t of ['telegram', 'line', 'webchat', 'twilio_sms', 'email']) {
      assert.deepEqual(decide(t, id(null)), { allowed: true, send: { mode: 'free' } }, t)
    }
  })
  test('custom channels: none by default, or a configured window (rule 21)', () => {
    assert.deepEqual(policyFor('custom'), { kind: 'none' })
    const p = policyFor('custom', { windowHours: 12 })
    assert.equal(decideSend('custom', p, id(13), now, human).allowed, false)
    assert.equal(decideSend('custom', p, id(11), now, human).allowed, true)
  })
})
