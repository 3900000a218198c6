import {
  NO_RESTRICTIONS,
  normalizeRestrictions,
  type Restrictions,
  type Role,
} from '../../shared/permissions'
import { hashPassword } from '../auth/passwords'
import { insertDefaultStages } from '../contacts/lifecycle.repo'
import type { Db } from '../db/database'
import { contacts, messages } from '../db/schema'
import { insertTeamMember } from '../teams/teams.repo'
import { addOrganizationMember, insertMember, insertUser } from '../users/users.repo'
import { insertOrganization, insertWorkspace } from '../workspaces/workspaces.repo'
import { TestClient } from './client'
import type { TestServer } from './harness'

export const TEST_PASSWORD = 'Correct-Horse-42-Battery'
let seq = 0
const unique = () => `${process.pid}${++seq}`

/** First-run setup through the API; returns the owner's signed-in client. */
export async function setupOwner(
  server: Pick<TestServer, 'app'>,
  body: Partial<Record<string, string>> = {},
) {
  const client = new TestClient(server.app)
  const res = await client.post('/api/v1/setup', {
    organizationName: 'Acme Trading',
    workspaceName: 'Support',
    name: 'Olivia Owner',
    email: 'owner@acme.test',
    password: TEST_PASSWORD,
    ...body,
  })
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`)
  return { client, workspaceId: res.body.workspaceId as number, userId: res.body.user.id as number }
}

/** Another organization and workspace with its own owner, created directly (setup is one-time). */
export async function buildWorkspace(server: TestServer, name = `Other ${unique()}`) {
  const db = server.ctx.db
  const orgId = await insertOrganization(db, `${name} Org`)
  const ws = await insertWorkspace(db, { organizationId: orgId, name })
  await insertDefaultStages(db, ws.id, 'en')
  const owner = await buildUser(server, ws.id, 'owner')
  await addOrganizationMember(db, orgId, owner.userId, 'admin')
  return { workspaceId: ws.id, organizationId: orgId, owner }
}

/** A member of a workspace with a known password, signed in through the API. */
export async function buildUser(
  server: TestServer,
  workspaceId: number,
  role: Role,
  opts: { restrictions?: Partial<Restrictions>; email?: string; name?: string; teamId?: number } = {},
) {
  const email = opts.email ?? `${role}-${unique()}@acme.test`
  const user = await insertUser(server.ctx.db, {
    email,
    name: opts.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${unique()}`,
    passwordHash: await hashPassword(TEST_PASSWORD),
    locale: 'en',
  })
  await insertMember(
    server.ctx.db,
    workspaceId,
    user.id,
    role,
    normalizeRestrictions(role, { ...NO_RESTRICTIONS, ...opts.restrictions }),
  )
  if (opts.teamId) await insertTeamMember(server.ctx.db, workspaceId, opts.teamId, user.id)
  const client = new TestClient(server.app)
  const res = await client.post('/api/v1/auth/login', { email, password: TEST_PASSWORD })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`)
  return { client, userId: user.id, email }
}

export async function buildContact(
  server: TestServer,
  workspaceId: number,
  values: Partial<typeof contacts.$inferInsert> = {},
) {
  const [row] = await server.ctx.db
    .insert(contacts)
    .values({ workspaceId, firstName: `Contact ${unique()}`, ...values })
    .returning()
  return row!
}

/**
 * A long history for one contact (alternating in/out text messages, one minute apart, ending now),
 * inserted directly: for UI tests and benchmarks of long threads, not for message rules.
 */
export async function buildMessages(
  db: Db,
  workspaceId: number,
  o: { contactId: number; channelId: number; count: number; now?: Date },
) {
  const end = (o.now ?? new Date()).getTime()
  for (let start = 0; start < o.count; start += 500) {
    const rows = []
    for (let i = start; i < Math.min(o.count, start + 500); i++) {
      const inbound = i % 2 === 0
      rows.push({
        workspaceId,
        contactId: o.contactId,
        channelId: o.channelId,
        direction: inbound ? ('in' as const) : ('out' as const),
        authorKind: inbound ? ('contact' as const) : ('api' as const),
        type: 'text' as const,
        text: `Message ${i + 1}${i % 7 === 0 ? ' — a longer line so rows have different heights, as real threads do.' : ''}`,
        status: inbound ? ('received' as const) : ('delivered' as const),
        createdAt: new Date(end - (o.count - i) * 60_000),
      })
    }
    await db.insert(messages).values(rows)
  }
}
