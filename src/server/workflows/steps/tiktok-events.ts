import { createHash } from 'node:crypto'
import { z } from 'zod'
import { findContact } from '../../contacts/contacts.repo'
import { openCredential } from '../credentials'
import { errorText, jsonBody } from '../http/outbound'
import { defineStep } from '../step'
import { contactValue } from '../variables'

/** Lower-funnel events of the Events API 2.0 (standard event names). */
export const TIKTOK_EVENTS = [
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
] as const

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

const configSchema = z.strictObject({
  credentialId: z.number().int().positive({ error: 'Choose a TikTok Events API connection.' }),
  event: z.enum(TIKTOK_EVENTS),
  value: z.string().max(100).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as SAR or USD.')
    .optional(),
  /** The custom field that holds the contact's TikTok click id (ttclid). */
  clickIdField: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/)
    .default('ttclid'),
})

/**
 * Rule 86: a TikTok Events API 2.0 event (POST /open_api/v1.3/event/track/, Access-Token header),
 * with hashed phone, email and contact id and the click id where stored. event_id is the step's
 * idempotency key, which TikTok uses to deduplicate.
 */
export const tiktokEvents = defineStep({
  kind: 'tiktok_events',
  label: 'Send TikTok Lower Funnel Event',
  configSchema,
  external: true,
  outcomes: () => ({ continue: 'success', branches: ['failure'] }),
  references: (c) => [
    { kind: 'credential', id: c.credentialId, credential: 'tiktok_events', path: 'config.credentialId' },
  ],
  async run(s) {
    const c = s.config
    const db = s.tx ?? s.ctx.db
    const contact = await findContact(db, s.workspaceId, s.run.contactId)
    const value = c.value ? Number(await s.interpolate(c.value)) : undefined
    const clickId = contact ? contactValue(contact, c.clickIdField) : undefined
    const user: Record<string, string> = { external_id: sha256(String(s.run.contactId)) }
    if (contact?.phone) user.phone = sha256(contact.phone)
    if (contact?.email) user.email = sha256(contact.email.trim().toLowerCase())
    if (typeof clickId === 'string' && clickId) user.ttclid = clickId
    const event = {
      event: c.event,
      event_time: Math.floor(s.now.getTime() / 1000),
      event_id: s.key,
      user,
      ...(value !== undefined && Number.isFinite(value)
        ? { properties: { value, currency: c.currency ?? 'USD' } }
        : {}),
    }
    const shown = {
      event: {
        ...event,
        user: Object.fromEntries(Object.keys(user).map((k) => [k, k === 'ttclid' ? user[k] : '[hashed]'])),
      },
    }
    if (s.mode === 'dry')
      return { next: s.dry?.outcome === 'failure' ? 'failure' : 'success', output: { wouldSend: shown } }
    const cred = await openCredential(s.ctx, db, s.workspaceId, c.credentialId, 'tiktok_events')
    try {
      const res = await s.http.request({
        method: 'POST',
        url: `${cred.details.apiBaseUrl!.replace(/\/+$/, '')}/open_api/v1.3/event/track/`,
        headers: { 'content-type': 'application/json', 'access-token': cred.secret },
        body: JSON.stringify({
          event_source: cred.details.eventSource,
          event_source_id: cred.details.eventSourceId,
          data: [event],
        }),
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
      })
      const body = jsonBody<{ code?: number; message?: string; request_id?: string }>(res)
      // The API answers HTTP 200 with a non-zero code for errors.
      if (res.status === 200 && body.code === 0)
        return { next: 'success', output: { ...shown, requestId: body.request_id } }
      return {
        next: 'failure',
        output: {
          ...shown,
          status: res.status,
          code: body.code,
          error: body.message ?? res.body.slice(0, 300),
        },
      }
    } catch (err) {
      return { next: 'failure', output: { ...shown, error: errorText(err) } }
    }
  },
})
