import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { eq } from 'drizzle-orm'
import { contacts } from '../db/schema'
import { TestClient } from '../test/client'
import { buildContact, buildUser, buildWorkspace, setupOwner, TEST_PASSWORD } from '../test/factories'
import { startTestServer, type TestServer } from '../test/harness'
import { startSmtpSink } from '../test/smtp-sink'

const tokenOf = (url: string) => new URL(url).hash.replace('#token=', '')

describe('invitations without SMTP (rule 103)', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  let base: string
  before(async () => {
    server = await startTestServer()
    owner = await setupOwner(server)
    base = `/api/v1/workspaces/${owner.workspaceId}`
  })
  after(() => server.close())

  test('an invitation stays pending until accepted, then the new user is signed in with that role', async () => {
    const res = await owner.client.post(`${base}/invitations`, {
      email: 'Agent.One@Acme.test',
      role: 'agent',
    })
    assert.equal(res.status, 201)
    assert.equal(res.body.emailed, false)
    assert.match(res.body.inviteUrl, /^http:\/\/localhost:\d+\/invite#token=inv_\d+_/)
    assert.equal(res.body.invitation.email, 'agent.one@acme.test')
    const listed = await owner.client.get(`${base}/users`)
    assert.deepEqual(
      listed.body.invitations.map((i: { email: string }) => i.email),
      ['agent.one@acme.test'],
    )

    const token = tokenOf(res.body.inviteUrl)
    const invitee = new TestClient(server.app)
    const info = await invitee.post('/api/v1/invitations/lookup', { token })
    assert.equal(info.status, 200)
    assert.deepEqual(
      {
        email: info.body.email,
        role: info.body.role,
        ws: info.body.workspaceName,
        existing: info.body.existingUser,
      },
      { email: 'agent.one@acme.test', role: 'agent', ws: 'Support', existing: false },
    )
    const weak = await invitee.post('/api/v1/invitations/accept', {
      token,
      name: 'Agent One',
      password: 'short',
    })
    assert.equal(weak.status, 400)
    const noName = await invitee.post('/api/v1/invitations/accept', { token, password: TEST_PASSWORD })
    assert.equal(noName.status, 400)
    assert.equal(noName.body.error.fields[0].path, 'name')
    const accepted = await invitee.post('/api/v1/invitations/accept', {
      token,
      name: 'Agent One',
      password: TEST_PASSWORD,
      locale: 'ar',
    })
    assert.equal(accepted.status, 200)
    assert.equal(accepted.body.workspaceId, owner.workspaceId)
    const session = await invitee.get('/api/v1/auth/session')
    assert.deepEqual(session.body.workspaces, [{ id: owner.workspaceId, name: 'Support', role: 'agent' }])
    assert.equal(session.body.user.locale, 'ar')

    const after = await owner.client.get(`${base}/users`)
    assert.equal(after.body.invitations.length, 0)
    assert.ok(
      after.body.members.some(
        (m: { email: string; role: string }) => m.email === 'agent.one@acme.test' && m.role === 'agent',
      ),
    )

    const reuse = await new TestClient(server.app).post('/api/v1/invitations/accept', {
      token,
      name: 'X',
      password: TEST_PASSWORD,
    })
    assert.equal(reuse.status, 410)
    assert.equal(reuse.body.error.code, 'invitation_used')
  })

  test('expired, revoked, replaced and garbage tokens get precise errors and change nothing', async () => {
    const expiring = await owner.client.post(`${base}/invitations`, {
      email: 'late@acme.test',
      role: 'agent',
    })
    server.clock.advance(8 * 24 * 3600_000)
    const expired = await new TestClient(server.app).post('/api/v1/invitations/accept', {
      token: tokenOf(expiring.body.inviteUrl),
      name: 'Late',
      password: TEST_PASSWORD,
    })
    server.clock.offsetMs = 0
    assert.equal(expired.status, 410)
    assert.equal(expired.body.error.code, 'invitation_expired')

    const revoking = await owner.client.post(`${base}/invitations`, {
      email: 'gone@acme.test',
      role: 'agent',
    })
    assert.equal(
      (await owner.client.delete(`${base}/invitations/${revoking.body.invitation.id}`)).status,
      200,
    )
    const revoked = await new TestClient(server.app).post('/api/v1/invitations/lookup', {
      token: tokenOf(revoking.body.inviteUrl),
    })
    assert.equal(revoked.status, 410)
    assert.equal(revoked.body.error.code, 'invitation_revoked')

    const resending = await owner.client.post(`${base}/invitations`, {
      email: 'again@acme.test',
      role: 'agent',
    })
    const resent = await owner.client.post(`${base}/invitations/${resending.body.invitation.id}/resend`)
    assert.equal(resent.status, 200)
    assert.notEqual(tokenOf(resent.body.inviteUrl), tokenOf(resending.body.inviteUrl))
    const oldLink = await new TestClient(server.app).post('/api/v1/invitations/lookup', {
      token: tokenOf(resending.body.inviteUrl),
    })
    assert.equal(oldLink.status, 404)
    const newLink = await new TestClient(server.app).post('/api/v1/invitations/lookup', {
      token: tokenOf(resent.body.inviteUrl),
    })
    assert.equal(newLink.status, 200)

    for (const token of ['garbage', `inv_${owner.workspaceId}_${'A'.repeat(43)}`, 'inv_99999_x']) {
      const res = await new TestClient(server.app).post('/api/v1/invitations/lookup', { token })
      assert.equal(res.status, 404, token)
    }
    const members = await owner.client.get(`${base}/users`)
    assert.ok(
      !members.body.members.some((m: { email: string }) =>
        ['late@acme.test', 'gone@acme.test'].includes(m.email),
      ),
    )
  })

  test('duplicate invitations and existing members are refused with 409', async () => {
    await owner.client.post(`${base}/invitations`, { email: 'dup@acme.test', role: 'agent' })
    const dup = await owner.client.post(`${base}/invitations`, { email: 'DUP@acme.test', role: 'manager' })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error.code, 'already_invited')
    const member = await owner.client.post(`${base}/invitations`, { email: 'owner@acme.test', role: 'agent' })
    assert.equal(member.status, 409)
    assert.equal(member.body.error.code, 'already_member')
    const bad = await owner.client.post(`${base}/invitations`, { email: 'nope', role: 'boss' })
    assert.equal(bad.status, 400)
    assert.deepEqual(bad.body.error.fields.map((f: { path: string }) => f.path).sort(), [
      'body.email',
      'body.role',
    ])
    const unknownTeam = await owner.client.post(`${base}/invitations`, {
      email: 'teamless@acme.test',
      role: 'agent',
      teamId: 999999,
    })
    assert.equal(unknownTeam.status, 404)
  })

  test('managers invite agents only; agents cannot invite (rule 100)', async () => {
    const manager = await buildUser(server, owner.workspaceId, 'manager')
    assert.equal(
      (await manager.client.post(`${base}/invitations`, { email: 'm-agent@acme.test', role: 'agent' }))
        .status,
      201,
    )
    const up = await manager.client.post(`${base}/invitations`, { email: 'm-mgr@acme.test', role: 'manager' })
    assert.equal(up.status, 403)
    assert.match(up.body.error.message, /cannot grant the Manager access level/)
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    assert.equal(
      (await agent.client.post(`${base}/invitations`, { email: 'a-agent@acme.test', role: 'agent' })).status,
      403,
    )
  })

  test('an existing user (of another workspace) accepts with their own password', async () => {
    const other = await buildWorkspace(server)
    const inv = await owner.client.post(`${base}/invitations`, { email: other.owner.email, role: 'manager' })
    const token = tokenOf(inv.body.inviteUrl)
    const info = await other.owner.client.post('/api/v1/invitations/lookup', { token })
    assert.equal(info.body.existingUser, true)
    const wrong = await new TestClient(server.app).post('/api/v1/invitations/accept', {
      token,
      password: 'not-their-password',
    })
    assert.equal(wrong.status, 401)
    const ok = await new TestClient(server.app).post('/api/v1/invitations/accept', {
      token,
      password: TEST_PASSWORD,
    })
    assert.equal(ok.status, 200)
    const session = await other.owner.client.get('/api/v1/auth/session')
    assert.deepEqual(
      session.body.workspaces.map((w: { id: number; role: string }) => [w.id, w.role]),
      [
        [owner.workspaceId, 'manager'],
        [other.workspaceId, 'owner'],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    )
  })
})

