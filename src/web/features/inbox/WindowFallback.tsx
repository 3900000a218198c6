import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Button } from '../../ui/Button'
import type { Window } from './api'

const TAGS = ['CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE'] as const

type Props = {
  window: Window
  channelType: string
  onTemplate: () => void
  onTagged: (tag: (typeof TAGS)[number], text: string) => void
  busy: boolean
}

/**
 * What replaces the composer once the window has closed: WhatsApp's "Send message template"
 * (rule 15), Messenger's "Send tagged message" (rule 16), or why nothing can be sent (rules 17, 19).
 */
export function WindowFallback({ window, channelType, onTemplate, onTagged, busy }: Props) {
  const { t } = useTranslation()
  const [tagging, setTagging] = useState(false)
  const [tag, setTag] = useState<(typeof TAGS)[number]>('POST_PURCHASE_UPDATE')
  const [text, setText] = useState('')
  if (window.allows === 'template')
    return (
      <div className="window-fallback">
        <p>{t('inbox.window.templateOnly')}</p>
        <Button variant="primary" onClick={onTemplate}>
          {t('inbox.sendTemplate')}
        </Button>
      </div>
    )
  if (window.allows === 'message_tag') {
    const submit = (e: FormEvent) => {
      e.preventDefault()
      if (text.trim()) onTagged(tag, text.trim())
    }
    return (
      <div className="window-fallback">
        <p>{t('inbox.window.tagOnly')}</p>
        {tagging ? (
          <form onSubmit={submit} className="tagged-form">
            <select
              aria-label={t('inbox.messageTag')}
              value={tag}
              onChange={(e) => setTag(e.target.value as typeof tag)}
            >
              {TAGS.map((x) => (
                <option key={x} value={x}>
                  {t(`inbox.tags.${x}`)}
                </option>
              ))}
            </select>
            <p className="field-hint">{t('inbox.tagHint')}</p>
            <textarea
              aria-label={t('inbox.replyPlaceholder')}
              value={text}
              onChange={(e) => setText(e.target.value)}
              dir="auto"
              rows={2}
              maxLength={2000}
            />
            <Button type="submit" variant="primary" busy={busy} disabled={!text.trim()}>
              {t('inbox.send')}
            </Button>
          </form>
        ) : (
          <Button variant="primary" onClick={() => setTagging(true)}>
            {t('inbox.sendTagged')}
          </Button>
        )}
      </div>
    )
  }
  // Rule 17 (Instagram after 7 days), rule 19 (WeChat's 20 messages): nothing can go out.
  const why = channelType === 'instagram' ? t('inbox.window.instagramClosed') : t('inbox.window.nothing')
  return (
    <div className="window-fallback" role="note">
      <p>{why}</p>
    </div>
  )
}
