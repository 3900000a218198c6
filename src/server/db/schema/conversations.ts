import { sql } from 'drizzle-orm'
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import { channels } from './channels'
import { createdAt, ref, tenantId, ts, updatedAt, workspaceId } from './columns'
import { contacts } from './contacts'
import { workspaces } from './tenancy'

export const OPEN_SOURCES = ['contact', 'user', 'workflow', 'api', 'broadcast', 'ai_agent'] as const
export type OpenSource = (typeof OPEN_SOURCES)[number]
export const CLOSE_SOURCES = ['user', 'workflow', 'auto_close', 'api', 'ai_agent'] as const
export type CloseSource = (typeof CLOSE_SOURCES)[number]

export const conversations = pgTable(
  'conversations',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    contactId: ref('contact_id').notNull(),
    status: text('status').$type<'open' | 'closed'>().notNull(),
    openedAt: ts('opened_at').notNull().defaultNow(),
    openedSource: text('opened_source').$type<OpenSource>().notNull(),
    openedByUserId: ref('opened_by_user_id'),
    openedByWorkflowId: ref('opened_by_workflow_id'),
    openedChannelId: ref('opened_channel_id'),
    firstAssigneeUserId: ref('first_assignee_user_id'),
    lastAssigneeUserId: ref('last_assignee_user_id'),
    firstResponseAt: ts('first_response_at'),
    firstResponseByUserId: ref('first_response_by_user_id'),
    closedAt: ts('closed_at'),
    closedSource: text('closed_source').$type<CloseSource>(),
    closedByUserId: ref('closed_by_user_id'),
    closedByTeamId: ref('closed_by_team_id'),
    closingCategoryId: ref('closing_category_id'),
    closingSummary: text('closing_summary'),
    snoozedUntil: ts('snoozed_until'),
    /** Who is handling it: a person, or automation (Azir's "bot" state, rule 93). */
    handler: text('handler').$type<'human' | 'workflow' | 'ai' | 'bot'>().notNull().default('human'),
    /** Rule 39: auto-close applies only to conversations opened after it was enabled. */
    autoCloseEligible: boolean('auto_close_eligible').notNull().default(false),
    lastHumanOutgoingAt: ts('last_human_outgoing_at'),
    /** When the auto-close timer fires; null when no timer runs. */
    autoCloseAt: ts('auto_close_at'),
    incomingCount: integer('incoming_count').notNull().default(0),
    outgoingCount: integer('outgoing_count').notNull().default(0),
    lastMessageAt: ts('last_message_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Rules 2–3: at most one open conversation per contact, enforced by the database.
    uniqueIndex('conversations_one_open').on(t.workspaceId, t.contactId).where(sql`status = 'open'`),
    index().on(t.workspaceId, t.contactId, t.id.desc()),
    index('conversations_closed_at').on(t.workspaceId, t.closedAt).where(sql`status = 'closed'`),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
  ],
)

export type MessageType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'file'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'template'
  | 'reaction'
  | 'email'
  | 'unsupported'
export type MessageStatus = 'received' | 'pending' | 'sent' | 'delivered' | 'read' | 'failed'
export type AuthorKind = 'contact' | 'user' | 'workflow' | 'broadcast' | 'ai' | 'api' | 'system'

