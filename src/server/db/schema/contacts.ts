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
import { citext, createdAt, ref, tenantId, ts, updatedAt, workspaceId } from './columns'
import { workspaceMembers, workspaces } from './tenancy'

export type InboxStatus = 'open' | 'snoozed' | 'closed'
export type CustomValues = Record<string, string | number | boolean | string[] | null>

/**
 * Folds Arabic letter variants (hamza forms of alif, alif maqsura, taa marbuta) and case so
 * "احمد" finds "أحمد". The same expression is used by the generated column and by queries.
 */
export const SEARCH_FOLD = (expr: string) => `translate(lower(${expr}), 'أإآٱىةـ', 'اااايه')`

export const contacts = pgTable(
  'contacts',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    email: citext('email'),
    /** E.164 */
    phone: text('phone'),
    /** ISO 3166-1 alpha-2, derived from the phone when possible (rule 54). */
    country: text('country'),
    language: text('language'),
    avatarUrl: text('avatar_url'),
    custom: jsonb('custom').$type<CustomValues>().notNull().default({}),
    lifecycleStageId: ref('lifecycle_stage_id'),
    /** Rule 32: assignment lives on the contact and survives a close. */
    assigneeUserId: ref('assignee_user_id'),
    /** The assignee's team, kept in step with team membership so team inboxes are one index scan. */
    assigneeTeamId: ref('assignee_team_id'),
    blockedAt: ts('blocked_at'),
    lastInteractedChannelId: ref('last_interacted_channel_id'),
    // Inbox row, denormalized from the latest conversation and message (contact-centric inbox).
    conversationId: ref('conversation_id'),
    inboxStatus: text('inbox_status').$type<InboxStatus>(),
    lastMessageAt: ts('last_message_at'),
    lastIncomingAt: ts('last_incoming_at'),
    lastMessagePreview: text('last_message_preview'),
    lastMessageDirection: text('last_message_direction').$type<'in' | 'out'>(),
    unread: boolean('unread').notNull().default(false),
    searchText: text('search_text').generatedAlwaysAs(
      sql.raw(
        `${SEARCH_FOLD(`coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(phone, '')`)}`,
      ),
    ),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    foreignKey({
      columns: [t.workspaceId, t.assigneeUserId],
      foreignColumns: [workspaceMembers.workspaceId, workspaceMembers.userId],
    }),
    // Inbox views: All, Mine, Team, Unassigned, Blocked — newest activity first, keyset (last_message_at, id).
    index('contacts_inbox_all').on(t.workspaceId, t.inboxStatus, t.lastMessageAt.desc(), t.id.desc()),
    index('contacts_inbox_assignee').on(
      t.workspaceId,
      t.assigneeUserId,
      t.inboxStatus,
      t.lastMessageAt.desc(),
      t.id.desc(),
    ),
    index('contacts_inbox_team').on(
      t.workspaceId,
      t.assigneeTeamId,
      t.inboxStatus,
      t.lastMessageAt.desc(),
      t.id.desc(),
    ),
    index('contacts_inbox_unassigned')
      .on(t.workspaceId, t.inboxStatus, t.lastMessageAt.desc(), t.id.desc())
      .where(sql`assignee_user_id IS NULL AND blocked_at IS NULL`),
    index('contacts_blocked')
      .on(t.workspaceId, t.blockedAt.desc(), t.id.desc())
      .where(sql`blocked_at IS NOT NULL`),
    // Blue dots (rule 48): unread open contacts are few, so every view's count is one small index scan.
    index('contacts_inbox_unread')
      .on(t.workspaceId, t.assigneeTeamId, t.assigneeUserId)
      .where(sql`unread AND inbox_status = 'open' AND blocked_at IS NULL`),
    // Rule 49: exact on email, partial on names and phone (trigram), exact on custom fields (jsonb).
    index('contacts_email').on(t.workspaceId, t.email),
    index('contacts_phone').on(t.workspaceId, t.phone),
    index('contacts_search').using('gin', t.workspaceId, sql`search_text gin_trgm_ops`),
    index('contacts_custom').using('gin', t.custom.op('jsonb_path_ops')),
    index('contacts_created').on(t.workspaceId, t.createdAt.desc(), t.id.desc()),
  ],
)

export const customFields = pgTable(
  'custom_fields',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    /** The variable name ($contact.<key>) and the key in contacts.custom. */
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    type: text('type')
      .$type<'text' | 'list' | 'checkbox' | 'email' | 'number' | 'url' | 'date' | 'time'>()
      .notNull(),
    options: jsonb('options').$type<string[]>().notNull().default([]),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.key)],
)

export const tags = pgTable(
  'tags',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: citext('name').notNull(),
    color: text('color'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.name)],
)

export const contactTags = pgTable(
  'contact_tags',
  {
    workspaceId: workspaceId(),
    contactId: ref('contact_id').notNull(),
    tagId: ref('tag_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.contactId, t.tagId] }),
    index().on(t.workspaceId, t.tagId),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
    foreignKey({ columns: [t.workspaceId, t.tagId], foreignColumns: [tags.workspaceId, tags.id] }).onDelete(
      'cascade',
    ),
  ],
)

export const lifecycleStages = pgTable(
  'lifecycle_stages',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: citext('name').notNull(),
    position: integer('position').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    isLost: boolean('is_lost').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex().on(t.workspaceId, t.name),
    uniqueIndex('lifecycle_one_default').on(t.workspaceId).where(sql`is_default`),
  ],
)

/** Who merged what into whom (rule 53), with the merged contact as it was. */
export const contactMerges = pgTable(
  'contact_merges',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    primaryContactId: ref('primary_contact_id').notNull(),
    mergedContactId: ref('merged_contact_id').notNull(),
    mergedSnapshot: jsonb('merged_snapshot').$type<Record<string, unknown>>().notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: ref('actor_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), index().on(t.workspaceId, t.primaryContactId)],
)

export type ImportMapping = { column: string; target: string }[]
export type ImportOptions = {
  mode: 'add_and_update' | 'add_only' | 'update_only' | 'add_all'
  tagIds?: number[]
}

/** A CSV import (rule 57): Upload → Mapping → Review, then a job that reports progress. */
export const contactImports = pgTable(
  'contact_imports',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    status: text('status').$type<'uploaded' | 'mapped' | 'importing' | 'completed' | 'failed'>().notNull(),
    fileName: text('file_name').notNull(),
    fileKey: text('file_key').notNull(),
    headers: jsonb('headers').$type<string[]>().notNull(),
    rowCount: integer('row_count').notNull(),
    mapping: jsonb('mapping').$type<ImportMapping>(),
    options: jsonb('options').$type<ImportOptions>(),
    processed: integer('processed').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    reportKey: text('report_key'),
    error: text('error'),
    createdByUserId: ref('created_by_user_id'),
    createdAt: createdAt(),
    finishedAt: ts('finished_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
)
