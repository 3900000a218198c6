import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, get, patch, post, put } from '../../api/client'
import type { ClosingCategory, WorkspaceSettings } from '../../api/types'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Checkbox, Field, SelectField, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Loading, Page } from '../../ui/Page'
import { useAction } from '../../ui/useAction'
import { useView } from '../contacts/queries'
import { splitMinutes, UNITS, type Unit } from './helpers'
import { MoveButtons } from './MoveButtons'
import { RequireCapability } from './SettingsLayout'

const MODES = ['optional', 'category_required', 'category_and_summary_required', 'disabled'] as const
type Mode = (typeof MODES)[number]

/** Rule 105: "Closing Notes / Conversations" settings, Owners and Managers. */
export function ConversationsSettings() {
  return (
    <RequireCapability capability="settings.general">
      <ClosingSettings />
    </RequireCapability>
  )
}

function ClosingSettings() {
  const { t } = useTranslation()
  const view = useView()
  const ws = view.workspace.id
  const qc = useQueryClient()
  const [mode, setMode] = useState<Mode>(view.workspace.closingNotesMode)
  const initial = splitMinutes(view.workspace.autoCloseMinutes ?? 1440)
  const [autoClose, setAutoClose] = useState(view.workspace.autoCloseMinutes !== null)
  const [amount, setAmount] = useState(String(initial.amount))
  const [unit, setUnit] = useState<Unit>(initial.unit)
  const save = useMutation({
    mutationFn: async () => {
      await patch<WorkspaceSettings>(`/api/v1/workspaces/${ws}`, {
        closingNotesMode: mode,
        autoCloseMinutes: autoClose ? Math.round(Number(amount) * UNITS[unit]) : null,
      })
      await qc.invalidateQueries({ queryKey: ['workspace', ws] })
    },
  })
  const errors = formErrors(save.error)
  return (
    <Page title={t('settings.nav.conversations')} description={t('closing.description')}>
      <form
        className="form-narrow card"
        onSubmit={(e) => {
          e.preventDefault()
          save.mutate()
        }}
        aria-labelledby="closing-mode-title"
      >
        <h2 id="closing-mode-title">{t('closing.modeTitle')}</h2>
        {save.isSuccess && <Alert kind="success">{t('common.saved')}</Alert>}
        <ErrorAlert error={errors.alert} />
        <fieldset className="radio-group">
          <legend className="radio-group-label">{t('closing.mode')}</legend>
          {MODES.map((m) => (
            <label key={m} className="radio">
              <input type="radio" name="closing-mode" checked={mode === m} onChange={() => setMode(m)} />
              <span>
                {t(`closing.modes.${m}`)}
                <span className="field-hint">{t(`closing.modeHints.${m}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <h2>{t('closing.autoCloseTitle')}</h2>
        <Checkbox
          label={t('closing.autoClose')}
          hint={t('closing.autoCloseHint')}
          checked={autoClose}
          onChange={setAutoClose}
        />
        {autoClose && (
          <div className="inline-form">
            <TextField
              label={t('closing.after')}
              type="number"
              min={1}
              value={amount}
              onChange={setAmount}
              error={errors.field('autoCloseMinutes')}
            />
            <SelectField
              label={t('closing.unit')}
              value={unit}
              onChange={(v) => setUnit(v as Unit)}
              options={(Object.keys(UNITS) as Unit[]).map((u) => ({
                value: u,
                label: t(`closing.units.${u}`),
              }))}
            />
          </div>
        )}
        <Button type="submit" variant="primary" busy={save.isPending}>
          {t('common.save')}
        </Button>
      </form>
      <Categories ws={ws} />
    </Page>
  )
}

/** Rules 35 and 38: the categories offered when closing, in order, with a description. */
function Categories({ ws }: { ws: number }) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const key = ['closing-categories', ws]
  const base = `/api/v1/workspaces/${ws}/closing-categories`
  const categories = useQuery({ queryKey: key, queryFn: () => get<ClosingCategory[]>(base) })
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [describing, setDescribing] = useState<ClosingCategory | null>(null)
  const { act, error } = useAction(() => qc.invalidateQueries({ queryKey: key }))
  if (categories.isLoading) return <Loading />
  const list = categories.data ?? []
  const ids = list.map((c) => c.id)
  return (
    <section className="card categories" aria-labelledby="categories-title">
      <h2 id="categories-title">{t('closing.categories')}</h2>
      <ErrorAlert error={formErrors(error).alert ?? categories.error} />
      {list.length === 0 && <p className="muted">{t('closing.noCategories')}</p>}
      <ul className="plain-list">
        {list.map((c) => (
          <li key={c.id} className="stage-row" data-category={c.name}>
            <span>
              <strong dir="auto">{c.name}</strong>
              {c.description && (
                <span className="field-hint" dir="auto">
                  {c.description}
                </span>
              )}
            </span>
            <span className="cell-actions">
              <MoveButtons
                ids={ids}
                id={c.id}
                name={c.name}
                onMove={(order) => act(() => put(`${base}/order`, { categoryIds: order }))}
              />
              <Button variant="ghost" onClick={() => setDescribing(c)}>
                {t('closing.editDescription')}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  if (window.confirm(t('closing.confirmDelete', { name: c.name })))
                    void act(() => del(`${base}/${c.id}`))
                }}
              >
                {t('common.delete')}
              </Button>
            </span>
          </li>
        ))}
      </ul>
      <form
        className="form-narrow"
        onSubmit={async (e) => {
          e.preventDefault()
          if (await act(() => post(base, { name, description }))) {
            setName('')
            setDescription('')
          }
        }}
      >
        <TextField
          label={t('closing.categoryName')}
          value={name}
          onChange={setName}
          error={formErrors(error).field('name')}
          required
          dir="auto"
        />
        <TextField
          label={t('closing.categoryDescription')}
          hint={t('closing.categoryDescriptionHint')}
          value={description}
          onChange={setDescription}
          dir="auto"
        />
        <Button type="submit" variant="primary">
          {t('closing.addCategory')}
        </Button>
      </form>
      {describing && (
        <DescriptionDialog
          category={describing}
          url={`${base}/${describing.id}`}
          onClose={() => setDescribing(null)}
          onDone={() => qc.invalidateQueries({ queryKey: key })}
        />
      )}
    </section>
  )
}

/** Rule 38: the description agents see in the closing dialog. */
function DescriptionDialog({
  category,
  url,
  onClose,
  onDone,
}: {
  category: ClosingCategory
  url: string
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [description, setDescription] = useState(category.description)
  const save = useMutation({
    mutationFn: async () => {
      await patch(url, { description })
      await onDone()
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={t('closing.describeTitle', { name: category.name })}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
    >
      <Field
        label={t('closing.categoryDescription')}
        hint={t('closing.categoryDescriptionHint')}
        error={errors.field('description')}
      >
        {(id, describedBy) => (
          <textarea
            id={id}
            rows={4}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            aria-describedby={describedBy}
            aria-invalid={errors.field('description') ? true : undefined}
            dir="auto"
          />
        )}
      </Field>
    </FormDialog>
  )
}
