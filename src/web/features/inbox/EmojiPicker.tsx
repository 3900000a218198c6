import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Icon } from './Icon'
import { Popover } from './Popover'

const EMOJI = [
  '😀',
  '😂',
  '😊',
  '😍',
  '🙏',
  '👍',
  '👌',
  '👋',
  '🎉',
  '❤️',
  '🔥',
  '✅',
  '❌',
  '⚠️',
  '⏰',
  '📦',
  '🚚',
  '💳',
  '📞',
  '📧',
  '🙂',
  '😅',
  '🤔',
  '😢',
]

/** A small emoji grid (issue 6 item 2); inserts at the caret. */
export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  return (
    <Popover
      label={t('inbox.emoji')}
      buttonText={<Icon name="smile" />}
      open={open}
      onOpenChange={setOpen}
      className="emoji-popover"
    >
      <div className="emoji-grid">
        {EMOJI.map((e) => (
          <button
            key={e}
            type="button"
            className="emoji"
            onClick={() => {
              onPick(e)
              setOpen(false)
            }}
          >
            {e}
          </button>
        ))}
      </div>
    </Popover>
  )
}
