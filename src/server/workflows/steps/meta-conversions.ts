import { createHash } from 'node:crypto'
import { z } from 'zod'
import { findChannel } from '../../channels/channels.repo'
import { findContact, findIdentityOfContact } from '../../contacts/contacts.repo'
import { openCredential } from '../credentials'
import { errorText, jsonBody } from '../http/outbound'
import { defineStep } from '../step'
import { contactValue } from '../variables'

/** Event names the Conversions API accepts for action_source "business_messaging". */
export const META_MESSAGING_EVENTS = [
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
] as const

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

const configSchema = z.strictObject({
  credentialId: z.number().int().positive({ error: 'Choose a Meta Conversions API dataset.' }),
  eventName: z.enum(META_MESSAGING_EVENTS),
  /** A number or a $variable. */
  value: z.string().max(100).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as SAR or USD.')
    .optional(),
  /** The messaging channel the contact came through; "auto": the last interacted channel. */
  messagingChannel: z.enum(['auto', 'whatsapp', 'messenger', 'instagram']).default('auto'),
  /** The custom field that holds the contact's click-to-WhatsApp click id (ctwa_clid). */
  clickIdField: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/)
    .default('ctwa_clid'),
})

/**
 * Rule 86: a Conversions API event for business messaging (POST /{dataset}/events,
 * action_source "business_messaging"), with the contact's click id where stored. event_id is the
 * step's idempotency key, so Meta drops a repeat after an interrupted attempt.
 */
export const metaConversions = defineStep({
  kind: 'meta_conversions',
  label: 'Send Conversions API Event',
  configSchema,
  external: true,
  outcomes: () => ({ continue: 'success', branches: ['failure'] }),
  references: (c) => [
    { kind: 'credential', id: c.credentialId, credential: 'meta_conversions', path: 'config.credentialId' },
  ],
  async run(s) {
    const c = s.config
    const db = s.tx ?? s.ctx.db
    const contact = await findContact(db, s.workspaceId, s.run.contactId)
    const channel = contact?.lastInteractedChannelId
      ? await findChannel(db, s.workspaceId, contact.lastInteractedChannelId)
      : undefined
    const messagingChannel =
      c.messagingChannel !== 'auto'
        ? c.messagingChannel
        : channel?.type === 'messenger' || channel?.type === 'instagram'
          ? channel.type
          : 'whatsapp'
    const value = c.value ? Number(await s.interpolate(c.value)) : undefined
    const cred =
      s.mode === 'dry'
        ? null
        : await openCredential(s.ctx, db, s.workspaceId, c.credentialId, 'meta_conversions')
    const clickId = contact ? contactValue(contact, c.clickIdField) : undefined
    const userData: Record<string, unknown> = {}
    if (messagingChannel === 'whatsapp') {
      const waba =
        cred?.details.whatsappBusinessAccountId ??
        (channel?.type === 'whatsapp' ? channel.config.businessAccountId : undefined)
      if (waba) userData.whatsapp_business_account_id = String(waba)
      if (typeof clickId === 'string' && clickId) userData.ctwa_clid = clickId
    } else {
      const pageId = cred?.details.pageId ?? channel?.config.pageId
      if (pageId) userData.page_id = String(pageId)
      const identity =
        channel && contact
          ? await findIdentityOfContact(db, s.workspaceId, contact.id, channel.id)
          : undefined
      if (identity)
        userData[messagingChannel === 'instagram' ? 'ig_sid' : 'page_scoped_user_id'] = identity.identifier
    }
    if (contact?.phone) userData.ph = [sha256(contact.phone.replace(/\D/g, ''))]
    if (contact?.email) userData.em = [sha256(contact.email.trim().toLowerCase())]
    const event = {
      event_name: c.eventName,
      event_time: Math.floor(s.now.getTime() / 1000),
      event_id: s.key,
      action_source: 'business_messaging',
      messaging_channel: messagingChannel,
      user_data: userData,
      ...(value !== undefined && Number.isFinite(value)
        ? { custom_data: { value, currency: c.currency ?? 'USD' } }
        : {}),
    }
    const shown = {
      event: {
        ...event,
        user_data: {
          ...userData,
          ...(userData.ph ? { ph: ['[hashed]'] } : {}),
          ...(userData.em ? { em: ['[hashed]'] } : {}),
        },
      },
    }
    if (s.mode === 'dry' || !cred)
      return { next: s.dry?.outcome === 'failure' ? 'failure' : 'success', output: { wouldSend: shown } }
    const url = `${cred.details.apiBaseUrl!.replace(/\/+$/, '')}/${cred.details.apiVersion}/${cred.details.datasetId}/events`
    try {
      const res = await s.http.request({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: [event], access_token: cred.secret }),
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
      })
      const body = jsonBody<{
        events_received?: number
        fbtrace_id?: string
        error?: { message?: string; code?: number }
      }>(res)
      if (res.status === 200 && body.events_received)
        return {
          next: 'success',
          output: { ...shown, eventsReceived: body.events_received, fbtraceId: body.fbtrace_id },
        }
      return {
        next: 'failure',
        output: {
          ...shown,
          status: res.status,
          error: body.error?.message ?? res.body.slice(0, 300),
          code: body.error?.code,
        },
      }
    } catch (err) {
      return { next: 'failure', output: { ...shown, error: errorText(err) } }
    }
  },
})
