import { z } from 'zod'
import { WEBHOOK_DELIVERY_STATUSES } from '../db/schema'
import { aliasOf } from './catalog'
import type { AttemptRow, DeliveryRow } from './deliveries.repo'
import type { EndpointRow, EndpointStats } from './webhooks.repo'

const iso = (d: Date | null) => d?.toISOString() ?? null

export const webhookOut = z.object({
  id: z.number(),
  url: z.string(),
  description: z.string(),
  /** Dotted event names (aliases are accepted on input and shown in the catalog). */
  events: z.array(z.string()),
  enabled: z.boolean(),
  /** Set when the system disabled the endpoint after prolonged failure. */
  disabledReason: z.string().nullable(),
  /** The start of the signing secret; the secret itself is shown once, at creation or rotation. */
  secretHint: z.string(),
  /** Until then the previous secret signs too (a second `v1=` signature). */
  previousSecretExpiresAt: z.string().nullable(),
  health: z.object({
    lastSuccessAt: z.string().nullable(),
    lastFailureAt: z.string().nullable(),
    failingSince: z.string().nullable(),
    /** Deliveries not finished yet (pending, sending or retrying). */
    pending: z.number(),
    /** Dead-lettered deliveries still in the log. */
    dead: z.number(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type WebhookOut = z.infer<typeof webhookOut>

/** A realistic webhook for the OpenAPI examples (checked against the schemas, src/server/http/openapi.ts). */
export const WEBHOOK_EXAMPLE: WebhookOut = {
  id: 6,
  url: 'https://crm.example.com/hooks/tawasul',
  description: 'مزامنة جهات الاتصال مع CRM — contact sync',
  events: ['message.received', 'contact.created', 'contact.tag_updated'],
  enabled: true,
  disabledReason: null,
  secretHint: 'whsec_Pq7d…',
  previousSecretExpiresAt: null,
  health: {
    lastSuccessAt: '2026-11-18T09:12:48.120Z',
    lastFailureAt: '2026-11-17T22:03:10.000Z',
    failingSince: null,
    pending: 0,
    dead: 1,
  },
  createdAt: '2026-10-20T10:00:00.000Z',
  updatedAt: '2026-11-01T13:37:00.000Z',
}

export function presentWebhook(e: EndpointRow, stats: EndpointStats | undefined, now: Date): WebhookOut {
  const overlap =
    e.previousSecretExpiresAt && e.previousSecretExpiresAt > now ? e.previousSecretExpiresAt : null
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    secretHint: e.secretPrefix,
    previousSecretExpiresAt: iso(overlap),
    health: {
      lastSuccessAt: iso(e.lastSuccessAt),
      lastFailureAt: iso(e.lastFailureAt),
      failingSince: iso(e.failingSince),
      pending: stats?.pending ?? 0,
      dead: stats?.dead ?? 0,
    },
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  }
}

export const deliveryOut = z.object({
  /** The delivery id receivers see (payload `id`, header Tawasul-Webhook-Id); stable across retries and replays. */
  id: z.string(),
  webhookId: z.number(),
  event: z.string(),
  alias: z.string(),
  eventId: z.number().nullable(),
  contactId: z.number().nullable(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number(),
  /** When the next attempt is due (pending and retrying only). */
  nextAttemptAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  lastStatusCode: z.number().nullable(),
  lastError: z.string().nullable(),
  /** How long the last attempt took, ms. */
  lastDurationMs: z.number().nullable(),
  deliveredAt: z.string().nullable(),
  replays: z.number(),
  createdAt: z.string(),
})

export function presentDelivery(d: DeliveryRow) {
  return {
    id: d.publicId,
    webhookId: d.endpointId,
    event: d.event,
    alias: aliasOf(d.event),
    eventId: d.eventId,
    contactId: d.contactId,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' || d.status === 'retrying' ? d.nextAttemptAt.toISOString() : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastDurationMs: d.lastDurationMs,
    deliveredAt: iso(d.deliveredAt),
    replays: d.replays,
    createdAt: d.createdAt.toISOString(),
  }
}

export const attemptOut = z.object({
  number: z.number(),
  startedAt: z.string(),
  durationMs: z.number(),
  statusCode: z.number().nullable(),
  error: z.string().nullable(),
  /** The first 2 kB of the response body. */
  responseBody: z.string().nullable(),
  outcome: z.enum(['delivered', 'retry', 'dead']),
  nextAttemptAt: z.string().nullable(),
})

export function presentAttempt(a: AttemptRow): z.infer<typeof attemptOut> {
  return {
    number: a.number,
    startedAt: a.startedAt.toISOString(),
    durationMs: a.durationMs,
    statusCode: a.statusCode,
    error: a.error,
    responseBody: a.responseBody,
    outcome: a.outcome,
    nextAttemptAt: iso(a.nextAttemptAt),
  }
}

export const deliveryDetailOut = deliveryOut.extend({
  /** Every attempt, oldest first. */
  history: z.array(attemptOut),
  /** The request body every attempt of this delivery sends. */
  payload: z.record(z.string(), z.unknown()),
})
