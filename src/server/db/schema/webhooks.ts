import { sql } from 'drizzle-orm'
import {
  boolean,
  foreignKey,
  index,
  integer,
  json,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { createdAt, ref, tenantId, ts, updatedAt, workspaceId } from './columns'
import { workspaces } from './tenancy'

/** Per-workspace webhook settings (rule 121). */
export const webhookSettings = pgTable('webhook_settings', {
  workspaceId: workspaceId()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  /** Endpoints may point at loopback/private addresses (self-hosted receivers); never link-local. */
  allowPrivateNetwork: boolean('allow_private_network').notNull().default(false),
  updatedAt: updatedAt(),
})

/** A receiver URL subscribed to some events. The signing secret is stored encrypted, shown once. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Dotted event names (see webhooks/catalog.ts). */
    events: text('events').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Why it is disabled when the system disabled it (prolonged failure); null otherwise. */
    disabledReason: text('disabled_reason'),
    secretSealed: text('secret_sealed').notNull(),
    /** The first characters of the secret, to tell secrets apart in the UI. */
    secretPrefix: text('secret_prefix').notNull(),
    /** After a rotation the previous secret still signs (a second signature) until this time. */
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: ts('previous_secret_expires_at'),
    createdByUserId: ref('created_by_user_id'),
    lastSuccessAt: ts('last_success_at'),
    lastFailureAt: ts('last_failure_at'),
    /** Set at the first failed attempt after a success; cleared by the next success. */
    failingSince: ts('failing_since'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
)

/**
 * What an event looked like when its deliveries were created: the presented resources, shared by
 * every endpoint the event goes to (the envelope with the delivery id is added at send time).
 */
export const webhookPayloads = pgTable(
  'webhook_payloads',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    /** The domain event; null for test pings. */
    eventId: ref('event_id'),
    event: text('event').notNull(),
    // json, not jsonb: the text is kept as presented (key order, no added spaces) and sent as is.
    data: json('data').$type<Record<string, unknown>>().notNull(),
    /** The event's time (the envelope's createdAt). */
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index().on(t.createdAt)],
)

/**
 * waiting: behind an earlier unfinished delivery for the same endpoint and contact;
 * pending → sending → retrying … → delivered | dead.
 */
export const WEBHOOK_DELIVERY_STATUSES = [
  'waiting',
  'pending',
  'sending',
  'retrying',
  'delivered',
  'dead',
] as const
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number]
/** Due to be (or being) sent. */
const ACTIVE = sql`status IN ('pending', 'sending', 'retrying')`
const UNFINISHED = sql`status IN ('waiting', 'pending', 'sending', 'retrying')`

/** One event for one endpoint. Its public id is stable across retries and replays. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    publicId: uuid('public_id').notNull().defaultRandom(),
    endpointId: ref('endpoint_id').notNull(),
    payloadId: ref('payload_id').notNull(),
    event: text('event').notNull(),
    eventId: ref('event_id'),
    /** Deliveries about one contact go out in event order, per endpoint. */
    contactId: ref('contact_id'),
    status: text('status').$type<WebhookDeliveryStatus>().notNull().default('pending'),
    /** Attempts ever made (the log); `roundAttempts` counts since creation or the last replay. */
    attempts: integer('attempts').notNull().default(0),
    roundAttempts: integer('round_attempts').notNull().default(0),
    /** When it is due; while `sending`, when the claim lapses (a crashed sender's work is retaken). */
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastDurationMs: integer('last_duration_ms'),
    lastAttemptAt: ts('last_attempt_at'),
    deliveredAt: ts('delivered_at'),
    replays: integer('replays').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex().on(t.workspaceId, t.publicId),
    // Exactly one delivery per endpoint and event, even if a fan-out ran twice.
    uniqueIndex('webhook_deliveries_once')
      .on(t.workspaceId, t.endpointId, t.eventId)
      .where(sql`event_id IS NOT NULL`),
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(ACTIVE),
    index('webhook_deliveries_order')
      .on(t.workspaceId, t.endpointId, t.contactId, t.eventId)
      .where(UNFINISHED),
    index('webhook_deliveries_log').on(t.workspaceId, t.endpointId, t.id),
    foreignKey({
      columns: [t.workspaceId, t.endpointId],
      foreignColumns: [webhookEndpoints.workspaceId, webhookEndpoints.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.payloadId],
      foreignColumns: [webhookPayloads.workspaceId, webhookPayloads.id],
    }).onDelete('cascade'),
  ],
)

/** Every HTTP attempt of a delivery, for the delivery log. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    deliveryId: ref('delivery_id').notNull(),
    number: integer('number').notNull(),
    startedAt: ts('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    /** The first 2 kB of the response body. */
    responseBody: text('response_body'),
    outcome: text('outcome').$type<'delivered' | 'retry' | 'dead'>().notNull(),
    nextAttemptAt: ts('next_attempt_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.deliveryId, t.id),
    foreignKey({
      columns: [t.workspaceId, t.deliveryId],
      foreignColumns: [webhookDeliveries.workspaceId, webhookDeliveries.id],
    }).onDelete('cascade'),
  ],
)
