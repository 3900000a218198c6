import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useOutletContext } from 'react-router'
import { ApiError, get, post } from '../../api/client'
import type { WorkspaceView } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { SelectField, TextField } from '../../ui/Field'
import { keys, paths, type Shortcut, type ShortcutField } from './api'
import { Popover } from './Popover'

type Props = { ws: number; contactId: number }

const INPUT_TYPE: Record<ShortcutField['type'], string> = {
  text: 'text',
  number: 'number',
  email: 'email',
  phone: 'tel',
  date: 'date',
  select: 'text',
}

/**
 * Rule 68 "Shortcut": the member picks a published shortcut workflow and starts it on the contact;
 * the optional form's answers become $trigger.<key>. Rule 51: members without `shortcuts.use`
 * (agents restricted from shortcuts) do not see the button at all, nor does anyone while the
 * workspace has no shortcut.
 */
export function ShortcutsMenu({ ws, contactId }: Props) {
  const view = useOutletContext<WorkspaceView | undefined>()
  const allowed = view?.capabilities['shortcuts.use'] === true
  const { t } = useTranslation()
  const qc = useQueryClient()
  const [menu, setMenu] = useState(false)
  const [chosen, setChosen] = useState<Shortcut | null>(null)
  const [values, setValues] = useState<Record<string, string>>({})
  const [done, setDone] = useState<string | null>(null)
  const list = useQuery({
    queryKey: keys.shortcuts(ws),
    queryFn: () => get<Shortcut[]>(`/api/v1/workspaces/${ws}/shortcuts`),
    enabled: allowed,
  })
  const run = useMutation({
    mutationFn: (v: { shortcut: Shortcut; values: Record<string, string> }) =>
      post(`${paths.contact(ws, contactId)}/shortcuts/${v.shortcut.workflowId}`, { values: v.values }),
    onSuccess: (_run, v) => {
      setChosen(null)
      setValues({})
      setDone(v.shortcut.name)
      return Promise.all([
        qc.invalidateQueries({ queryKey: keys.contact(ws, contactId) }),
        qc.invalidateQueries({ queryKey: keys.timeline(ws, contactId) }),
        qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) }),
      ])
    },
  })
  // The notice fades after a while; a new run replaces it.
  useEffect(() => {
    if (!done) return
    const timer = setTimeout(() => setDone(null), 6000)
    return () => clearTimeout(timer)
  }, [done])

  if (!allowed || !list.data || list.data.length === 0) return null

  const pick = (s: Shortcut) => {
    setMenu(false)
    setDone(null)
    run.reset()
    if (s.form.length === 0) {
      run.mutate({ shortcut: s, values: {} })
      return
    }
    setValues(Object.fromEntries(s.form.map((f) => [f.key, ''])))
    setChosen(s)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!chosen) return
    const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''))
    run.mutate({ shortcut: chosen, values: filled })
  }
  const fieldError = (key: string) =>
    run.error instanceof ApiError
      ? run.error.fields.find((f) => f.path === `values.${key}`)?.message
      : undefined
  const formError =
    run.error instanceof ApiError && run.error.fields.some((f) => f.path.startsWith('values.'))
      ? null
      : run.error

  return (
    <div className="shortcuts">
      <Popover
        label={t('inbox.shortcuts.title')}
        buttonText={t('inbox.shortcuts.title')}
        open={menu}
        onOpenChange={setMenu}
      >
        <ul className="menu-list">
          {list.data.map((s) => (
            <li key={s.workflowId}>
              <button type="button" className="menu-item shortcut-item" onClick={() => pick(s)}>
                <span dir="auto">{s.name}</span>
                {s.description && (
                  <span className="muted" dir="auto">
                    {s.description}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      </Popover>
      {done && <Alert kind="success">{t('inbox.shortcuts.started', { name: done })}</Alert>}
      {!chosen && <ErrorAlert error={run.error} />}
      <Dialog open={chosen !== null} title={chosen?.name ?? ''} onClose={() => setChosen(null)}>
        {chosen && (
          <form onSubmit={submit} className="stack">
            {chosen.description && (
              <p className="field-hint" dir="auto">
                {chosen.description}
              </p>
            )}
            {chosen.form.map((f) =>
              f.type === 'select' ? (
                <SelectField
                  key={f.key}
                  label={f.required ? f.label : t('inbox.shortcuts.optional', { label: f.label })}
                  value={values[f.key] ?? ''}
                  onChange={(v) => setValues((prev) => ({ ...prev, [f.key]: v }))}
                  required={f.required}
                  error={fieldError(f.key)}
                  options={[
                    { value: '', label: t('inbox.shortcuts.choose') },
                    ...(f.options ?? []).map((o) => ({ value: o, label: o })),
                  ]}
                />
              ) : (
                <TextField
                  key={f.key}
                  label={f.required ? f.label : t('inbox.shortcuts.optional', { label: f.label })}
                  type={INPUT_TYPE[f.type]}
                  value={values[f.key] ?? ''}
                  onChange={(v) => setValues((prev) => ({ ...prev, [f.key]: v }))}
                  required={f.required}
                  error={fieldError(f.key)}
                  maxLength={2000}
                  dir={f.type === 'text' ? 'auto' : 'ltr'}
                  {...(f.type === 'number' ? { step: 'any' } : {})}
                />
              ),
            )}
            <ErrorAlert error={formError} />
            <div className="dialog-actions">
              <Button onClick={() => setChosen(null)}>{t('common.cancel')}</Button>
              <Button variant="primary" type="submit" busy={run.isPending}>
                {t('inbox.shortcuts.run')}
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </div>
  )
}
