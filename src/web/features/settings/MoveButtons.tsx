import { useTranslation } from 'react-i18next'
import { Button } from '../../ui/Button'
import { moved } from './helpers'

/** ↑ and ↓ for one item of an ordered list; `onMove` gets the whole list's ids in the new order. */
export function MoveButtons({
  ids,
  id,
  name,
  onMove,
}: {
  ids: number[]
  id: number
  name: string
  onMove: (order: number[]) => unknown
}) {
  const { t } = useTranslation()
  const i = ids.indexOf(id)
  return (
    <>
      <Button
        variant="ghost"
        disabled={i === 0}
        aria-label={t('common.moveUp', { name })}
        onClick={() => onMove(moved(ids, id, -1))}
      >
        ↑
      </Button>
      <Button
        variant="ghost"
        disabled={i === ids.length - 1}
        aria-label={t('common.moveDown', { name })}
        onClick={() => onMove(moved(ids, id, 1))}
      >
        ↓
      </Button>
    </>
  )
}
