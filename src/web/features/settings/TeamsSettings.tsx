import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useOutletContext } from 'react-router'
import { del, get, patch, post, put } from '../../api/client'
import type { Member, Team, WorkspaceView } from '../../api/types'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Avatar, Loading, Page } from '../../ui/Page'
import { useAction } from '../../ui/useAction'
import { RequireCapability } from './SettingsLayout'

export function TeamsSettings() {
  return (
    <RequireCapability capability="settings.teams">
      <Teams />
    </RequireCapability>
  )
}

function Teams() {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  const ws = view.workspace.id
  const qc = useQueryClient()
  const teams = useQuery({
    queryKey: ['teams', ws],
    queryFn: () => get<Team[]>(`/api/v1/workspaces/${ws}/teams`),
  })
  const users = useQuery({
    queryKey: ['users', ws],
    queryFn: () => get<{ members: Member[] }>(`/api/v1/workspaces/${ws}/users`),
    enabled: view.capabilities['settings.users'],
  })
  const [editing, setEditing] = useState<Team | 'new' | null>(null)
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: ['teams', ws] })
    await qc.invalidateQueries({ queryKey: ['users', ws] })
  }
  const { act, error } = useAction(refresh)
  if (teams.isLoading) return <Loading />
  const teamless = (users.data?.members ?? []).filter((m) => !m.team)
  return (
    <Page
      title={t('settings.nav.teams')}
      description={t('teams.description')}
      actions={
        <Button variant="primary" onClick={() => setEditing('new')}>
          {t('teams.create')}
        </Button>
      }
    >
      <ErrorAlert error={error ?? teams.error} />
      {teams.data?.length === 0 && <p className="muted">{t('teams.empty')}</p>}
      <div className="cards">
        {teams.data?.map((team) => (
          <article key={team.id} className="card" data-team={team.name}>
            <header className="card-header">
              <div>
                <h2 dir="auto">{team.name}</h2>
                {team.description && (
                  <p className="muted" dir="auto">
                    {team.description}
                  </p>
                )}
              </div>
              <div className="card-actions">
                <Button variant="ghost" onClick={() => setEditing(team)}>
                  {t('common.edit')}
                </Button>
                <Button
                  variant="ghost"
                  className="text-danger"
                  onClick={() => {
                    if (window.confirm(t('teams.confirmDelete', { name: team.name }))) {
                      void act(() => del(`/api/v1/workspaces/${ws}/teams/${team.id}`))
                    }
                  }}
                >
                  {t('common.delete')}
                </Button>
              </div>
            </header>
            <ul className="member-list">
              {team.members.map((m) => (
                <li key={m.userId}>
                  <Avatar name={m.name} />
                  <span dir="auto">{m.name}</span>
                  <Button
                    variant="ghost"
                    onClick={() =>
                      act(() => del(`/api/v1/workspaces/${ws}/teams/${team.id}/members/${m.userId}`))
                    }
                  >
                    {t('teams.removeMember')}
                  </Button>
                </li>
              ))}
              {team.members.length === 0 && <li className="muted">{t('teams.noMembers')}</li>}
            </ul>
            {teamless.length > 0 && (
              <AddMember
                team={team}
                candidates={teamless}
                onAdd={(userId) =>
                  act(() => put(`/api/v1/workspaces/${ws}/teams/${team.id}/members/${userId}`))
                }
              />
            )}
          </article>
        ))}
      </div>
      <p className="muted">{t('teams.oneTeamRule')}</p>
      {editing && (
        <TeamDialog
          ws={ws}
          team={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={refresh}
        />
      )}
    </Page>
  )
}

function AddMember({
  team,
  candidates,
  onAdd,
}: {
  team: Team
  candidates: Member[]
  onAdd: (userId: number) => void
}) {
  const { t } = useTranslation()
  const [userId, setUserId] = useState('')
  return (
    <div className="inline-form">
      <SelectField
        label={t('teams.addMemberTo', { name: team.name })}
        value={userId}
        onChange={setUserId}
        options={[
          { value: '', label: t('teams.chooseUser') },
          ...candidates.map((m) => ({ value: String(m.userId), label: m.name })),
        ]}
      />
      <Button disabled={!userId} onClick={() => onAdd(Number(userId))}>
        {t('teams.addMember')}
      </Button>
    </div>
  )
}

function TeamDialog({
  ws,
  team,
  onClose,
  onDone,
}: {
  ws: number
  team: Team | null
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [name, setName] = useState(team?.name ?? '')
  const [description, setDescription] = useState(team?.description ?? '')
  const save = useMutation({
    mutationFn: async () => {
      if (team) await patch(`/api/v1/workspaces/${ws}/teams/${team.id}`, { name, description })
      else await post(`/api/v1/workspaces/${ws}/teams`, { name, description })
      await onDone()
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={team ? t('teams.edit') : t('teams.create')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
    >
      <TextField
        label={t('teams.name')}
        value={name}
        onChange={setName}
        error={errors.field('name')}
        required
        autoFocus
        dir="auto"
      />
      <TextField
        label={t('teams.descriptionLabel')}
        value={description}
        onChange={setDescription}
        error={errors.field('description')}
        dir="auto"
      />
    </FormDialog>
  )
}
