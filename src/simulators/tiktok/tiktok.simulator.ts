import { randomBytes } from 'node:crypto'
import { json, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * TikTok's Events API 2.0, as published: POST /open_api/v1.3/event/track/ with the
 * Access-Token header and {event_source, event_source_id, data: [{event, event_time, event_id,
 * user, properties}]}. The API answers HTTP 200 with {code, message, request_id, data}: code 0
 * is success; 40105 a bad token; 40002 invalid parameters. Events are deduplicated on event_id.
 */
export const TIKTOK_EVENT_NAMES = new Set([
  'CompletePayment',
  'PlaceAnOrder',
  'SubmitForm',
  'Contact',
  'CompleteRegistration',
  'Subscribe',
  'InitiateCheckout',
  'AddToCart',
  'AddPaymentInfo',
  'ViewContent',
  'Lead',
  'Search',
  'Download',
  'ClickButton',
  'AddToWishlist',
])

type TtEvent = {
  event?: string
  event_time?: number
  event_id?: string
  user?: Record<string, unknown>
  properties?: Record<string, unknown>
}

export async function startTiktokSimulator(
  opts: { port?: number; host?: string; accessToken?: string; pixelCode?: string; now?: () => number } = {},
) {
  const accessToken = opts.accessToken ?? randomBytes(20).toString('hex')
  const pixelCode = opts.pixelCode ?? `C${randomBytes(9).toString('hex').toUpperCase()}`
  const now = () => Math.floor((opts.now ?? Date.now)() / 1000)
  const events = new Map<string, TtEvent>()
  const requests: { status: number; body: unknown; code: number }[] = []
  const answer = (code: number, message: string): SimReply =>
    json(200, { code, message, request_id: `${Date.now()}${randomBytes(8).toString('hex')}`, data: {} })

  function handle(req: SimRequest): SimReply {
    if (req.method !== 'POST' || req.url.pathname !== '/open_api/v1.3/event/track/')
      return json(404, { code: 40400, message: 'Not found' })
    if (req.headers['access-token'] !== accessToken)
      return answer(40105, 'Access token is incorrect or has been revoked.')
    let body: { event_source?: string; event_source_id?: string; data?: TtEvent[] }
    try {
      body = JSON.parse(req.raw.toString('utf8'))
    } catch {
      return answer(40002, 'Invalid JSON.')
    }
    if (!['web', 'app', 'offline', 'crm'].includes(String(body.event_source)))
      return answer(40002, 'event_source: Field must be one of web, app, offline, crm.')
    if (body.event_source_id !== pixelCode)
      return answer(40002, `event_source_id: Invalid event source id ${body.event_source_id ?? ''}.`)
    if (!Array.isArray(body.data) || body.data.length === 0 || body.data.length > 1000)
      return answer(40002, 'data: Length must be between 1 and 1000.')
    for (const [i, e] of body.data.entries()) {
      if (!e.event || !TIKTOK_EVENT_NAMES.has(e.event))
        return answer(40002, `data[${i}].event: Invalid event name ${e.event ?? ''}.`)
      if (typeof e.event_time !== 'number' || e.event_time > now() + 60 || e.event_time < now() - 7 * 86400)
        return answer(40002, `data[${i}].event_time: Must be within the last 7 days.`)
      if (!e.user || Object.keys(e.user).length === 0)
        return answer(40002, `data[${i}].user: At least one user identifier is required.`)
    }
    for (const e of body.data) events.set(e.event_id ?? randomBytes(8).toString('hex'), e)
    return answer(0, 'OK')
  }

  const server = await startHttp(opts, (req) => {
    const reply = handle(req)
    let body: unknown
    try {
      body = JSON.parse(req.raw.toString('utf8'))
    } catch {}
    requests.push({ status: reply.status, body, code: JSON.parse(String(reply.body)).code as number })
    return reply
  })
  return {
    provider: 'tiktok',
    url: server.url,
    accessToken,
    pixelCode,
    events,
    requests,
    details: { accessToken, pixelCode, apiBaseUrl: server.url },
    close: server.close,
  } satisfies SimulatorHandle & Record<string, unknown>
}

export type TiktokSimulator = Awaited<ReturnType<typeof startTiktokSimulator>>
