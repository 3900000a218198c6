import { useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, patch, post } from '../../api/client'
import type { Tag } from '../../api/types'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Field, TextField } from '../../ui/Field'
import { Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useAction } from '../../ui/useAction'
import { formatNumber, qk, useTags, useView } from '../contacts/queries'
import { InlineRename } from './InlineRename'
import { RequireCapability } from './SettingsLayout'

export function TagsSettings() {
  return (
    <RequireCapability capability="settings.contactFields">
      <Tags />
    </RequireCapability>
  )
}

function Tags() {
  const { t, i18n } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const tags = useTags(ws)
  const [name, setName] = useState('')
  const [color, setColor] = useState('#0f766e')
  const [renaming, setRenaming] = useState<number | null>(null)
  const base = `/api/v1/workspaces/${ws}/tags`
  const { act, error } = useAction(() => qc.invalidateQueries({ queryKey: qk.tags(ws) }))
  const add = async (e: FormEvent) => {
    e.preventDefault()
    if (await act(() => post(base, { name, color }))) setName('')
  }
  if (tags.isLoading) return <Loading />
  const errors = formErrors(error)
  return (
    <Page title={t('settings.nav.tags')} description={t('tags.description')}>
      <ErrorAlert error={errors.alert ?? tags.error} />
      <form className="inline-form form-narrow" onSubmit={add}>
        <TextField
          label={t('tags.newTag')}
          value={name}
          onChange={setName}
          error={errors.field('name')}
          required
          maxLength={50}
          dir="auto"
        />
        <Field label={t('tags.color')}>
          {(id) => <input id={id} type="color" value={color} onChange={(e) => setColor(e.target.value)} />}
        </Field>
        <Button type="submit" variant="primary">
          {t('tags.add')}
        </Button>
      </form>
      <Table columns={[t('tags.name'), t('tags.contacts')]} rows={tags.data ?? []} empty={t('tags.empty')}>
        {(tag: Tag) => (
          <tr key={tag.id} data-tag={tag.name}>
            <td>
              {renaming === tag.id ? (
                <InlineRename
                  label={t('tags.rename', { name: tag.name })}
                  name={tag.name}
                  onSave={async (name) => {
                    if (await act(() => patch(`${base}/${tag.id}`, { name }))) setRenaming(null)
                  }}
                  onCancel={() => setRenaming(null)}
                />
              ) : (
                <span className="tag-chip">
                  <span
                    className="swatch"
                    style={{ background: tag.color ?? 'transparent' }}
                    aria-hidden="true"
                  />
                  <span dir="auto">{tag.name}</span>
                </span>
              )}
            </td>
            <td>{formatNumber(tag.contactCount ?? 0, i18n.language)}</td>
            <td className="cell-actions">
              <Button variant="ghost" onClick={() => setRenaming(tag.id)}>
                {t('tags.renameButton')}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  if (window.confirm(t('tags.confirmDelete', { name: tag.name })))
                    void act(() => del(`${base}/${tag.id}`))
                }}
              >
                {t('common.delete')}
              </Button>
            </td>
          </tr>
        )}
      </Table>
    </Page>
  )
}
