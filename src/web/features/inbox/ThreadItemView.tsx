import { memo } from 'react'
import { useTranslation } from 'react-i18next'
import type { AssignableUser, Message } from './api'
import { timeOf } from './format'
import type { ThreadItem } from './useThread'

type Props = { item: ThreadItem; ws: number; users: Map<number, AssignableUser> }

/** Memoized: scrolling re-renders the window of rows, not the rows whose item did not change. */
export const ThreadItemView = memo(function ThreadItemView({ item, ws, users }: Props) {
  if (item.kind === 'message') return <MessageBubble m={item.message} ws={ws} users={users} />
  if (item.kind === 'comment') return <CommentNote item={item} users={users} />
  return <EventLine item={item} users={users} />
})

function MessageBubble({ m, ws, users }: { m: Message; ws: number; users: Map<number, AssignableUser> }) {
  const { t, i18n } = useTranslation()
  const author = m.author.kind === 'user' && m.author.id ? users.get(m.author.id)?.name : undefined
  return (
    <article
      className={`msg msg-${m.direction}${m.status === 'failed' ? ' msg-failed' : ''}`}
      data-message={m.id}
    >
      <Media m={m} ws={ws} />
      {m.text && (
        <p dir="auto" className="msg-text">
          {m.text}
        </p>
      )}
      <footer className="msg-meta">
        {author && <span dir="auto">{author}</span>}
        <time dateTime={m.createdAt}>{timeOf(m.createdAt, i18n.language)}</time>
        {m.direction === 'out' && (
          <span className={`msg-status msg-status-${m.status}`} data-status={m.status}>
            {t(`inbox.delivery.${m.status}`)}
          </span>
        )}
      </footer>
      {m.error && (
        <p className="msg-error" role="note" dir="auto">
          {t('inbox.failedBecause', { reason: m.error.detail ?? m.error.title })}
        </p>
      )}
    </article>
  )
}

type MediaContent = { fileId?: number; url?: string; fileName?: string; mimeType?: string; caption?: string }

/** Image, video and audio previews from the workspace's files; anything else is a download link. */
function Media({ m, ws }: { m: Message; ws: number }) {
  const { t } = useTranslation()
  if (!['image', 'video', 'audio', 'file', 'document', 'sticker'].includes(m.type)) return null
  const media = ((m.content.media as MediaContent | undefined) ?? (m.content as MediaContent)) || {}
  const src = media.fileId ? `/api/v1/workspaces/${ws}/files/${media.fileId}` : media.url
  if (!src) return <p className="muted msg-media-pending">{t('inbox.mediaPending')}</p>
  if (m.type === 'image' || m.type === 'sticker')
    return (
      <img
        className="msg-image"
        src={src}
        alt={media.caption ?? media.fileName ?? t('inbox.image')}
        loading="lazy"
      />
    )
  if (m.type === 'video')
    // biome-ignore lint/a11y/useMediaCaption: customer-sent media has no caption track
    return <video className="msg-video" src={src} controls preload="metadata" />
  if (m.type === 'audio')
    // biome-ignore lint/a11y/useMediaCaption: customer-sent media has no caption track
    return <audio src={src} controls preload="metadata" />
  return (
    <a className="msg-file" href={src} download={media.fileName}>
      <span dir="auto">{media.fileName ?? t('inbox.attachment')}</span>
    </a>
  )
}

/** Comments are internal (rule 50): a distinct note style, never a bubble the contact could see. */
function CommentNote({
  item,
  users,
}: {
  item: Extract<ThreadItem, { kind: 'comment' }>
  users: Map<number, AssignableUser>
}) {
  const { t, i18n } = useTranslation()
  const c = item.comment
  const author = c.author.id ? users.get(c.author.id)?.name : undefined
  return (
    <aside className="note" aria-label={t('inbox.internalComment')} data-comment={c.id}>
      <header className="note-meta">
        <strong dir="auto">{author ?? t(`inbox.actor.${c.author.kind}`)}</strong>
        <span className="muted">{t('inbox.commentBadge')}</span>
        <time className="muted" dateTime={c.createdAt}>
          {timeOf(c.createdAt, i18n.language)}
        </time>
      </header>
      <p dir="auto">{renderMentions(c.body, users)}</p>
    </aside>
  )
}

/** `{{@user.7}}` → "@Name" (rule 50). */
export function renderMentions(body: string, users: Map<number, AssignableUser>): string {
  return body.replace(/\{\{@user\.(\d+)\}\}/g, (all, id: string) => {
    const u = users.get(Number(id))
    return u ? `@${u.name}` : all
  })
}

function EventLine({
  item,
  users,
}: {
  item: Extract<ThreadItem, { kind: 'event' }>
  users: Map<number, AssignableUser>
}) {
  const { t, i18n } = useTranslation()
  const e = item.event
  const name = (id: unknown) => (typeof id === 'number' ? (users.get(id)?.name ?? `#${id}`) : '')
  const actor =
    e.actor.kind === 'user'
      ? name(e.actor.id)
      : t(`inbox.actor.${e.actor.kind}`, { defaultValue: e.actor.kind })
  const p = e.payload
  const key = e.type.replace('.', '_')
  const text =
    e.type === 'contact.assignee_updated'
      ? p.to
        ? t('inbox.events.assigned', { actor, to: name(p.to) })
        : t('inbox.events.unassigned', { actor })
      : e.type === 'conversation.snoozed'
        ? t('inbox.events.conversation_snoozed', {
            actor,
            until: new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(
              new Date(String(p.until)),
            ),
          })
        : t(`inbox.events.${key}`, { actor })
  return (
    <p className="event" data-event={e.type}>
      <span dir="auto">{text}</span>
      {e.type === 'conversation.closed' && typeof p.summary === 'string' && p.summary && (
        <span className="event-summary" dir="auto">
          {p.summary}
        </span>
      )}
      <time className="muted" dateTime={e.createdAt}>
        {timeOf(e.createdAt, i18n.language)}
      </time>
    </p>
  )
}
