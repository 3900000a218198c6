import { foreignKey, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { citext, createdAt, ref, tenantId, updatedAt, workspaceId } from './columns'
import { workspaceMembers, workspaces } from './tenancy'

export const contacts = pgTable(
  'contacts',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    email: citext('email'),
    phone: text('phone'),
    /** Rule 32: assignment lives on the contact and survives a close. */
    assigneeUserId: ref('assignee_user_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.assigneeUserId),
    foreignKey({
      columns: [t.workspaceId, t.assigneeUserId],
      foreignColumns: [workspaceMembers.workspaceId, workspaceMembers.userId],
    }),
  ],
)
