import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get, post } from '../../api/client'
import { useWorkspace } from '../../api/session'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { Field, SelectField } from '../../ui/Field'
import { type ClosingCategory, keys, paths } from './api'

type Props = { ws: number; contactId: number; open: boolean; onOpenChange: (open: boolean) => void }

/**
 * Close with the closing note in the workspace's mode (rules 35–37): "disabled" closes at once;
 * "optional" closes at once and offers the note from the arrow next to Close; the mandatory modes
 * open the dialog on Close and require the category (and the summary).
 */
export function CloseDialog({ ws, contactId, open, onOpenChange }: Props) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const workspace = useWorkspace(ws)
  const mode = workspace.data?.workspace.closingNotesMode ?? 'optional'
  const [dialog, setDialog] = useState(false)
  const [categoryId, setCategoryId] = useState('')
  const [summary, setSummary] = useState('')
  const categories = useQuery({
    queryKey: keys.categories(ws),
    queryFn: () => get<ClosingCategory[]>(`/api/v1/workspaces/${ws}/closing-categories`),
    enabled: dialog && mode !== 'disabled',
  })
  const close = useMutation({
    mutationFn: (note: { categoryId?: number | null; summary?: string | null }) =>
      post(`${paths.contact(ws, contactId)}/conversation/close`, note),
    onSuccess: () => {
      setDialog(false)
      setCategoryId('')
      setSummary('')
      return Promise.all([
        qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) }),
        qc.invalidateQueries({ queryKey: keys.timeline(ws, contactId) }),
      ])
    },
  })
  const mandatory = mode === 'category_required' || mode === 'category_and_summary_required'
  const { mutate } = close
  // The "c" shortcut and the Close button both arrive here.
  useEffect(() => {
    if (!open) return
    onOpenChange(false)
    if (mandatory) setDialog(true)
    else mutate({})
  }, [open, mandatory, mutate, onOpenChange])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    close.mutate({ categoryId: categoryId ? Number(categoryId) : null, summary: summary.trim() || null })
  }
  const summaryRequired = mode === 'category_and_summary_required'
  const chosen = categories.data?.find((c) => String(c.id) === categoryId)
  return (
    <div className="split-btn">
      <Button variant="primary" onClick={() => onOpenChange(true)} busy={close.isPending && !dialog}>
        {t('inbox.close')}
      </Button>
      {mode === 'optional' && (
        <Button variant="primary" aria-label={t('inbox.closeWithNote')} onClick={() => setDialog(true)}>
          <span aria-hidden="true">▾</span>
        </Button>
      )}
      <ErrorAlert error={dialog ? null : close.error} />
      <Dialog open={dialog} title={t('inbox.closingNote')} onClose={() => setDialog(false)}>
        <form onSubmit={submit} className="stack">
          <SelectField
            label={t('inbox.category')}
            value={categoryId}
            onChange={setCategoryId}
            required={mandatory}
            options={[
              { value: '', label: t('inbox.chooseCategory') },
              ...(categories.data ?? []).map((c) => ({ value: String(c.id), label: c.name })),
            ]}
          />
          {chosen?.description && (
            <p className="field-hint" dir="auto">
              {chosen.description}
            </p>
          )}
          <Field label={summaryRequired ? t('inbox.summaryRequired') : t('inbox.summary')}>
            {(id) => (
              <textarea
                id={id}
                value={summary}
                onChange={(e) => setSummary(e.target.value)}
                required={summaryRequired}
                maxLength={2000}
                rows={4}
                dir="auto"
              />
            )}
          </Field>
          <ErrorAlert error={close.error} />
          <div className="dialog-actions">
            <Button onClick={() => setDialog(false)}>{t('common.cancel')}</Button>
            <Button variant="primary" type="submit" busy={close.isPending}>
              {t('inbox.closeConversation')}
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  )
}
