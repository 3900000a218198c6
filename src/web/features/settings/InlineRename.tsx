import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Button } from '../../ui/Button'

/** A name edited in place of the name: the input, Save and Cancel. The caller closes it once saved. */
export function InlineRename({
  label,
  name,
  onSave,
  onCancel,
}: {
  label: string
  name: string
  onSave: (name: string) => unknown
  onCancel: () => void
}) {
  const { t } = useTranslation()
  const [value, setValue] = useState(name)
  return (
    <form
      className="inline-edit"
      onSubmit={(e) => {
        e.preventDefault()
        void onSave(value)
      }}
    >
      <input aria-label={label} value={value} onChange={(e) => setValue(e.target.value)} dir="auto" />
      <Button type="submit" variant="primary">
        {t('common.save')}
      </Button>
      <Button onClick={onCancel}>{t('common.cancel')}</Button>
    </form>
  )
}
