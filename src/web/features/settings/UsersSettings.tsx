import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useOutletContext } from 'react-router'
import {
  canGrantRole,
  canManageMember,
  NO_RESTRICTIONS,
  normalizeRestrictions,
  ROLES,
} from '../../../shared/permissions'
import { del, get, patch, post } from '../../api/client'
import { useSession } from '../../api/session'
import type {
  Invitation,
  InviteResult,
  Member,
  Restrictions,
  Role,
  Team,
  WorkspaceView,
} from '../../api/types'
import { formatDateTime } from '../../i18n'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { Checkbox, SelectField, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Avatar, Badge, Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { RestrictionsEditor, useRestrictionSummary } from './RestrictionsEditor'
import { RequireCapability } from './SettingsLayout'

type UsersData = { members: Member[]; invitations: Invitation[] }

export function UsersSettings() {
  return (
    <RequireCapability capability="settings.users">
      <Users />
    </RequireCapability>
  )
}

function Users() {
  const { t, i18n } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  const ws = view.workspace.id
  const session = useSession()
  const me = session.data!.user.id
  const qc = useQueryClient()
  const users = useQuery({
    queryKey: ['users', ws],
    queryFn: () => get<UsersData>(`/api/v1/workspaces/${ws}/users`),
  })
  const [inviting, setInviting] = useState(false)
  const [editing, setEditing] = useState<Member | null>(null)
  const [revoking, setRevoking] = useState<Member | null>(null)
  const [actionError, setActionError] = useState<unknown>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const summary = useRestrictionSummary()
  const refresh = () => qc.invalidateQueries({ queryKey: ['users', ws] })

  if (users.isLoading) return <Loading />
  if (users.error) return <ErrorAlert error={users.error} />
  const { members, invitations } = users.data!
  const actor = { userId: me, role: view.membership.role }

  const invitationAction = async (inv: Invitation, action: 'resend' | 'revoke') => {
    setActionError(null)
    setNotice(null)
    try {
      if (action === 'revoke') {
        await del(`/api/v1/workspaces/${ws}/invitations/${inv.id}`)
        setNotice(t('users.invitationRevoked', { email: inv.email }))
      } else {
        const res = await post<InviteResult>(`/api/v1/workspaces/${ws}/invitations/${inv.id}/resend`)
        setNotice(
          res.inviteUrl
            ? t('users.inviteLinkReady', { url: res.inviteUrl })
            : t('users.invitationEmailed', { email: inv.email }),
        )
      }
      await refresh()
    } catch (err) {
      setActionError(err)
    }
  }

  return (
    <Page
      title={t('settings.nav.users')}
      description={t('users.description')}
      actions={
        <>
          {view.capabilities['data.export'] && (
            <a className="btn btn-secondary" href={`/api/v1/workspaces/${ws}/users/export`} download>
              {t('users.exportCsv')}
            </a>
          )}
          <Button variant="primary" onClick={() => setInviting(true)}>
            {t('users.invite')}
          </Button>
        </>
      }
    >
      {notice && <Alert kind="success">{notice}</Alert>}
      <ErrorAlert error={actionError} />
      <Table
        columns={[
          t('fields.name'),
          t('fields.email'),
          t('users.accessLevel'),
          t('users.team'),
          t('users.restrictions.title'),
        ]}
        rows={members}
        caption={t('settings.nav.users')}
      >
        {(m) => {
          const manageable = canManageMember(actor, { userId: m.userId, role: m.role }).allowed
          return (
            <tr key={m.userId} data-user-email={m.email}>
              <td>
                <span className="cell-user">
                  <Avatar name={m.name} />
                  <span dir="auto">{m.name}</span>
                  {m.userId === me && <Badge>{t('users.you')}</Badge>}
                </span>
              </td>
              <td dir="ltr" className="cell-ltr">
                {m.email}
              </td>
              <td>
                <Badge tone={m.role === 'owner' ? 'blue' : m.role === 'manager' ? 'green' : 'neutral'}>
                  {t(`roles.${m.role}`)}
                </Badge>
              </td>
              <td dir="auto">{m.team?.name ?? '—'}</td>
              <td className="muted">{summary(m.restrictions) || '—'}</td>
              <td className="cell-actions">
                {manageable && (
                  <>
                    <Button variant="ghost" onClick={() => setEditing(m)}>
                      {t('common.edit')}
                    </Button>
                    <Button variant="ghost" className="text-danger" onClick={() => setRevoking(m)}>
                      {t('users.revoke')}
                    </Button>
                  </>
                )}
              </td>
            </tr>
          )
        }}
      </Table>

      <h2 className="section-title">{t('users.pendingInvitations')}</h2>
      <Table
        columns={[t('fields.email'), t('users.accessLevel'), t('users.invitedBy'), t('users.expires')]}
        rows={invitations}
        empty={t('users.noPendingInvitations')}
      >
        {(inv) => (
          <tr key={inv.id} data-invitation-email={inv.email}>
            <td dir="ltr" className="cell-ltr">
              {inv.email}
            </td>
            <td>{t(`roles.${inv.role}`)}</td>
            <td dir="auto">{inv.invitedByName ?? '—'}</td>
            <td>
              {inv.expired ? (
                <Badge tone="red">{t('users.expired')}</Badge>
              ) : (
                formatDateTime(inv.expiresAt, i18n.language)
              )}
            </td>
            <td className="cell-actions">
              {canGrantRole(view.membership.role, inv.role).allowed && (
                <>
                  <Button variant="ghost" onClick={() => invitationAction(inv, 'resend')}>
                    {t('users.resend')}
                  </Button>
                  <Button
                    variant="ghost"
                    className="text-danger"
                    onClick={() => invitationAction(inv, 'revoke')}
                  >
                    {t('users.revokeInvitation')}
                  </Button>
                </>
              )}
            </td>
          </tr>
        )}
      </Table>

      {inviting && <InviteDialog view={view} onClose={() => setInviting(false)} onDone={refresh} />}
      {editing && (
        <EditAccessDialog view={view} member={editing} onClose={() => setEditing(null)} onDone={refresh} />
      )}
      {revoking && (
        <RevokeDialog
          view={view}
          member={revoking}
          others={members.filter((m) => m.userId !== revoking.userId)}
          onClose={() => setRevoking(null)}
          onDone={async (moved) => {
            setNotice(t('users.revoked', { name: revoking.name, count: moved }))
            await refresh()
          }}
        />
      )}
    </Page>
  )
}

function grantableRoles(view: WorkspaceView): Role[] {
  return ROLES.filter((r) => canGrantRole(view.membership.role, r).allowed)
}

function InviteDialog({
  view,
  onClose,
  onDone,
}: {
  view: WorkspaceView
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const ws = view.workspace.id
  const roles = grantableRoles(view)
  const teams = useQuery({
    queryKey: ['teams', ws],
    queryFn: () => get<Team[]>(`/api/v1/workspaces/${ws}/teams`),
    enabled: view.capabilities['settings.teams'],
  })
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>(roles.includes('agent') ? 'agent' : roles[0]!)
  const [restrictions, setRestrictions] = useState<Restrictions>(NO_RESTRICTIONS)
  const [teamId, setTeamId] = useState('')
  const [result, setResult] = useState<InviteResult | null>(null)
  const [copied, setCopied] = useState(false)

  const save = useMutation({
    mutationFn: async () => {
      const res = await post<InviteResult>(`/api/v1/workspaces/${ws}/invitations`, {
        email,
        role,
        restrictions: normalizeRestrictions(role, restrictions),
        ...(teamId ? { teamId: Number(teamId) } : {}),
      })
      setResult(res)
      await onDone()
    },
  })
  const errors = formErrors(save.error)

  if (result) {
    return (
      <Dialog
        open
        title={t('users.invite')}
        onClose={onClose}
        footer={
          <Button variant="primary" onClick={onClose}>
            {t('common.done')}
          </Button>
        }
      >
        {result.inviteUrl ? (
          <>
            <Alert kind="info">{t('users.noSmtp', { email: result.invitation.email })}</Alert>
            <div className="copy-row">
              <input
                readOnly
                value={result.inviteUrl}
                aria-label={t('users.inviteLink')}
                dir="ltr"
                data-testid="invite-link"
                onFocus={(e) => e.target.select()}
              />
              <Button
                onClick={async () => {
                  await navigator.clipboard?.writeText(result.inviteUrl!).catch(() => {})
                  setCopied(true)
                }}
              >
                {copied ? t('common.copied') : t('common.copy')}
              </Button>
            </div>
          </>
        ) : (
          <Alert kind="success">{t('users.invitationEmailed', { email: result.invitation.email })}</Alert>
        )}
      </Dialog>
    )
  }
  return (
    <FormDialog
      title={t('users.invite')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
      submitLabel={t('users.sendInvitation')}
      noValidate
    >
      <TextField
        label={t('fields.email')}
        type="email"
        value={email}
        onChange={setEmail}
        error={errors.field('email')}
        required
        autoFocus
        dir="ltr"
      />
      <SelectField
        label={t('users.accessLevel')}
        value={role}
        onChange={(v) => setRole(v as Role)}
        options={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
        error={errors.field('role')}
      />
      <p className="muted">{t(`roles.describe.${role}`)}</p>
      <RestrictionsEditor role={role} value={restrictions} onChange={setRestrictions} />
      {teams.data && teams.data.length > 0 && (
        <SelectField
          label={t('users.team')}
          value={teamId}
          onChange={setTeamId}
          options={[
            { value: '', label: t('users.noTeam') },
            ...teams.data.map((tm) => ({ value: String(tm.id), label: tm.name })),
          ]}
        />
      )}
    </FormDialog>
  )
}

function EditAccessDialog({
  view,
  member,
  onClose,
  onDone,
}: {
  view: WorkspaceView
  member: Member
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const roles = grantableRoles(view)
  const [role, setRole] = useState<Role>(member.role)
  const [restrictions, setRestrictions] = useState<Restrictions>(member.restrictions)
  const save = useMutation({
    mutationFn: async () => {
      await patch(`/api/v1/workspaces/${view.workspace.id}/users/${member.userId}`, {
        role,
        restrictions: normalizeRestrictions(role, restrictions),
      })
      await onDone()
      onClose()
    },
  })
  return (
    <FormDialog
      title={t('users.editAccess', { name: member.name })}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={save.error}
    >
      <SelectField
        label={t('users.accessLevel')}
        value={role}
        onChange={(v) => setRole(v as Role)}
        options={(roles.includes(member.role) ? roles : [member.role, ...roles]).map((r) => ({
          value: r,
          label: t(`roles.${r}`),
        }))}
      />
      <RestrictionsEditor role={role} value={restrictions} onChange={setRestrictions} />
    </FormDialog>
  )
}

function RevokeDialog({
  view,
  member,
  others,
  onClose,
  onDone,
}: {
  view: WorkspaceView
  member: Member
  others: Member[]
  onClose: () => void
  onDone: (moved: number) => unknown
}) {
  const { t } = useTranslation()
  const [reassign, setReassign] = useState(false)
  const [to, setTo] = useState(others[0] ? String(others[0].userId) : '')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    setBusy(true)
    setError(null)
    try {
      const res = await del<{ contactsMoved: number }>(
        `/api/v1/workspaces/${view.workspace.id}/users/${member.userId}`,
        {
          reassignContactsTo: reassign && to ? Number(to) : null,
        },
      )
      await onDone(res.contactsMoved)
      onClose()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Dialog
      open
      title={t('users.revokeTitle', { name: member.name })}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="danger" onClick={submit} busy={busy}>
            {t('users.revoke')}
          </Button>
        </>
      }
    >
      <ErrorAlert error={error} />
      <p>{t('users.revokeExplain')}</p>
      <Checkbox label={t('users.reassignContacts')} checked={reassign} onChange={setReassign} />
      {reassign && (
        <SelectField
          label={t('users.reassignTo')}
          value={to}
          onChange={setTo}
          options={others.map((m) => ({ value: String(m.userId), label: `${m.name} (${m.email})` }))}
        />
      )}
    </Dialog>
  )
}
