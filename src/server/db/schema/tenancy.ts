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
import { DEFAULT_NOTIFICATION_PREFS, type NotificationPrefs } from '../../../shared/notification-prefs'
import type { ContactVisibility, Role } from '../../../shared/permissions'
import type { BusinessHours } from '../../business-hours/schedule'
import { citext, createdAt, id, ref, tenantId, ts, updatedAt, workspaceId } from './columns'

export const organizations = pgTable('organizations', {
  id: id(),
  name: text('name').notNull(),
  createdAt: createdAt(),
})

export const users = pgTable('users', {
  id: id(),
  email: citext('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  locale: text('locale').$type<'en' | 'ar'>().notNull().default('en'),
  status: text('status').$type<'online' | 'away'>().notNull().default('online'),
  /** Storage key of the profile picture (src/server/storage), null when the user has none. */
  avatarKey: text('avatar_key'),
  avatarMimeType: text('avatar_mime_type'),
  /** Per notification kind, where it is shown (src/server/users/notification-prefs.ts). */
  notificationPrefs: jsonb('notification_prefs')
    .$type<NotificationPrefs>()
    .notNull()
    .default(DEFAULT_NOTIFICATION_PREFS),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  lastActiveAt: ts('last_active_at'),
})

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: ref('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: ref('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<'admin' | 'member'>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index().on(t.userId)],
)

/** The tenant root. Every tenant-owned table carries workspace_id and is distributed by it. */
export const workspaces = pgTable('workspaces', {
  id: id(),
  organizationId: ref('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  timezone: text('timezone').notNull().default('UTC'),
  language: text('language').$type<'en' | 'ar'>().notNull().default('en'),
  /** Rule 36: optional | category_required | category_and_summary_required | disabled. */
  closingNotesMode: text('closing_notes_mode')
    .$type<'optional' | 'category_required' | 'category_and_summary_required' | 'disabled'>()
    .notNull()
    .default('optional'),
  /** Rule 39: auto-close after this many minutes without a contact reply; null = off. */
  autoCloseMinutes: integer('auto_close_minutes'),
  autoCloseEnabledAt: ts('auto_close_enabled_at'),
  lifecycleEnabled: boolean('lifecycle_enabled').notNull().default(true),
  /** Settings → Business hours, in `timezone`; null until first saved (then the defaults apply). */
  businessHours: jsonb('business_hours').$type<BusinessHours>(),
  createdAt: createdAt(),
})

export const workspaceMembers = pgTable(
  'workspace_members',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: ref('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    // Rule 106: restriction flags live on the membership.
    restrictSettings: boolean('restrict_settings').notNull().default(false),
    restrictContactDelete: boolean('restrict_contact_delete').notNull().default(false),
    restrictExport: boolean('restrict_export').notNull().default(false),
    restrictIntegrations: boolean('restrict_integrations').notNull().default(false),
    contactVisibility: text('contact_visibility').$type<ContactVisibility>().notNull().default('all'),
    hideShortcuts: boolean('hide_shortcuts').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index().on(t.userId)],
)

export const teams = pgTable(
  'teams',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: citext('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.name)],
)

/** Rule 107: a user belongs to at most one team, so (workspace_id, user_id) is the key. */
export const teamMembers = pgTable(
  'team_members',
  {
    workspaceId: workspaceId(),
    userId: ref('user_id').notNull(),
    teamId: ref('team_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId] }),
    index().on(t.workspaceId, t.teamId),
    foreignKey({
      columns: [t.workspaceId, t.teamId],
      foreignColumns: [teams.workspaceId, teams.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.userId],
      foreignColumns: [workspaceMembers.workspaceId, workspaceMembers.userId],
    }).onDelete('cascade'),
  ],
)

export type InvitationRestrictions = {
  restrictSettings?: boolean
  restrictContactDelete?: boolean
  restrictExport?: boolean
  restrictIntegrations?: boolean
  contactVisibility?: ContactVisibility
  hideShortcuts?: boolean
}

export const invitations = pgTable(
  'invitations',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    email: citext('email').notNull(),
    role: text('role').$type<Role>().notNull(),
    restrictions: jsonb('restrictions').$type<InvitationRestrictions>().notNull().default({}),
    teamId: ref('team_id'),
    tokenHash: text('token_hash').notNull(),
    invitedByUserId: ref('invited_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    acceptedAt: ts('accepted_at'),
    acceptedUserId: ref('accepted_user_id').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Tokens embed their workspace id, so lookups are routable to a workspace shard.
    uniqueIndex().on(t.workspaceId, t.tokenHash),
    uniqueIndex('invitations_pending_email')
      .on(t.workspaceId, t.email)
      .where(sql`accepted_at IS NULL AND revoked_at IS NULL`),
  ],
)

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value; the cookie value itself is never stored. */
    id: text('id').primaryKey(),
    userId: ref('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index().on(t.userId), index().on(t.expiresAt)],
)

export const apiTokens = pgTable(
  'api_tokens',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: text('name').notNull(),
    /** SHA-256 of the token; tokens are 256-bit random so a fast hash is sufficient. */
    tokenHash: text('token_hash').notNull(),
    tokenPrefix: text('token_prefix').notNull(),
    createdByUserId: ref('created_by_user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.tokenHash)],
)
