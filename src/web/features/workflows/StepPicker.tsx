import { useTranslation } from 'react-i18next'
import type { StepKind } from '../../../shared/workflow/definition'
import { Dialog } from '../../ui/Dialog'

/** The step picker's groups (spec §I); every kind the server offers appears in exactly one. */
export const STEP_GROUPS: { key: string; kinds: StepKind[] }[] = [
  { key: 'messaging', kinds: ['send_message', 'ask_question'] },
  { key: 'conversation', kinds: ['assign_to', 'open_conversation', 'close_conversation', 'add_comment'] },
  { key: 'contact', kinds: ['update_tag', 'update_field', 'update_lifecycle'] },
  { key: 'logic', kinds: ['branch', 'jump_to', 'wait', 'date_time', 'trigger_workflow'] },
  { key: 'integrations', kinds: ['http_request', 'google_sheets', 'meta_conversions', 'tiktok_events'] },
]

export function StepPicker({
  available,
  onPick,
  onClose,
}: {
  available: StepKind[]
  onPick: (kind: StepKind) => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  const offered = new Set(available)
  return (
    <Dialog open wide title={t('workflows.editor.addStep')} onClose={onClose}>
      <div className="step-picker">
        {STEP_GROUPS.map((g) => {
          const kinds = g.kinds.filter((k) => offered.has(k))
          if (!kinds.length) return null
          return (
            <section key={g.key} aria-labelledby={`group-${g.key}`}>
              <h3 id={`group-${g.key}`}>{t(`workflows.groups.${g.key}`)}</h3>
              <ul>
                {kinds.map((k) => (
                  <li key={k}>
                    <button type="button" className="step-choice" onClick={() => onPick(k)}>
                      {t(`workflows.steps.${k}`)}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )
        })}
      </div>
    </Dialog>
  )
}
