import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Alert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Dialog } from '../../ui/Dialog'

/** A secret shown once (webhook signing secret, channel credentials), with a copy button. */
export function SecretDialog({
  title,
  secret,
  onClose,
}: {
  title: string
  secret: string
  onClose: () => void
}) {
  const { t } = useTranslation()
  const [copied, setCopied] = useState(false)
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          {t('common.done')}
        </Button>
      }
    >
      <Alert kind="warning">{t('webhooks.shownOnce')}</Alert>
      <div className="copy-row">
        <input
          readOnly
          value={secret}
          dir="ltr"
          aria-label={t('webhooks.secret')}
          data-testid="secret"
          onFocus={(e) => e.target.select()}
        />
        <Button
          onClick={() => {
            void navigator.clipboard?.writeText(secret).then(() => setCopied(true))
          }}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </Button>
      </div>
    </Dialog>
  )
}