export const messages = pgTable(
  'messages',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    contactId: ref('contact_id').notNull(),
    /** Null for messages outside any conversation (e.g. a broadcast to a contact with none open). */
    conversationId: ref('conversation_id'),
    channelId: ref('channel_id').notNull(),
    direction: text('direction').$type<'in' | 'out'>().notNull(),
    authorKind: text('author_kind').$type<AuthorKind>().notNull(),
    authorId: ref('author_id'),
    type: text('type').$type<MessageType>().notNull(),
    text: text('text'),
    /** Structured content: media, location, template, interactive, email… (see messages.schema.ts). */
    content: jsonb('content').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<MessageStatus>().notNull(),
    error: jsonb('error').$type<{ code: string; title: string; detail?: string } | null>(),
    providerMessageId: text('provider_message_id'),
    /** Client idempotency key: a retried send never creates a second message. */
    clientKey: text('client_key'),
    replyToMessageId: ref('reply_to_message_id'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
    deliveredAt: ts('delivered_at'),
    readAt: ts('read_at'),
    failedAt: ts('failed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Provider retries never duplicate (ingest is idempotent by channel + provider message id).
    uniqueIndex('messages_provider_id')
      .on(t.workspaceId, t.channelId, t.providerMessageId)
      .where(sql`provider_message_id IS NOT NULL`),
    uniqueIndex('messages_client_key').on(t.workspaceId, t.clientKey).where(sql`client_key IS NOT NULL`),
    index('messages_contact_history').on(t.workspaceId, t.contactId, t.id.desc()),
    index('messages_conversation')
      .on(t.workspaceId, t.conversationId, t.id)
      .where(sql`conversation_id IS NOT NULL`),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.channelId],
      foreignColumns: [channels.workspaceId, channels.id],
    }),
  ],
)

/** Uploaded or received files, stored through the storage interface (local disk by default). */
export const files = pgTable(
  'files',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    storageKey: text('storage_key').notNull(),
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    createdByUserId: ref('created_by_user_id'),
    /**
     * In the workspace's Files library (Settings → Files), as opposed to a composer attachment or
     * received media, which never show there.
     */
    library: boolean('library').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // The library page: newest first, keyset on id.
    index('files_library').on(t.workspaceId, t.id.desc()).where(sql`library`),
  ],
)

/** Internal notes on a contact's conversation, never sent to the contact (rule 50). */
export const comments = pgTable(
  'comments',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    contactId: ref('contact_id').notNull(),
    conversationId: ref('conversation_id'),
    authorKind: text('author_kind').$type<'user' | 'workflow' | 'api' | 'ai'>().notNull(),
    authorId: ref('author_id'),
    body: text('body').notNull(),
    mentions: jsonb('mentions').$type<number[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.contactId, t.id),
    // The Mentioned inbox (rule 43 proposal): contacts whose comments mention a user.
    index('comments_mentions').using('gin', t.workspaceId, sql`mentions jsonb_path_ops`),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
  ],
)

export const notifications = pgTable(
  'notifications',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    userId: ref('user_id').notNull(),
    kind: text('kind').$type<'mention' | 'assignment'>().notNull(),
    contactId: ref('contact_id'),
    conversationId: ref('conversation_id'),
    commentId: ref('comment_id'),
    actorKind: text('actor_kind').notNull(),
    actorId: ref('actor_id'),
    readAt: ts('read_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index().on(t.workspaceId, t.userId, t.id.desc())],
)

/** Conversation categories for closing notes (rules 35, 38). */
export const closingCategories = pgTable(
  'closing_categories',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.name)],
)

export type InboxFilter = {
  op: 'and' | 'or'
  conditions: (
    | InboxFilter
    | {
        field:
          | 'contact_field'
          | 'channel'
          | 'tag'
          | 'last_interacted_channel'
          | 'time_since_last_incoming'
          | 'lifecycle'
          | 'assignee'
        key?: string
        operator: string
        value?: unknown
      }
  )[]
}

/** Saved, nested filters (rule 46); private to the creator unless shared. */
export const customInboxes = pgTable(
  'custom_inboxes',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: text('name').notNull(),
    createdByUserId: ref('created_by_user_id').notNull(),
    filter: jsonb('filter').$type<InboxFilter>().notNull(),
    sharedUserIds: jsonb('shared_user_ids').$type<number[]>().notNull().default([]),
    sharedTeamIds: jsonb('shared_team_ids').$type<number[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
)

export const snippets = pgTable(
  'snippets',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    shortcut: text('shortcut').notNull(),
    body: text('body').notNull(),
    createdByUserId: ref('created_by_user_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.shortcut)],
)