describe('invitations by email (SMTP)', () => {
  let server: TestServer
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>
  before(async () => {
    smtp = await startSmtpSink()
    server = await startTestServer({ config: { smtpUrl: smtp.url, mailFrom: 'Tawasul <noreply@acme.test>' } })
  })
  after(async () => {
    await server.close()
    await smtp.close()
  })

  test('the invitation is emailed (not shown to the inviter) and its link works', async () => {
    const owner = await setupOwner(server, { language: 'ar' })
    const res = await owner.client.post(`/api/v1/workspaces/${owner.workspaceId}/invitations`, {
      email: 'mail-agent@acme.test',
      role: 'agent',
    })
    assert.equal(res.status, 201)
    assert.equal(res.body.emailed, true)
    assert.equal(res.body.inviteUrl, null)
    const mail = await smtp.waitFor(
      (m) => m.to !== undefined && JSON.stringify(m.to).includes('mail-agent@acme.test'),
    )
    assert.match(mail.subject ?? '', /دعوة للانضمام إلى Support/)
    assert.equal(mail.from?.value[0]?.address, 'noreply@acme.test')
    const link = /http:\/\/\S+#token=(inv_\S+)/.exec(mail.text ?? '')
    assert.ok(link, mail.text)
    const accept = await new TestClient(server.app).post('/api/v1/invitations/accept', {
      token: link[1],
      name: 'Mail Agent',
      password: TEST_PASSWORD,
    })
    assert.equal(accept.status, 200)
  })
})

