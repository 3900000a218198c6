import { randomBytes } from 'node:crypto'
import { json, paramsOf, type SimReply, type SimRequest, startHttp } from '../http'
import type { SimulatorHandle } from '../simulator'

/**
 * Meta's Conversions API for business messaging, as published: POST /{version}/{dataset_id}/events
 * with an access token (query or body) and {data: [events]}; events with action_source
 * "business_messaging" need messaging_channel (whatsapp, messenger, instagram) and the channel's
 * user_data (WhatsApp: whatsapp_business_account_id and ctwa_clid; Messenger: page_id and
 * page_scoped_user_id), a messaging event name, and an event_time within the last 7 days.
 * Success {events_received, messages, fbtrace_id}; errors are Graph error objects (190 for a bad
 * token, 100 for invalid parameters with the documented subcodes). Events are deduplicated on
 * (event_name, event_id) as Meta does.
 */
export const MESSAGING_EVENT_NAMES = new Set([
  'Purchase',
  'LeadSubmitted',
  'InitiateCheckout',
  'AddToCart',
  'ViewContent',
  'OrderCreated',
  'OrderShipped',
  'OrderDelivered',
  'OrderCanceled',
  'OrderReturned',
  'CartAbandoned',
  'QualifiedLead',
  'RatingProvided',
  'ReviewProvided',
])

type CapiEvent = {
  event_name?: string
  event_time?: number
  event_id?: string
  action_source?: string
  messaging_channel?: string
  user_data?: Record<string, unknown>
  custom_data?: Record<string, unknown>
}

const trace = () => randomBytes(9).toString('base64url')
const graphError = (message: string, code: number, subcode?: number, type = 'OAuthException'): SimReply =>
  json(400, {
    error: { message, type, code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: trace() },
  })

export async function startMetaCapiSimulator(
  opts: { port?: number; host?: string; accessToken?: string; datasetId?: string; now?: () => number } = {},
) {
  const accessToken = opts.accessToken ?? `EAAG${randomBytes(30).toString('base64url')}`
  const datasetId = opts.datasetId ?? String(1_000_000_000_000 + Math.floor(Math.random() * 1e9))
  const now = () => Math.floor((opts.now ?? Date.now)() / 1000)
  /** Accepted events, one per (event_name, event_id). */
  const events = new Map<string, CapiEvent>()
  const requests: { status: number; body: unknown }[] = []

  function check(e: CapiEvent, i: number): SimReply | null {
    const at = `data[${i}]`
    if (!e.event_name) return graphError(`(#100) The parameter event_name is required for ${at}`, 100)
    if (typeof e.event_time !== 'number')
      return graphError(`(#100) The parameter event_time is required for ${at}`, 100)
    if (e.event_time > now() + 60)
      return graphError('(#100) Invalid parameter: event_time cannot be in the future', 100, 2804004)
    if (e.event_time < now() - 7 * 86400)
      return graphError('(#100) Invalid parameter: event_time is more than 7 days in the past', 100, 2804003)
    if (e.action_source !== 'business_messaging') return null
    if (!MESSAGING_EVENT_NAMES.has(e.event_name))
      return graphError('(#100) Messaging Event Invalid Event Type', 100, 2804066)
    const u = e.user_data ?? {}
    if (e.messaging_channel === 'whatsapp') {
      if (!u.whatsapp_business_account_id || !u.ctwa_clid)
        return graphError(
          '(#100) Messaging events for WhatsApp need user_data.whatsapp_business_account_id and user_data.ctwa_clid',
          100,
          2804050,
        )
    } else if (e.messaging_channel === 'messenger' || e.messaging_channel === 'instagram') {
      if (!u.page_id || !(u.page_scoped_user_id || u.ig_sid))
        return graphError(
          '(#100) Messaging events need user_data.page_id and the user id on the page',
          100,
          2804050,
        )
    } else return graphError('(#100) Invalid parameter: messaging_channel', 100, 2804051)
    return null
  }

  function handle(req: SimRequest): SimReply {
    const m = /^\/(v\d+\.\d+)\/(\d+)\/events$/.exec(req.url.pathname)
    if (req.method !== 'POST' || !m)
      return graphError(`Unknown path components: ${req.url.pathname}`, 2500, undefined, 'OAuthException')
    let p: Record<string, unknown>
    try {
      p = paramsOf(req)
    } catch {
      return graphError('(#100) Invalid JSON', 100)
    }
    if (p.access_token !== accessToken)
      return graphError('Invalid OAuth access token - Cannot parse access token', 190)
    if (m[2] !== datasetId)
      return graphError(
        `Unsupported post request. Object with ID '${m[2]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        100,
        33,
        'GraphMethodException',
      )
    const data = typeof p.data === 'string' ? (JSON.parse(p.data) as unknown) : p.data
    if (!Array.isArray(data) || data.length === 0)
      return graphError('(#100) The parameter data is required', 100)
    if (data.length > 1000) return graphError('(#100) data must contain at most 1000 events', 100)
    for (const [i, e] of (data as CapiEvent[]).entries()) {
      const bad = check(e, i)
      if (bad) return bad
    }
    for (const e of data as CapiEvent[])
      events.set(`${e.event_name}:${e.event_id ?? randomBytes(8).toString('hex')}`, e)
    return json(200, { events_received: data.length, messages: [], fbtrace_id: trace() })
  }

  const server = await startHttp(opts, (req) => {
    const reply = handle(req)
    let body: unknown
    try {
      body = JSON.parse(req.raw.toString('utf8'))
    } catch {
      body = req.raw.toString('utf8')
    }
    requests.push({ status: reply.status, body })
    return reply
  })
  return {
    provider: 'meta-capi',
    url: server.url,
    accessToken,
    datasetId,
    events,
    requests,
    details: { accessToken, datasetId, apiBaseUrl: server.url },
    close: server.close,
  } satisfies SimulatorHandle & Record<string, unknown>
}

export type MetaCapiSimulator = Awaited<ReturnType<typeof startMetaCapiSimulator>>
