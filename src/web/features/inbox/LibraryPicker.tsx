import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { get } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'
import { TextField } from '../../ui/Field'
import { Loading } from '../../ui/Page'
import { formatSize } from '../settings/helpers'

export type LibraryChoice = { id: number; fileName: string; mimeType: string; size: number }

/** "From library" in the composer: picks a file of Settings → Files to send (a reference, not a copy). */
export function LibraryPicker({
  ws,
  onPick,
  onClose,
}: {
  ws: number
  onPick: (file: LibraryChoice) => void
  onClose: () => void
}) {
  const { t, i18n } = useTranslation()
  const [q, setQ] = useState('')
  const query = q.trim()
  const choices = useQuery({
    queryKey: ['library-choices', ws, query],
    queryFn: () =>
      get<LibraryChoice[]>(
        `/api/v1/workspaces/${ws}/library/files/choices${query ? `?q=${encodeURIComponent(query)}` : ''}`,
      ),
  })
  return (
    <Dialog open title={t('inbox.library.title')} onClose={onClose}>
      <TextField label={t('files.search')} type="search" value={q} onChange={setQ} dir="auto" autoFocus />
      <ErrorAlert error={choices.error} />
      {choices.isLoading ? (
        <Loading />
      ) : (choices.data ?? []).length === 0 ? (
        <p className="muted">{query ? t('files.noMatch') : t('inbox.library.empty')}</p>
      ) : (
        <ul className="library-choices">
          {choices.data!.map((f) => (
            <li key={f.id}>
              <Button
                variant="ghost"
                className="library-choice"
                onClick={() => {
                  onPick(f)
                  onClose()
                }}
              >
                <span dir="auto">{f.fileName}</span>
                <span className="muted">{formatSize(f.size, i18n.language)}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  )
}
