import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, patch, post, put } from '../../api/client'
import type { ContactField, FieldType } from '../../api/types'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Field, SelectField, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Badge, Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useAction } from '../../ui/useAction'
import { qk, useFields, useView } from '../contacts/queries'
import { keyFromName } from './helpers'
import { MoveButtons } from './MoveButtons'
import { RequireCapability } from './SettingsLayout'

const TYPES: FieldType[] = ['text', 'list', 'checkbox', 'email', 'number', 'url', 'date', 'time']

export function ContactFieldsSettings() {
  return (
    <RequireCapability capability="settings.contactFields">
      <Fields />
    </RequireCapability>
  )
}

function Fields() {
  const { t } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const fields = useFields(ws)
  const [editing, setEditing] = useState<ContactField | 'new' | null>(null)
  const { act, error } = useAction(() => qc.invalidateQueries({ queryKey: qk.fields(ws) }))
  if (fields.isLoading) return <Loading />
  const list = fields.data ?? []
  const ids = list.map((f) => f.id)
  const base = `/api/v1/workspaces/${ws}/contact-fields`
  return (
    <Page
      title={t('settings.nav.contactFields')}
      description={t('contactFields.description')}
      actions={
        <Button variant="primary" onClick={() => setEditing('new')}>
          {t('contactFields.add')}
        </Button>
      }
    >
      <ErrorAlert error={error ?? fields.error} />
      <p className="muted">{t('contactFields.standard')}</p>
      <Table
        columns={[
          t('contactFields.name'),
          t('contactFields.key'),
          t('contactFields.type'),
          t('contactFields.options'),
        ]}
        rows={list}
        empty={t('contactFields.empty')}
      >
        {(f) => (
          <tr key={f.id} data-field-key={f.key}>
            <td>
              <strong dir="auto">{f.name}</strong>
              {f.description && (
                <p className="field-hint" dir="auto">
                  {f.description}
                </p>
              )}
            </td>
            <td dir="ltr" className="cell-ltr">
              <code>{`$contact.${f.key}`}</code>
            </td>
            <td>
              <Badge>{t(`contactFields.types.${f.type}`)}</Badge>
            </td>
            <td dir="auto">{f.options.join(', ')}</td>
            <td className="cell-actions">
              <MoveButtons
                ids={ids}
                id={f.id}
                name={f.name}
                onMove={(order) => act(() => put(`${base}/order`, { fieldIds: order }))}
              />
              <Button variant="ghost" onClick={() => setEditing(f)}>
                {t('common.edit')}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  if (window.confirm(t('contactFields.confirmDelete', { name: f.name })))
                    void act(() => del(`${base}/${f.id}`))
                }}
              >
                {t('common.delete')}
              </Button>
            </td>
          </tr>
        )}
      </Table>
      {editing && (
        <FieldDialog
          ws={ws}
          field={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => qc.invalidateQueries({ queryKey: qk.fields(ws) })}
        />
      )}
    </Page>
  )
}

function FieldDialog({
  ws,
  field,
  onClose,
  onDone,
}: {
  ws: number
  field: ContactField | null
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [name, setName] = useState(field?.name ?? '')
  const [key, setKey] = useState(field?.key ?? '')
  const [keyTouched, setKeyTouched] = useState(false)
  const [type, setType] = useState<FieldType>(field?.type ?? 'text')
  const [description, setDescription] = useState(field?.description ?? '')
  const [options, setOptions] = useState((field?.options ?? []).join('\n'))
  const save = useMutation({
    mutationFn: async () => {
      const optionList = options
        .split('\n')
        .map((o) => o.trim())
        .filter(Boolean)
      const base = `/api/v1/workspaces/${ws}/contact-fields`
      if (field)
        await patch(`${base}/${field.id}`, {
          name,
          description,
          ...(field.type === 'list' ? { options: optionList } : {}),
        })
      else
        await post(base, {
          key,
          name,
          description,
          type,
          ...(type === 'list' ? { options: optionList } : {}),
        })
      await onDone()
      onClose()
    },
  })
  const errors = formErrors(save.error)
  const isList = (field?.type ?? type) === 'list'
  return (
    <FormDialog
      title={field ? t('contactFields.edit') : t('contactFields.add')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
    >
      <TextField
        label={t('contactFields.name')}
        value={name}
        onChange={(v) => {
          setName(v)
          if (!field && !keyTouched) setKey(keyFromName(v))
        }}
        error={errors.field('name')}
        required
        autoFocus
        dir="auto"
      />
      <TextField
        label={t('contactFields.key')}
        hint={t('contactFields.keyHint')}
        value={key}
        onChange={(v) => {
          setKeyTouched(true)
          setKey(v)
        }}
        error={errors.field('key')}
        readOnly={Boolean(field)}
        required
        dir="ltr"
      />
      <SelectField
        label={t('contactFields.type')}
        value={field?.type ?? type}
        onChange={(v) => setType(v as FieldType)}
        disabled={Boolean(field)}
        options={TYPES.map((ty) => ({ value: ty, label: t(`contactFields.types.${ty}`) }))}
      />
      <TextField
        label={t('contactFields.descriptionLabel')}
        value={description}
        onChange={setDescription}
        error={errors.field('description')}
        dir="auto"
      />
      {isList && (
        <Field
          label={t('contactFields.options')}
          error={errors.field('options')}
          hint={t('contactFields.optionsHint')}
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              rows={5}
              value={options}
              onChange={(e) => setOptions(e.target.value)}
              aria-describedby={describedBy}
              dir="auto"
            />
          )}
        </Field>
      )}
    </FormDialog>
  )
}