describe('editing and revoking access (rules 34, 103)', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  let base: string
  before(async () => {
    server = await startTestServer()
    owner = await setupOwner(server)
    base = `/api/v1/workspaces/${owner.workspaceId}`
  })
  after(() => server.close())

  test('owners change access levels and restrictions; flags that do not fit the role are dropped', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const res = await owner.client.patch(`${base}/users/${agent.userId}`, {
      restrictions: { contactVisibility: 'own', hideShortcuts: true, restrictSettings: true },
    })
    assert.equal(res.status, 200)
    assert.equal(res.body.restrictions.contactVisibility, 'own')
    assert.equal(res.body.restrictions.hideShortcuts, true)
    assert.equal(res.body.restrictions.restrictSettings, false)
    const promoted = await owner.client.patch(`${base}/users/${agent.userId}`, {
      role: 'manager',
      restrictions: { restrictExport: true },
    })
    assert.equal(promoted.body.role, 'manager')
    assert.equal(promoted.body.restrictions.contactVisibility, 'all', 'agent-only flags reset on promotion')
    assert.equal(promoted.body.restrictions.restrictExport, true)
  })

  test('nobody edits or revokes themselves; managers manage agents only', async () => {
    const self = await owner.client.patch(`${base}/users/${owner.userId}`, { role: 'agent' })
    assert.equal(self.status, 403)
    assert.equal(self.body.error.message, 'You cannot edit or revoke your own access.')
    assert.equal((await owner.client.delete(`${base}/users/${owner.userId}`)).status, 403)

    const manager = await buildUser(server, owner.workspaceId, 'manager')
    const otherManager = await buildUser(server, owner.workspaceId, 'manager')
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    assert.equal(
      (await manager.client.patch(`${base}/users/${otherManager.userId}`, { role: 'agent' })).status,
      403,
    )
    assert.equal(
      (await manager.client.patch(`${base}/users/${agent.userId}`, { role: 'manager' })).status,
      403,
    )
    const ok = await manager.client.patch(`${base}/users/${agent.userId}`, {
      restrictions: { contactVisibility: 'team' },
    })
    assert.equal(ok.status, 200)
    assert.equal((await manager.client.patch(`${base}/users/${owner.userId}`, { role: 'agent' })).status, 403)
    assert.equal((await owner.client.patch(`${base}/users/999999`, { role: 'agent' })).status, 404)
    const typo = await owner.client.patch(`${base}/users/${agent.userId}`, {
      role: 'agent',
      restrictions: { canFly: true },
    })
    assert.equal(typo.status, 400)
    assert.equal(typo.body.error.fields[0].path, 'body.restrictions.canFly')
  })

  test("revoking unassigns the user's contacts, or moves them all to a chosen user", async () => {
    const leaving = await buildUser(server, owner.workspaceId, 'agent')
    const heir = await buildUser(server, owner.workspaceId, 'agent')
    const c1 = await buildContact(server, owner.workspaceId, { assigneeUserId: leaving.userId })
    const c2 = await buildContact(server, owner.workspaceId, { assigneeUserId: leaving.userId })
    const bystander = await buildContact(server, owner.workspaceId, { assigneeUserId: heir.userId })

    const toSelf = await owner.client.delete(`${base}/users/${leaving.userId}`, {
      reassignContactsTo: leaving.userId,
    })
    assert.equal(toSelf.status, 422)
    const toStranger = await owner.client.delete(`${base}/users/${leaving.userId}`, {
      reassignContactsTo: 424242,
    })
    assert.equal(toStranger.status, 422)

    const res = await owner.client.delete(`${base}/users/${leaving.userId}`, {
      reassignContactsTo: heir.userId,
    })
    assert.equal(res.status, 200)
    assert.equal(res.body.contactsMoved, 2)
    const rows = await server.ctx.db
      .select()
      .from(contacts)
      .where(eq(contacts.workspaceId, owner.workspaceId))
    const assignee = (id: number) => rows.find((r) => r.id === id)?.assigneeUserId
    assert.deepEqual(
      [assignee(c1.id), assignee(c2.id), assignee(bystander.id)],
      [heir.userId, heir.userId, heir.userId],
    )
    assert.equal(
      (await leaving.client.get(`/api/v1/workspaces/${owner.workspaceId}`)).status,
      404,
      'access is gone',
    )

    const second = await buildUser(server, owner.workspaceId, 'agent')
    const c3 = await buildContact(server, owner.workspaceId, { assigneeUserId: second.userId })
    assert.equal((await owner.client.delete(`${base}/users/${second.userId}`)).status, 200)
    const [row] = await server.ctx.db.select().from(contacts).where(eq(contacts.id, c3.id))
    assert.equal(row!.assigneeUserId, null)
    const events = await server.ctx.database.query<{ type: string }>(
      `SELECT type FROM events WHERE workspace_id = $1 AND type = 'contact.assignee_updated'`,
      [owner.workspaceId],
    )
    assert.equal(events.rows.length, 3)
  })

  test('users export as CSV, unless the manager is restricted from data export (rule 101)', async () => {
    await buildUser(server, owner.workspaceId, 'agent', { name: 'نورة العتيبي', email: 'noura@acme.test' })
    await owner.client.post(`${base}/invitations`, { email: 'pending@acme.test', role: 'agent' })
    const csv = await owner.client.get(`${base}/users/export`)
    assert.equal(csv.status, 200)
    assert.match(String(csv.headers['content-type']), /text\/csv; charset=utf-8/)
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="users-\d+\.csv"/)
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    assert.equal(lines[0], 'Name,Email,Access level,Team,Status,Restrictions,Joined or invited at')
    assert.ok(lines.some((l) => l.startsWith('نورة العتيبي,noura@acme.test,agent,,active')))
    assert.ok(lines.some((l) => l.includes('pending@acme.test,agent,,pending')))

    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictExport: true },
    })
    const denied = await restricted.client.get(`${base}/users/export`)
    assert.equal(denied.status, 403)
    assert.match(denied.body.error.message, /data export is restricted/)
    assert.equal((await restricted.client.get(`${base}/users`)).status, 200)
  })

  test("another workspace's users and invitations are unreachable", async () => {
    const other = await buildWorkspace(server)
    const stranger = await buildUser(server, other.workspaceId, 'agent')
    assert.equal(
      (await owner.client.patch(`${base}/users/${stranger.userId}`, { role: 'manager' })).status,
      404,
    )
    assert.equal((await owner.client.delete(`${base}/users/${stranger.userId}`)).status, 404)
    assert.equal((await owner.client.get(`/api/v1/workspaces/${other.workspaceId}/users`)).status, 404)
    const theirInvite = await other.owner.client.post(`/api/v1/workspaces/${other.workspaceId}/invitations`, {
      email: 'theirs@acme.test',
      role: 'agent',
    })
    assert.equal(
      (await owner.client.delete(`${base}/invitations/${theirInvite.body.invitation.id}`)).status,
      404,
    )
    const [m] = (
      await other.owner.client.get(`/api/v1/workspaces/${other.workspaceId}/users`)
    ).body.members.filter((x: { userId: number }) => x.userId === stranger.userId)
    assert.equal(m.role, 'agent')
  })
})

