import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, patch, post, put } from '../../api/client'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Checkbox, TextField } from '../../ui/Field'
import { Badge, Loading, Page } from '../../ui/Page'
import { useAction } from '../../ui/useAction'
import { qk, useStages, useView } from '../contacts/queries'
import { InlineRename } from './InlineRename'
import { MoveButtons } from './MoveButtons'
import { RequireCapability } from './SettingsLayout'

export function LifecycleSettings() {
  return (
    <RequireCapability capability="settings.contactFields">
      <Stages />
    </RequireCapability>
  )
}

/** Rule 58: ordered stages, one default stage for new contacts, and "lost" stages. */
function Stages() {
  const { t } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const stages = useStages(ws)
  const [name, setName] = useState('')
  const [isLost, setIsLost] = useState(false)
  const [renaming, setRenaming] = useState<number | null>(null)
  const base = `/api/v1/workspaces/${ws}/lifecycle-stages`
  const { act, error } = useAction(() => qc.invalidateQueries({ queryKey: qk.stages(ws) }))
  const add = async (e: FormEvent) => {
    e.preventDefault()
    if (await act(() => post(base, { name, isLost }))) {
      setName('')
      setIsLost(false)
    }
  }
  if (stages.isLoading) return <Loading />
  const list = stages.data ?? []
  const ids = list.map((s) => s.id)
  return (
    <Page title={t('settings.nav.lifecycle')} description={t('lifecycle.description')}>
      <ErrorAlert error={formErrors(error).alert ?? stages.error} />
      <ol className="plain-list stage-list">
        {list.map((s) => (
          <li key={s.id} className="card stage-row" data-stage={s.name}>
            <span className="stage-name">
              {renaming === s.id ? (
                <InlineRename
                  label={t('lifecycle.renamePrompt')}
                  name={s.name}
                  onSave={async (name) => {
                    if (await act(() => patch(`${base}/${s.id}`, { name: name.trim() }))) setRenaming(null)
                  }}
                  onCancel={() => setRenaming(null)}
                />
              ) : (
                <span dir="auto">{s.name}</span>
              )}
              {s.isDefault && <Badge tone="green">{t('lifecycle.default')}</Badge>}
              {s.isLost && <Badge tone="red">{t('lifecycle.lost')}</Badge>}
            </span>
            <span className="cell-actions">
              <MoveButtons
                ids={ids}
                id={s.id}
                name={s.name}
                onMove={(order) => act(() => put(`${base}/order`, { stageIds: order }))}
              />
              {!s.isDefault && (
                <Button variant="ghost" onClick={() => act(() => post(`${base}/${s.id}/default`))}>
                  {t('lifecycle.makeDefault')}
                </Button>
              )}
              <Button
                variant="ghost"
                onClick={() => act(() => patch(`${base}/${s.id}`, { isLost: !s.isLost }))}
              >
                {s.isLost ? t('lifecycle.unmarkLost') : t('lifecycle.markLost')}
              </Button>
              <Button variant="ghost" onClick={() => setRenaming(s.id)}>
                {t('lifecycle.rename')}
              </Button>
              {!s.isDefault && (
                <Button
                  variant="ghost"
                  className="text-danger"
                  onClick={() => {
                    if (window.confirm(t('lifecycle.confirmDelete', { name: s.name })))
                      void act(() => del(`${base}/${s.id}`))
                  }}
                >
                  {t('common.delete')}
                </Button>
              )}
            </span>
          </li>
        ))}
      </ol>
      <form className="inline-form form-narrow" onSubmit={add}>
        <TextField
          label={t('lifecycle.newStage')}
          value={name}
          onChange={setName}
          error={formErrors(error).field('name')}
          required
          maxLength={50}
          dir="auto"
        />
        <Checkbox label={t('lifecycle.lost')} checked={isLost} onChange={setIsLost} />
        <Button type="submit" variant="primary">
          {t('lifecycle.add')}
        </Button>
      </form>
    </Page>
  )
}
