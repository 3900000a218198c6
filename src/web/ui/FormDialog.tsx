import { type ReactNode, useId } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorAlert } from './Alert'
import { Button } from './Button'
import { Dialog } from './Dialog'

type Props = {
  title: string
  onClose: () => void
  onSubmit: () => void
  busy: boolean
  /** Shown above the fields; pass `formErrors(error).alert` when the fields show their own. */
  error: unknown
  submitLabel?: string
  wide?: boolean
  noValidate?: boolean
  children: ReactNode
}

/** A dialog holding one form: the error above it, Cancel and the submit button in the footer. */
export function FormDialog({
  title,
  onClose,
  onSubmit,
  busy,
  error,
  submitLabel,
  wide,
  noValidate,
  children,
}: Props) {
  const { t } = useTranslation()
  const id = useId()
  return (
    <Dialog
      open
      wide={wide}
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form={id} busy={busy}>
            {submitLabel ?? t('common.save')}
          </Button>
        </>
      }
    >
      <form
        id={id}
        noValidate={noValidate}
        onSubmit={(e) => {
          e.preventDefault()
          onSubmit()
        }}
      >
        <ErrorAlert error={error} />
        {children}
      </form>
    </Dialog>
  )
}