describe('teams (rule 107)', () => {
  let server: TestServer
  let owner: Awaited<ReturnType<typeof setupOwner>>
  let base: string
  before(async () => {
    server = await startTestServer()
    owner = await setupOwner(server)
    base = `/api/v1/workspaces/${owner.workspaceId}`
  })
  after(() => server.close())

  test('create, rename, add members, one team per user, remove and delete', async () => {
    const sales = await owner.client.post(`${base}/teams`, { name: 'Sales', description: 'Inbound leads' })
    assert.equal(sales.status, 201)
    const support = await owner.client.post(`${base}/teams`, { name: 'الدعم' })
    assert.equal(support.status, 201)
    const dup = await owner.client.post(`${base}/teams`, { name: 'SALES' })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.error.code, 'duplicate_name')

    const agent = await buildUser(server, owner.workspaceId, 'agent', { name: 'Sami' })
    assert.equal(
      (await owner.client.put(`${base}/teams/${sales.body.id}/members/${agent.userId}`)).status,
      200,
    )
    assert.equal(
      (await owner.client.put(`${base}/teams/${sales.body.id}/members/${agent.userId}`)).status,
      200,
      'idempotent',
    )
    const second = await owner.client.put(`${base}/teams/${support.body.id}/members/${agent.userId}`)
    assert.equal(second.status, 409)
    assert.equal(second.body.error.code, 'already_in_team')
    assert.match(second.body.error.message, /already in the team "Sales"/)

    const list = await owner.client.get(`${base}/teams`)
    assert.deepEqual(
      list.body.map((t: { name: string; members: { name: string }[] }) => [
        t.name,
        t.members.map((m) => m.name),
      ]),
      [
        ['Sales', ['Sami']],
        ['الدعم', []],
      ],
    )
    const users = await owner.client.get(`${base}/users`)
    assert.equal(
      users.body.members.find((m: { userId: number }) => m.userId === agent.userId).team.name,
      'Sales',
    )

    assert.equal(
      (await owner.client.delete(`${base}/teams/${sales.body.id}/members/${agent.userId}`)).status,
      200,
    )
    assert.equal(
      (await owner.client.delete(`${base}/teams/${sales.body.id}/members/${agent.userId}`)).status,
      404,
    )
    assert.equal(
      (await owner.client.put(`${base}/teams/${support.body.id}/members/${agent.userId}`)).status,
      200,
    )
    const renamed = await owner.client.patch(`${base}/teams/${support.body.id}`, { name: 'Support' })
    assert.equal(renamed.body.name, 'Support')
    assert.equal((await owner.client.delete(`${base}/teams/${support.body.id}`)).status, 200)
    const after = await owner.client.get(`${base}/users`)
    assert.equal(after.body.members.find((m: { userId: number }) => m.userId === agent.userId).team, null)
    assert.equal(
      (await owner.client.put(`${base}/teams/${support.body.id}/members/${agent.userId}`)).status,
      404,
    )
  })

  test('agents and settings-restricted managers cannot manage teams', async () => {
    const agent = await buildUser(server, owner.workspaceId, 'agent')
    const restricted = await buildUser(server, owner.workspaceId, 'manager', {
      restrictions: { restrictSettings: true },
    })
    for (const c of [agent.client, restricted.client]) {
      const res = await c.post(`${base}/teams`, { name: 'Nope' })
      assert.equal(res.status, 403)
    }
    const names = (await owner.client.get(`${base}/teams`)).body.map((t: { name: string }) => t.name)
    assert.ok(!names.includes('Nope'))
  })
})
