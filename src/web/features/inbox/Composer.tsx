import { type InfiniteData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type KeyboardEvent, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { post, upload } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { type AssignableUser, type ConversationView, keys, type Message, paneLists, paths } from './api'
import { EmojiPicker } from './EmojiPicker'
import { Icon } from './Icon'
import { applyMessage, type MessagePage } from './inboxCache'
import { LibraryPicker } from './LibraryPicker'
import { encodeMentions, replaceToken, tokenAt } from './suggest'
import { TemplateDialog } from './TemplateDialog'
import { WindowBadge } from './WindowBadge'
import { WindowFallback } from './WindowFallback'

type Props = { ws: number; view: ConversationView; users: AssignableUser[] }
type Attachment = { fileId: number; fileName: string; mimeType: string }
type Suggestion = { key: string; label: string; detail: string; insert: string; mention?: [string, number] }

const mediaType = (mime: string) =>
  mime.startsWith('image/')
    ? 'image'
    : mime.startsWith('video/')
      ? 'video'
      : mime.startsWith('audio/')
        ? 'audio'
        : 'file'

/** Issue 6 item 2: reply or comment, window-aware (rules 15–22), snippets with "/", @mentions. */
export function Composer({ ws, view, users }: Props) {
  const { t } = useTranslation()
  const qc = useQueryClient()
  const contactId = view.contact.id
  const [mode, setMode] = useState<'reply' | 'comment'>('reply')
  const [text, setText] = useState('')
  const [caret, setCaret] = useState(0)
  const [active, setActive] = useState(0)
  const [attachment, setAttachment] = useState<Attachment | null>(null)
  const [picked] = useState(() => new Map<string, number>())
  const [templateOpen, setTemplateOpen] = useState(false)
  const [libraryOpen, setLibraryOpen] = useState(false)
  const box = useRef<HTMLTextAreaElement>(null)
  const fileInput = useRef<HTMLInputElement>(null)

  // Default reply channel: the last interacted one (inbox rule, issue 6 item 2).
  const [channelId, setChannelId] = useState<number | null>(
    view.contact.lastInteractedChannelId ?? view.channels[0]?.channelId ?? null,
  )
  const channels = useQuery(paneLists.channels(ws))
  const snippets = useQuery(paneLists.snippets(ws))
  const channelName = (id: number) => channels.data?.find((c) => c.id === id)?.name ?? `#${id}`
  const channelType = channels.data?.find((c) => c.id === channelId)?.type ?? ''

  const addMessage = (m: Message) =>
    qc.setQueryData<InfiniteData<MessagePage>>(keys.messages(ws, contactId), (old) =>
      old ? { ...old, pages: applyMessage(old.pages, m) } : old,
    )
  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      mode === 'comment'
        ? post(`${paths.contact(ws, contactId)}/comments`, body)
        : post<Message>(`${paths.contact(ws, contactId)}/messages`, {
            ...body,
            clientKey: crypto.randomUUID(),
          }),
    onSuccess: (result) => {
      setText('')
      setAttachment(null)
      picked.clear()
      if (mode === 'comment') return qc.invalidateQueries({ queryKey: keys.comments(ws, contactId) })
      addMessage(result as Message)
      return qc.invalidateQueries({ queryKey: keys.conversation(ws, contactId) })
    },
  })
  const attach = useMutation({
    mutationFn: (file: File) =>
      upload<{ id: number; fileName: string; mimeType: string }>(
        `/api/v1/workspaces/${ws}/files?name=${encodeURIComponent(file.name)}`,
        file,
      ),
    onSuccess: (f) => setAttachment({ fileId: f.id, fileName: f.fileName, mimeType: f.mimeType }),
  })

  const submit = () => {
    const body = text.trim()
    if (send.isPending) return
    if (mode === 'comment') {
      if (body) send.mutate({ body: encodeMentions(body, picked) })
      return
    }
    const target = channelId === null ? {} : { channelId }
    if (attachment) {
      send.mutate({
        ...target,
        message: {
          type: mediaType(attachment.mimeType),
          fileId: attachment.fileId,
          fileName: attachment.fileName,
          ...(body ? { caption: body } : {}),
        },
      })
    } else if (body) send.mutate({ ...target, message: { type: 'text', text: body } })
  }

  // Suggestions: "/" lists snippets (rule: snippets with "/"), "@" lists teammates in comment mode.
  const slash = tokenAt(text, caret, '/')
  const at = mode === 'comment' ? tokenAt(text, caret, '@') : null
  const token = slash ?? at
  const suggestions: Suggestion[] = slash
    ? (snippets.data ?? [])
        .filter((s) => s.shortcut.toLowerCase().startsWith(slash.query.toLowerCase()))
        .slice(0, 8)
        .map((s) => ({ key: `s${s.id}`, label: `/${s.shortcut}`, detail: s.body, insert: s.body }))
    : at
      ? users
          .filter((u) => u.name.toLowerCase().includes(at.query.toLowerCase()))
          .slice(0, 8)
          .map((u) => ({
            key: `u${u.userId}`,
            label: u.name,
            detail: u.team?.name ?? '',
            insert: `@${u.name} `,
            mention: [u.name, u.userId],
          }))
      : []
  const choose = (s: Suggestion) => {
    if (!token) return
    const next = replaceToken(text, token.start, caret, s.insert)
    if (s.mention) picked.set(s.mention[0], s.mention[1])
    setText(next.text)
    setCaret(next.caret)
    requestAnimationFrame(() => {
      box.current?.focus()
      box.current?.setSelectionRange(next.caret, next.caret)
    })
  }
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault()
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length)
        return
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault()
        choose(suggestions[Math.min(active, suggestions.length - 1)]!)
        return
      }
    }
    // Enter sends, Shift+Enter is a new line (and IME composition is left alone).
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      submit()
    }
  }
  const insert = (value: string) => {
    const next = replaceToken(text, caret, caret, value)
    setText(next.text)
    setCaret(next.caret)
  }

  // Rule 22: the window of the channel the reply goes out on.
  const window = view.windows.find((w) => w.channelId === channelId) ?? view.window
  const blockedByWindow =
    mode === 'reply' && window.status === 'expired' && window.allows !== 'chatbot_initiated'

  return (
    <div className={`composer composer-${mode}`}>
      <div className="composer-top">
        <fieldset className="composer-modes">
          <legend className="sr-only">{t('inbox.composerMode')}</legend>
          <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
            {t('inbox.reply')}
          </button>
          <button type="button" aria-pressed={mode === 'comment'} onClick={() => setMode('comment')}>
            {t('inbox.comment')}
          </button>
        </fieldset>
        {mode === 'reply' && view.channels.length > 0 && (
          <select
            aria-label={t('inbox.channel')}
            value={channelId ?? ''}
            onChange={(e) => setChannelId(Number(e.target.value))}
          >
            {view.channels.map((c) => (
              <option key={c.id} value={c.channelId}>
                {channelName(c.channelId)} · {c.identifier}
              </option>
            ))}
          </select>
        )}
        {mode === 'reply' && <WindowBadge ws={ws} contactId={contactId} window={window} />}
      </div>
      {blockedByWindow ? (
        <WindowFallback
          window={window}
          channelType={channelType}
          onTemplate={() => setTemplateOpen(true)}
          onTagged={(messageTag, body) =>
            send.mutate({
              ...(channelId ? { channelId } : {}),
              messageTag,
              message: { type: 'text', text: body },
            })
          }
          busy={send.isPending}
        />
      ) : (
        <div className="composer-box">
          {suggestions.length > 0 && (
            <ul className="suggestions" aria-label={slash ? t('inbox.snippets') : t('inbox.mentions')}>
              {suggestions.map((s, i) => (
                <li key={s.key} className={i === active ? 'active' : ''}>
                  <button
                    type="button"
                    tabIndex={-1}
                    aria-current={i === active || undefined}
                    onMouseDown={(e) => {
                      e.preventDefault()
                      choose(s)
                    }}
                  >
                    <strong dir="auto">{s.label}</strong>{' '}
                    <span className="muted" dir="auto">
                      {s.detail}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {window.allows === 'chatbot_initiated' && mode === 'reply' && (
            <p className="composer-note">{t('inbox.window.chatbotInitiated')}</p>
          )}
          <textarea
            ref={box}
            aria-label={mode === 'comment' ? t('inbox.commentPlaceholder') : t('inbox.replyPlaceholder')}
            placeholder={mode === 'comment' ? t('inbox.commentPlaceholder') : t('inbox.replyPlaceholder')}
            value={text}
            dir="auto"
            rows={2}
            maxLength={mode === 'comment' ? 1000 : 4096}
            onChange={(e) => {
              setText(e.target.value)
              setCaret(e.target.selectionStart)
              setActive(0)
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
          />
          {attachment && (
            <p className="attachment-chip">
              <span dir="auto">{attachment.fileName}</span>
              <button
                type="button"
                className="icon-btn"
                aria-label={t('inbox.removeAttachment')}
                onClick={() => setAttachment(null)}
              >
                ×
              </button>
            </p>
          )}
          <div className="composer-tools">
            <EmojiPicker onPick={insert} />
            {mode === 'reply' && (
              <>
                <input
                  ref={fileInput}
                  type="file"
                  hidden
                  onChange={(e) => {
                    const f = e.target.files?.[0]
                    if (f) attach.mutate(f)
                    e.target.value = ''
                  }}
                />
                <Button
                  variant="ghost"
                  aria-label={t('inbox.attach')}
                  busy={attach.isPending}
                  onClick={() => fileInput.current?.click()}
                >
                  <Icon name="clip" />
                </Button>
                <Button variant="ghost" onClick={() => setLibraryOpen(true)}>
                  {t('inbox.library.open')}
                </Button>
                {libraryOpen && (
                  <LibraryPicker
                    ws={ws}
                    onClose={() => setLibraryOpen(false)}
                    onPick={(f) =>
                      setAttachment({ fileId: f.id, fileName: f.fileName, mimeType: f.mimeType })
                    }
                  />
                )}
              </>
            )}
            <span className="composer-hint muted">{t('inbox.enterToSend')}</span>
            <Button
              variant="primary"
              onClick={submit}
              busy={send.isPending}
              disabled={!text.trim() && !attachment}
            >
              {mode === 'comment' ? t('inbox.addComment') : t('inbox.send')}
            </Button>
          </div>
        </div>
      )}
      <ErrorAlert error={send.error ?? attach.error} />
      {templateOpen && channelId !== null && (
        <TemplateDialog
          ws={ws}
          channelId={channelId}
          contact={view.contact}
          onClose={() => setTemplateOpen(false)}
          onSend={async (template) => {
            await send.mutateAsync({ channelId, message: { type: 'template', template } })
            setTemplateOpen(false)
          }}
          busy={send.isPending}
          error={send.error}
        />
      )}
    </div>
  )
}
