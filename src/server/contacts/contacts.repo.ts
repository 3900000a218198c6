import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { DbOrTx } from '../db/database'
import { contactChannels, contacts, lifecycleStages, teamMembers } from '../db/schema'

export type ContactRow = typeof contacts.$inferSelect
export type IdentityRow = typeof contactChannels.$inferSelect

export async function findContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
  return row
}

/** Locks the contact row: every change to a contact's conversations and inbox row goes through it. */
export async function lockContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
): Promise<ContactRow | undefined> {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
    .for('update')
  return row
}

export async function insertContact(db: DbOrTx, values: typeof contacts.$inferInsert): Promise<ContactRow> {
  const [row] = await db.insert(contacts).values(values).returning()
  return row!
}

export async function updateContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  values: Partial<typeof contacts.$inferInsert>,
): Promise<ContactRow | undefined> {
  const [row] = await db
    .update(contacts)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
    .returning()
  return row
}

export async function findIdentity(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  identifier: string,
): Promise<IdentityRow | undefined> {
  const [row] = await db
    .select()
    .from(contactChannels)
    .where(
      and(
        eq(contactChannels.workspaceId, workspaceId),
        eq(contactChannels.channelId, channelId),
        eq(contactChannels.identifier, identifier),
      ),
    )
  return row
}

export async function findIdentityOfContact(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
  channelId: number,
  opts: { lock?: boolean } = {},
): Promise<IdentityRow | undefined> {
  const q = db
    .select()
    .from(contactChannels)
    .where(
      and(
        eq(contactChannels.workspaceId, workspaceId),
        eq(contactChannels.contactId, contactId),
        eq(contactChannels.channelId, channelId),
      ),
    )
  const [row] = opts.lock ? await q.for('update') : await q
  return row
}

export async function listIdentities(
  db: DbOrTx,
  workspaceId: number,
  contactId: number,
): Promise<IdentityRow[]> {
  return db
    .select()
    .from(contactChannels)
    .where(and(eq(contactChannels.workspaceId, workspaceId), eq(contactChannels.contactId, contactId)))
    .orderBy(asc(contactChannels.id))
}

export async function insertIdentity(
  db: DbOrTx,
  values: typeof contactChannels.$inferInsert,
): Promise<IdentityRow> {
  const [row] = await db.insert(contactChannels).values(values).returning()
  return row!
}

export async function updateIdentity(
  db: DbOrTx,
  workspaceId: number,
  identityId: number,
  values: Partial<typeof contactChannels.$inferInsert>,
): Promise<void> {
  await db
    .update(contactChannels)
    .set(values)
    .where(and(eq(contactChannels.workspaceId, workspaceId), eq(contactChannels.id, identityId)))
}

export async function defaultLifecycleStageId(db: DbOrTx, workspaceId: number): Promise<number | null> {
  const [row] = await db
    .select({ id: lifecycleStages.id })
    .from(lifecycleStages)
    .where(and(eq(lifecycleStages.workspaceId, workspaceId), eq(lifecycleStages.isDefault, true)))
  return row?.id ?? null
}

export async function teamOfUser(db: DbOrTx, workspaceId: number, userId: number): Promise<number | null> {
  const [row] = await db
    .select({ teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(eq(teamMembers.workspaceId, workspaceId), eq(teamMembers.userId, userId)))
  return row?.teamId ?? null
}

/** Keeps contacts.assignee_team_id in step when a user joins or leaves a team. */
export async function setTeamOfAssignedContacts(
  db: DbOrTx,
  workspaceId: number,
  userId: number,
  teamId: number | null,
) {
  await db
    .update(contacts)
    .set({ assigneeTeamId: teamId })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.assigneeUserId, userId)))
}

/** A deleted team's contacts belong to no team inbox any more. */
export async function clearTeamOfContacts(db: DbOrTx, workspaceId: number, teamId: number) {
  await db
    .update(contacts)
    .set({ assigneeTeamId: null })
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.assigneeTeamId, teamId)))
}

/** A transaction-scoped lock on one sender identity (workspace, channel, identifier). */
export async function lockIdentityKey(
  db: DbOrTx,
  workspaceId: number,
  channelId: number,
  identifier: string,
): Promise<void> {
  await db.execute(
    sql`SELECT pg_advisory_xact_lock(${workspaceId}::int, hashtext(${`${channelId}:${identifier}`}))`,
  )
}

/** Locks several contacts, always in id order so two bulk operations cannot deadlock. */
export async function lockContacts(
  db: DbOrTx,
  workspaceId: number,
  contactIds: number[],
): Promise<ContactRow[]> {
  if (contactIds.length === 0) return []
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, contactIds)))
    .orderBy(asc(contacts.id))
    .for('update')
}

export async function deleteContact(db: DbOrTx, workspaceId: number, contactId: number): Promise<boolean> {
  const rows = await db
    .delete(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, contactId)))
    .returning({ id: contacts.id })
  return rows.length > 0
}
