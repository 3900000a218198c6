import { sql } from 'drizzle-orm'
import {
  bigint,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { createdAt, ref, tenantId, ts, updatedAt, workspaceId } from './columns'
import { contacts } from './contacts'
import { workspaces } from './tenancy'

/** A connected messaging account. Secrets are stored encrypted (AES-256-GCM) in `secrets`. */
export const channels = pgTable(
  'channels',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    status: text('status').$type<'active' | 'disconnected' | 'error'>().notNull().default('active'),
    /** Non-secret settings (ids, base URLs, options). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** Encrypted JSON of the secret settings; never returned by the API. */
    secrets: text('secrets'),
    /** Random, unguessable path segment of the inbound webhook URL. */
    webhookKey: text('webhook_key').notNull(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex().on(t.workspaceId, t.webhookKey),
    // The SMTP listener finds the email channels of a recipient address across workspaces.
    index('channels_email_address').on(sql`lower(${t.config}->>'address')`).where(sql`type = 'email'`),
  ],
)

/**
 * A contact's identity on one channel (phone, PSID, chat id, email, custom id). The messaging
 * window is evaluated on this row (rule 22): per (contact, channel), at send time.
 */
export const contactChannels = pgTable(
  'contact_channels',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    contactId: ref('contact_id').notNull(),
    channelId: ref('channel_id').notNull(),
    identifier: text('identifier').notNull(),
    displayName: text('display_name'),
    avatarUrl: text('avatar_url'),
    lastIncomingAt: ts('last_incoming_at'),
    lastOutgoingAt: ts('last_outgoing_at'),
    /** Outbound messages since the contact last wrote (WeChat's 20-message limit, rule 19). */
    outboundSinceIncoming: integer('outbound_since_incoming').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex('contact_channels_identity').on(t.workspaceId, t.channelId, t.identifier),
    uniqueIndex('contact_channels_one_per_channel').on(t.workspaceId, t.contactId, t.channelId),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.channelId],
      foreignColumns: [channels.workspaceId, channels.id],
    }).onDelete('cascade'),
  ],
)

/** WhatsApp message templates per channel (rule 117). */
export const messageTemplates = pgTable(
  'message_templates',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    channelId: ref('channel_id').notNull(),
    name: text('name').notNull(),
    language: text('language').notNull(),
    category: text('category').$type<'MARKETING' | 'UTILITY' | 'AUTHENTICATION'>().notNull(),
    status: text('status').$type<'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED'>().notNull(),
    components: jsonb('components').$type<unknown[]>().notNull(),
    providerTemplateId: text('provider_template_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex().on(t.workspaceId, t.channelId, t.name, t.language),
    foreignKey({
      columns: [t.workspaceId, t.channelId],
      foreignColumns: [channels.workspaceId, channels.id],
    }).onDelete('cascade'),
  ],
)

/** Monthly counters per channel, e.g. Viber chatbot-initiated messages (rule 18). */
export const channelCounters = pgTable(
  'channel_counters',
  {
    workspaceId: workspaceId(),
    channelId: ref('channel_id').notNull(),
    month: text('month').notNull(),
    kind: text('kind').notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.channelId, t.month, t.kind] }),
    foreignKey({
      columns: [t.workspaceId, t.channelId],
      foreignColumns: [channels.workspaceId, channels.id],
    }).onDelete('cascade'),
  ],
)

/**
 * IMAP polling state of an email channel: the mailbox's UIDVALIDITY and the highest UID already
 * taken in, so each poll fetches only newer messages (ingest is idempotent by Message-ID anyway).
 */
export const emailMailboxes = pgTable(
  'email_mailboxes',
  {
    workspaceId: workspaceId(),
    channelId: ref('channel_id').notNull(),
    mailbox: text('mailbox').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'number' }),
    lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
    lastPolledAt: ts('last_polled_at'),
    lastError: text('last_error'),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.channelId] }),
    foreignKey({
      columns: [t.workspaceId, t.channelId],
      foreignColumns: [channels.workspaceId, channels.id],
    }).onDelete('cascade'),
  ],
)

/**
 * Short-lived per-channel values the adapters keep (see ChannelState in channels/channel.ts):
 * cached provider access tokens (WeChat) and single-use reply tokens (LINE). Values are
 * encrypted like channel secrets; expiry is decided on the server clock.
 */
export const channelState = pgTable(
  'channel_state',
  {
    workspaceId: workspaceId(),
    channelId: ref('channel_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.channelId, t.key] }),
    foreignKey({
      columns: [t.workspaceId, t.channelId],
      foreignColumns: [channels.workspaceId, channels.id],
    }).onDelete('cascade'),
  ],
)
