import { createHmac, randomBytes } from 'node:crypto'
import { type Delivery, deliver, json, SimClock, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * Twilio Programmable Messaging as published (https://www.twilio.com/docs/messaging/api/message-resource):
 * HTTP basic auth (AccountSid:AuthToken), form-encoded Messages.json, Twilio error bodies
 * {code, message, more_info, status}, inbound webhooks and status callbacks signed with
 * X-Twilio-Signature, media behind basic auth, and WhatsApp's 24-hour rule reported the way
 * Twilio does it: the API accepts the message, then the status callback says failed with 63016.
 */
export type TwilioSent = {
  sid: string
  accountSid: string
  params: Record<string, string>
  mediaUrls: string[]
  status: string
  errorCode?: number | undefined
}
export type TwilioStatusSent = {
  sid: string
  status: string
  errorCode?: number | undefined
  delivery: Delivery
}
export type TwilioInbound = {
  from: string
  to: string
  body?: string
  whatsapp?: boolean
  profileName?: string
  media?: { contentType: string; data: Buffer }[]
  location?: { latitude: number; longitude: number; label?: string; address?: string }
  buttonPayload?: string
  messageSid?: string
}

const E164 = /^\+[1-9]\d{6,14}$/
const sid = (p: string) => `${p}${randomBytes(16).toString('hex')}`
const DAY = 24 * 3600_000

function sign(authToken: string, url: string, params: Record<string, string>) {
  let data = url
  for (const k of Object.keys(params).sort()) data += k + params[k]
  return createHmac('sha1', authToken).update(data).digest('base64')
}

const error = (status: number, code: number, message: string): SimReply =>
  json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status })

