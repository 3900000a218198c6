import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, get, patch, post } from '../../api/client'
import type { Snippet } from '../../api/types'
import { ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Field, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useAction } from '../../ui/useAction'
import { useView } from '../contacts/queries'
import { RequireCapability } from './SettingsLayout'

export function SnippetsSettings() {
  return (
    <RequireCapability capability="settings.general">
      <Snippets />
    </RequireCapability>
  )
}

/** Saved replies agents insert by typing "/" and the shortcut in the composer. */
function Snippets() {
  const { t } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const key = ['snippets', ws]
  const snippets = useQuery({
    queryKey: key,
    queryFn: () => get<Snippet[]>(`/api/v1/workspaces/${ws}/snippets`),
  })
  const [editing, setEditing] = useState<Snippet | 'new' | null>(null)
  const { act, error } = useAction(() => qc.invalidateQueries({ queryKey: key }))
  if (snippets.isLoading) return <Loading />
  return (
    <Page
      title={t('settings.nav.snippets')}
      description={t('snippets.description')}
      actions={
        <Button variant="primary" onClick={() => setEditing('new')}>
          {t('snippets.add')}
        </Button>
      }
    >
      <ErrorAlert error={error ?? snippets.error} />
      <Table
        columns={[t('snippets.shortcut'), t('snippets.body')]}
        rows={snippets.data ?? []}
        empty={t('snippets.empty')}
      >
        {(s) => (
          <tr key={s.id} data-snippet={s.shortcut}>
            <td dir="auto">
              <code>/{s.shortcut}</code>
            </td>
            <td dir="auto" className="snippet-body">
              {s.body}
            </td>
            <td className="cell-actions">
              <Button variant="ghost" onClick={() => setEditing(s)}>
                {t('common.edit')}
              </Button>
              <Button
                variant="ghost"
                className="text-danger"
                onClick={() => {
                  if (!window.confirm(t('snippets.confirmDelete', { shortcut: s.shortcut }))) return
                  void act(() => del(`/api/v1/workspaces/${ws}/snippets/${s.id}`))
                }}
              >
                {t('common.delete')}
              </Button>
            </td>
          </tr>
        )}
      </Table>
      {editing && (
        <SnippetDialog
          ws={ws}
          snippet={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={() => qc.invalidateQueries({ queryKey: key })}
        />
      )}
    </Page>
  )
}

function SnippetDialog({
  ws,
  snippet,
  onClose,
  onDone,
}: {
  ws: number
  snippet: Snippet | null
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [shortcut, setShortcut] = useState(snippet?.shortcut ?? '')
  const [body, setBody] = useState(snippet?.body ?? '')
  const save = useMutation({
    mutationFn: async () => {
      const base = `/api/v1/workspaces/${ws}/snippets`
      if (snippet) await patch(`${base}/${snippet.id}`, { shortcut, body })
      else await post(base, { shortcut, body })
      await onDone()
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={snippet ? t('snippets.edit') : t('snippets.add')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
    >
      <TextField
        label={t('snippets.shortcut')}
        hint={t('snippets.shortcutHint')}
        value={shortcut}
        onChange={setShortcut}
        error={errors.field('shortcut')}
        required
        autoFocus
        dir="auto"
      />
      <Field label={t('snippets.body')} error={errors.field('body')}>
        {(id, describedBy) => (
          <textarea
            id={id}
            rows={6}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            aria-describedby={describedBy}
            required
            dir="auto"
          />
        )}
      </Field>
    </FormDialog>
  )
}
