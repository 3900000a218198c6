import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { type DragEvent, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { del, get, patch, uploadWithProgress } from '../../api/client'
import { formatDateTime } from '../../i18n'
import { Alert, ErrorAlert, formErrors } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { SelectField, TextField } from '../../ui/Field'
import { FormDialog } from '../../ui/FormDialog'
import { Loading, Page } from '../../ui/Page'
import { Table } from '../../ui/Table'
import { useView } from '../contacts/queries'
import { extensionOf, type FileKind, formatSize, kindOf } from './helpers'
import { RequireCapability } from './SettingsLayout'

/** A file of the workspace library, as GET /library/files returns it. */
export type LibraryFile = {
  id: number
  fileName: string
  mimeType: string
  size: number
  createdAt: string
  uploadedBy: { id: number; name: string } | null
  link: string
  linkExpiresAt: string
}
type LibraryPage = { files: LibraryFile[]; nextCursor: string | null }
type Kind = '' | FileKind

/** Rule 104 row 15: Owners, and Managers unless restricted. */
export function FilesSettings() {
  return (
    <RequireCapability capability="settings.files">
      <Files />
    </RequireCapability>
  )
}

type Upload = { key: number; name: string; progress: number; error: unknown }

function Files() {
  const { t, i18n } = useTranslation()
  const ws = useView().workspace.id
  const qc = useQueryClient()
  const [q, setQ] = useState('')
  const [kind, setKind] = useState<Kind>('')
  const params = new URLSearchParams({ limit: '50' })
  if (q.trim()) params.set('q', q.trim())
  if (kind) params.set('type', kind)
  const base = `/api/v1/workspaces/${ws}/library/files`
  const list = useInfiniteQuery({
    queryKey: ['library-files', ws, q.trim(), kind],
    queryFn: ({ pageParam }) =>
      get<LibraryPage>(`${base}?${params}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const refresh = () => qc.invalidateQueries({ queryKey: ['library-files', ws] })
  const [uploads, setUploads] = useState<Upload[]>([])
  const [error, setError] = useState<unknown>(null)
  // Kept as a key and values so it follows a language switch.
  const [notice, setNotice] = useState<{ key: string; values: Record<string, unknown> } | null>(null)
  const [renaming, setRenaming] = useState<LibraryFile | null>(null)
  const [copied, setCopied] = useState<number | null>(null)
  const [dragging, setDragging] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  const hintId = useId()
  const seq = useRef(0)

  const uploadAll = async (files: File[]) => {
    setError(null)
    setNotice(null)
    await Promise.all(
      files.map(async (file) => {
        const key = ++seq.current
        const update = (u: Partial<Upload>) =>
          setUploads((all) => all.map((x) => (x.key === key ? { ...x, ...u } : x)))
        setUploads((all) => [...all, { key, name: file.name, progress: 0, error: null }])
        try {
          await uploadWithProgress(
            `/api/v1/workspaces/${ws}/files?name=${encodeURIComponent(file.name)}&library=true`,
            file,
            (progress) => update({ progress }),
          )
          setUploads((all) => all.filter((x) => x.key !== key))
        } catch (err) {
          update({ error: err })
        }
      }),
    )
    await refresh()
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setDragging(false)
    const files = [...e.dataTransfer.files]
    if (files.length) void uploadAll(files)
  }

  const remove = async (f: LibraryFile) => {
    if (!window.confirm(t('files.confirmDelete', { name: f.fileName }))) return
    setError(null)
    setNotice(null)
    try {
      const r = await del<{ outcome: 'deleted' | 'unlisted'; messages: number }>(`${base}/${f.id}`)
      setNotice(
        r.outcome === 'deleted'
          ? { key: 'files.deleted', values: { name: f.fileName } }
          : { key: 'files.unlisted', values: { name: f.fileName, count: r.messages } },
      )
      await refresh()
    } catch (err) {
      setError(err)
    }
  }

  const files = list.data?.pages.flatMap((p) => p.files) ?? []
  const filtered = q.trim() !== '' || kind !== ''
  return (
    <Page title={t('settings.nav.files')} description={t('files.description')}>
      {/* Drop files anywhere on the zone, or choose them with the (labelled) button. */}
      <section
        className={`files-drop${dragging ? ' files-drop-active' : ''}`}
        aria-labelledby={`${hintId}-title`}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <h2 id={`${hintId}-title`} className="files-drop-title">
          {t('files.upload')}
        </h2>
        <p id={hintId} className="muted">
          {t('files.dropHint')}
        </p>
        <input
          ref={input}
          type="file"
          multiple
          className="sr-only"
          aria-label={t('files.choose')}
          aria-describedby={hintId}
          onChange={(e) => {
            const chosen = [...(e.target.files ?? [])]
            e.target.value = ''
            if (chosen.length) void uploadAll(chosen)
          }}
        />
        <Button variant="primary" onClick={() => input.current?.click()}>
          {t('files.choose')}
        </Button>
        {uploads.length > 0 && (
          <ul className="files-uploads" aria-live="polite">
            {uploads.map((u) => (
              <li key={u.key}>
                <span dir="auto" className="files-upload-name">
                  {u.name}
                </span>
                {u.error ? (
                  <>
                    <ErrorAlert error={u.error} />
                    <Button
                      variant="ghost"
                      onClick={() => setUploads((all) => all.filter((x) => x.key !== u.key))}
                    >
                      {t('common.close')}
                    </Button>
                  </>
                ) : (
                  <progress max={1} value={u.progress} aria-label={t('files.uploading', { name: u.name })} />
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <div className="files-filters">
        <TextField label={t('files.search')} type="search" value={q} onChange={setQ} dir="auto" />
        <SelectField
          label={t('files.type')}
          value={kind}
          onChange={(v) => setKind(v as Kind)}
          options={[
            { value: '', label: t('files.kinds.all') },
            { value: 'image', label: t('files.kinds.image') },
            { value: 'video', label: t('files.kinds.video') },
            { value: 'audio', label: t('files.kinds.audio') },
            { value: 'document', label: t('files.kinds.document') },
          ]}
        />
      </div>

      <ErrorAlert error={error ?? list.error} />
      {notice && <Alert kind="success">{t(notice.key, notice.values)}</Alert>}
      {list.isLoading ? (
        <Loading />
      ) : files.length === 0 ? (
        <p className="muted">{filtered ? t('files.noMatch') : t('files.empty')}</p>
      ) : (
        <div className="table-scroll">
          <Table
            columns={[
              { srOnly: t('files.preview') },
              t('files.name'),
              t('files.size'),
              t('files.uploadedBy'),
              t('files.uploadedAt'),
            ]}
            rows={files}
            className="files-table"
          >
            {(f) => (
              <tr key={f.id} data-file={f.fileName}>
                <td className="files-thumb-cell">
                  {kindOf(f.mimeType) === 'image' ? (
                    <img
                      className="files-thumb"
                      src={`/api/v1/workspaces/${ws}/files/${f.id}`}
                      alt=""
                      loading="lazy"
                    />
                  ) : (
                    <span className="files-thumb files-thumb-kind" aria-hidden="true" dir="ltr">
                      {extensionOf(f.fileName) ?? t(`files.kinds.${kindOf(f.mimeType)}`)}
                    </span>
                  )}
                </td>
                <td className="files-name">
                  <span dir="auto">{f.fileName}</span>
                  <span dir="ltr" className="files-mime">
                    {f.mimeType}
                  </span>
                </td>
                <td className="files-nowrap">{formatSize(f.size, i18n.language)}</td>
                <td dir="auto">{f.uploadedBy?.name ?? t('files.unknownUploader')}</td>
                <td>{formatDateTime(f.createdAt, i18n.language)}</td>
                <td className="cell-actions">
                  <Button
                    variant="ghost"
                    aria-label={
                      copied === f.id ? t('common.copied') : t('files.copyLinkOf', { name: f.fileName })
                    }
                    title={t('files.linkHint', { when: formatDateTime(f.linkExpiresAt, i18n.language) })}
                    onClick={() => {
                      void navigator.clipboard?.writeText(f.link).then(() => setCopied(f.id))
                    }}
                  >
                    {copied === f.id ? t('common.copied') : t('files.copyLink')}
                  </Button>
                  <Button
                    variant="ghost"
                    aria-label={t('files.renameOf', { name: f.fileName })}
                    onClick={() => setRenaming(f)}
                  >
                    {t('files.rename')}
                  </Button>
                  <Button
                    variant="ghost"
                    className="text-danger"
                    aria-label={t('files.deleteOf', { name: f.fileName })}
                    onClick={() => void remove(f)}
                  >
                    {t('common.delete')}
                  </Button>
                </td>
              </tr>
            )}
          </Table>
        </div>
      )}
      {list.hasNextPage && (
        <Button busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('files.more')}
        </Button>
      )}
      {renaming && (
        <RenameDialog
          url={`${base}/${renaming.id}`}
          file={renaming}
          onClose={() => setRenaming(null)}
          onDone={refresh}
        />
      )}
    </Page>
  )
}

function RenameDialog({
  url,
  file,
  onClose,
  onDone,
}: {
  url: string
  file: LibraryFile
  onClose: () => void
  onDone: () => unknown
}) {
  const { t } = useTranslation()
  const [name, setName] = useState(file.fileName)
  const save = useMutation({
    mutationFn: async () => {
      await patch(url, { fileName: name })
      await onDone()
      onClose()
    },
  })
  const errors = formErrors(save.error)
  return (
    <FormDialog
      title={t('files.renameTitle')}
      onClose={onClose}
      onSubmit={() => save.mutate()}
      busy={save.isPending}
      error={errors.alert}
      noValidate
    >
      <TextField
        label={t('files.name')}
        value={name}
        onChange={setName}
        error={errors.field('fileName')}
        maxLength={255}
        required
        dir="auto"
        autoFocus
      />
    </FormDialog>
  )
}