export async function startTwilioSimulator(
  opts: { port?: number; host?: string; now?: () => number; autoStatus?: boolean } = {},
) {
  const accounts = new Map<string, string>()
  const account = {
    sid: `AC${'0'.repeat(24)}${randomBytes(4).toString('hex')}`,
    authToken: randomBytes(16).toString('hex'),
  }
  accounts.set(account.sid, account.authToken)
  const clock = new SimClock()
  // The provider's clock: the test's clock when given, plus whatever the test moves it by.
  const now = opts.now ? () => opts.now!() + clock.offsetMs : clock.now
  const received: TwilioSent[] = []
  const statuses: TwilioStatusSent[] = []
  const optedOut = new Set<string>()
  const lastInbound = new Map<string, number>()
  const media = new Map<string, { contentType: string; data: Buffer; accountSid: string }>()
  const callbacks = new Map<string, { url: string; accountSid: string; from: string; to: string }>()
  const pending: Promise<unknown>[] = []
  let failNext: SimReply | undefined
  let base = ''

  function authorized(req: SimRequest, accountSid: string): boolean {
    const h = String(req.headers.authorization ?? '')
    if (!h.startsWith('Basic ')) return false
    const [user, pass] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':')
    return user === accountSid && accounts.get(accountSid) === pass
  }

  async function postStatus(
    messageSid: string,
    status: string,
    errorCode?: number,
  ): Promise<TwilioStatusSent> {
    const cb = callbacks.get(messageSid)
    if (!cb) throw new Error(`no StatusCallback for ${messageSid}`)
    const params: Record<string, string> = {
      AccountSid: cb.accountSid,
      ApiVersion: '2010-04-01',
      From: cb.from,
      To: cb.to,
      MessageSid: messageSid,
      SmsSid: messageSid,
      MessageStatus: status,
      SmsStatus: status,
      ...(errorCode ? { ErrorCode: String(errorCode) } : {}),
    }
    const delivery = await deliver(cb.url, new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': sign(accounts.get(cb.accountSid)!, cb.url, params),
    })
    const s = { sid: messageSid, status, errorCode, delivery }
    statuses.push(s)
    return s
  }

  function createMessage(req: SimRequest, accountSid: string): SimReply {
    if (failNext) {
      const r = failNext
      failNext = undefined
      return r
    }
    const form = new URLSearchParams(req.raw.toString('utf8'))
    const params = Object.fromEntries(form)
    const mediaUrls = form.getAll('MediaUrl')
    const to = params.To ?? ''
    const from = params.From ?? ''
    if (!to) return error(400, 21604, "A 'To' phone number is required.")
    if (!from && !params.MessagingServiceSid) return error(400, 21603, "A 'From' phone number is required.")
    const whatsapp = to.startsWith('whatsapp:')
    if (whatsapp !== from.startsWith('whatsapp:'))
      return error(400, 21910, 'Invalid From and To pair. From and To should be of the same channel')
    const number = whatsapp ? to.slice(9) : to
    if (!E164.test(number)) return error(400, 21211, `The 'To' number ${to} is not a valid phone number.`)
    if (!params.Body && mediaUrls.length === 0 && !params.ContentSid)
      return error(400, 21602, 'Message body is required.')
    if ((params.Body ?? '').length > 1600)
      return error(400, 21617, 'The concatenated message body exceeds the 1600 character limit.')
    if (mediaUrls.length > 10) return error(400, 21623, 'Too many media URLs (at most 10).')
    if (params.ContentSid && !/^HX[0-9a-f]{32}$/i.test(params.ContentSid))
      return error(400, 21655, 'The ContentSid is Invalid.')
    if (params.ContentVariables) {
      try {
        const v = JSON.parse(params.ContentVariables) as unknown
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object')
      } catch {
        return error(400, 21656, 'The ContentVariables Parameter is invalid.')
      }
    }
    if (optedOut.has(number)) return error(400, 21610, 'Attempt to send to unsubscribed recipient')
    const messageSid = sid('SM')
    // WhatsApp free-form outside the customer service window: accepted, then failed with 63016.
    const last = lastInbound.get(number)
    const outside = whatsapp && !params.ContentSid && (last === undefined || now() - last > DAY)
    const sent: TwilioSent = {
      sid: messageSid,
      accountSid,
      params,
      mediaUrls,
      status: 'queued',
      errorCode: outside ? 63016 : undefined,
    }
    received.push(sent)
    if (params.StatusCallback) {
      callbacks.set(messageSid, { url: params.StatusCallback, accountSid, from, to })
      if (opts.autoStatus !== false) {
        const run = (async () => {
          await new Promise((r) => setTimeout(r, 20))
          if (outside) {
            await postStatus(messageSid, 'failed', 63016)
          } else {
            await postStatus(messageSid, 'sent')
            await postStatus(messageSid, 'delivered')
          }
        })().catch(() => {})
        pending.push(run)
      }
    }
    const date = new Date(now()).toUTCString().replace('GMT', '+0000')
    return json(201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: params.Body ?? '',
      date_created: date,
      date_sent: null,
      date_updated: date,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: params.MessagingServiceSid ?? null,
      num_media: String(mediaUrls.length),
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: messageSid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}.json`,
    })
  }

  const http = await startHttp(opts, (req) => {
    const path = req.url.pathname
    const acct = /^\/2010-04-01\/Accounts\/(AC[0-9a-fA-F]{32})(\.json|\/.*)?$/.exec(path)
    if (!acct) return error(404, 20404, 'The requested resource was not found')
    const accountSid = acct[1]!
    if (!authorized(req, accountSid)) return error(401, 20003, 'Authenticate')
    const rest = acct[2] ?? ''
    if (req.method === 'GET' && rest === '.json') {
      return json(200, {
        sid: accountSid,
        friendly_name: 'Simulated account',
        status: 'active',
        type: 'Full',
        owner_account_sid: accountSid,
      })
    }
    if (req.method === 'POST' && rest === '/Messages.json') return createMessage(req, accountSid)
    const m = /^\/Messages\/(MM[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})$/.exec(rest)
    if (req.method === 'GET' && m) {
      const file = media.get(m[2]!)
      if (!file || file.accountSid !== accountSid)
        return error(404, 20404, 'The requested resource was not found')
      return { status: 200, body: file.data, contentType: file.contentType }
    }
    return error(404, 20404, 'The requested resource was not found')
  })
  base = http.url

  /** Posts an inbound message the way Twilio does (form params, signed over the webhook URL). */
  async function sendInbound(webhookUrl: string, m: TwilioInbound, authAs = account) {
    const messageSid = m.messageSid ?? sid(m.media?.length ? 'MM' : 'SM')
    const wa = (n: string) => (m.whatsapp ? `whatsapp:${n}` : n)
    const params: Record<string, string> = {
      ToCountry: 'US',
      ToState: 'CA',
      SmsMessageSid: messageSid,
      NumMedia: String(m.media?.length ?? 0),
      ToCity: '',
      FromZip: '',
      SmsSid: messageSid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: m.body ?? '',
      FromCountry: '',
      To: wa(m.to),
      ToZip: '',
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: authAs.sid,
      From: wa(m.from),
      ApiVersion: '2010-04-01',
    }
    if (m.whatsapp) {
      params.ProfileName = m.profileName ?? ''
      params.WaId = m.from.replace(/^\+/, '')
      params.MessageType = m.media?.length
        ? 'image'
        : m.location
          ? 'location'
          : m.buttonPayload
            ? 'button'
            : 'text'
      lastInbound.set(m.from, now())
    }
    for (const [i, f] of (m.media ?? []).entries()) {
      const mediaSid = sid('ME')
      media.set(mediaSid, { ...f, accountSid: authAs.sid })
      params[`MediaContentType${i}`] = f.contentType
      params[`MediaUrl${i}`] =
        `${base}/2010-04-01/Accounts/${authAs.sid}/Messages/${messageSid}/Media/${mediaSid}`
    }
    if (m.location) {
      params.Latitude = String(m.location.latitude)
      params.Longitude = String(m.location.longitude)
      if (m.location.label) params.Label = m.location.label
      if (m.location.address) params.Address = m.location.address
    }
    if (m.buttonPayload) {
      params.ButtonPayload = m.buttonPayload
      params.ButtonText = m.body ?? ''
    }
    optedOut.delete(m.from)
    if (/^\s*(STOP|STOPALL|UNSUBSCRIBE|CANCEL|END|QUIT)\s*$/i.test(m.body ?? '')) optedOut.add(m.from)
    const delivery = await deliver(webhookUrl, new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': sign(authAs.authToken, webhookUrl, params),
    })
    return { messageSid, params, delivery }
  }

  const handle: SimulatorHandle & {
    account: typeof account
    clock: SimClock
    received: TwilioSent[]
    statuses: TwilioStatusSent[]
    sendInbound: typeof sendInbound
    sendStatus: (messageSid: string, status: string, errorCode?: number) => Promise<TwilioStatusSent>
    optOut: (number: string) => void
    failNext: (status: number, code: number, message: string) => void
    settled: () => Promise<void>
    signature: typeof sign
  } = {
    provider: 'twilio',
    url: http.url,
    details: { accountSid: account.sid, authToken: account.authToken },
    account,
    clock,
    received,
    statuses,
    sendInbound,
    sendStatus: postStatus,
    optOut: (n) => optedOut.add(n),
    failNext: (status, code, message) => {
      failNext = error(status, code, message)
    },
    /** Waits for the automatic status callbacks already started. */
    settled: async () => {
      await Promise.all(pending)
    },
    signature: sign,
    close: http.close,
  }
  return handle
}

export type TwilioSimulator = Awaited<ReturnType<typeof startTwilioSimulator>>
