import { useTranslation } from 'react-i18next'
import type { StepNode, TriggerDef } from '../../../shared/workflow/definition'
import type { Slot } from '../../../shared/workflow/tree'
import { Button } from '../../ui/Button'
import type { Problem, WorkflowDetail } from './api'

export type Pending =
  | { kind: 'paste'; label: string }
  | { kind: 'move'; stepId: string; blocked: Set<string> }

export type TreeProps = {
  outcomes: WorkflowDetail['outcomes']
  problems: Problem[]
  pending: Pending | null
  selected: string | null
  onAdd: (slot: Slot) => void
  onDrop: (slot: Slot) => void
  onOpen: (stepId: string) => void
  onCopy: (stepId: string) => void
  onMove: (stepId: string) => void
  onDelete: (stepId: string) => void
}

/** The name of an outcome: a Branch step's own branch names, else the shared outcome labels. */
export function useOutcomeLabel() {
  const { t } = useTranslation()
  return (node: StepNode, outcome: string) => {
    if (node.kind === 'branch') {
      const branches = (node.config.branches ?? []) as { id?: string; name?: string }[]
      const named = branches.find((b) => b.id === outcome)?.name
      if (named) return named
    }
    return t(`workflows.outcomes.${outcome}`, { defaultValue: outcome })
  }
}

/** The trigger card and the steps under it, drawn top-down; branches side by side (mirrors in RTL). */
export function StepTree({
  trigger,
  steps,
  onTrigger,
  triggerInvalid,
  ...props
}: TreeProps & { trigger: TriggerDef; steps: StepNode[]; onTrigger: () => void; triggerInvalid: boolean }) {
  const { t } = useTranslation()
  return (
    <div className="wf-tree" data-testid="workflow-tree">
      <button
        type="button"
        className={`wf-node wf-trigger${triggerInvalid ? ' wf-node-invalid' : ''}${props.selected === 'trigger' ? ' wf-node-selected' : ''}`}
        onClick={onTrigger}
      >
        <span className="wf-node-kind">{t('workflows.editor.trigger')}</span>
        <strong>{t(`workflows.triggers.${trigger.type}`)}</strong>
        {trigger.oncePerContact && <span className="muted">{t('workflows.editor.oncePerContact')}</span>}
      </button>
      <Sequence steps={steps} parent={null} start={t('workflows.editor.addStepFirst')} {...props} />
    </div>
  )
}

function Sequence({
  steps,
  parent,
  start,
  ...props
}: TreeProps & { steps: StepNode[]; parent: Slot['parent']; start: string }) {
  const { t } = useTranslation()
  return (
    <div className="wf-seq">
      <SlotButton slot={{ parent, index: 0 }} where={start} {...props} />
      {steps.map((node, i) => (
        <div key={node.id} className="wf-item">
          <StepCard node={node} {...props} />
          <Branches node={node} {...props} />
          {/* A step that always goes into a branch (a Branch step) has nothing after it: no slot. */}
          {(i < steps.length - 1 || props.outcomes[node.id]?.continue !== null) && (
            <SlotButton
              slot={{ parent, index: i + 1 }}
              label={continueLabel(node, props.outcomes)}
              where={t('workflows.editor.addStepAfter', {
                name: node.name || t(`workflows.steps.${node.kind}`),
              })}
              {...props}
            />
          )}
        </div>
      ))}
    </div>
  )
}

function continueLabel(node: StepNode, outcomes: TreeProps['outcomes']): string | null {
  const o = outcomes[node.id]
  return o && o.branches.length > 0 ? o.continue : null
}

function SlotButton({
  slot,
  label,
  where,
  ...props
}: TreeProps & { slot: Slot; label?: string | null; where: string }) {
  const { t } = useTranslation()
  const { pending } = props
  const canDrop =
    pending && (pending.kind === 'paste' || !slot.parent || !pending.blocked.has(slot.parent.stepId))
  return (
    <div className="wf-slot">
      <span className="wf-line" aria-hidden="true" />
      {label && (
        <span className="wf-outcome">{t(`workflows.outcomes.${label}`, { defaultValue: label })}</span>
      )}
      <button
        type="button"
        className="wf-add"
        aria-label={where}
        title={where}
        onClick={() => props.onAdd(slot)}
      >
        +
      </button>
      {canDrop && (
        <Button variant="ghost" className="wf-drop" onClick={() => props.onDrop(slot)}>
          {pending.kind === 'paste' ? t('workflows.editor.pasteHere') : t('workflows.editor.moveHere')}
        </Button>
      )}
      <span className="wf-line" aria-hidden="true" />
    </div>
  )
}

function StepCard({ node, ...props }: TreeProps & { node: StepNode }) {
  const { t } = useTranslation()
  const problems = props.problems.filter((p) => p.stepId === node.id)
  const title = node.name || t(`workflows.steps.${node.kind}`)
  const moving = props.pending?.kind === 'move' && props.pending.stepId === node.id
  return (
    <article
      className={`wf-node${problems.length ? ' wf-node-invalid' : ''}${props.selected === node.id ? ' wf-node-selected' : ''}${moving ? ' wf-node-moving' : ''}`}
      data-step={node.id}
      data-kind={node.kind}
      aria-label={title}
    >
      <button type="button" className="wf-node-main" onClick={() => props.onOpen(node.id)}>
        {node.name && <span className="wf-node-kind">{t(`workflows.steps.${node.kind}`)}</span>}
        <strong dir="auto">{title}</strong>
        {problems.length > 0 && (
          <span className="wf-node-problems">
            {t('workflows.editor.incomplete', { count: problems.length })}
          </span>
        )}
      </button>
      <div className="wf-node-actions">
        <Button
          variant="ghost"
          onClick={() => props.onCopy(node.id)}
          aria-label={t('workflows.editor.copyStep', { name: title })}
        >
          {t('common.copy')}
        </Button>
        <Button
          variant="ghost"
          onClick={() => props.onMove(node.id)}
          aria-label={t('workflows.editor.moveStep', { name: title })}
        >
          {t('workflows.editor.move')}
        </Button>
        <Button
          variant="ghost"
          className="text-danger"
          onClick={() => props.onDelete(node.id)}
          aria-label={t('workflows.editor.deleteStep', { name: title })}
        >
          {t('common.delete')}
        </Button>
      </div>
    </article>
  )
}

function Branches({ node, ...props }: TreeProps & { node: StepNode }) {
  const { t } = useTranslation()
  const label = useOutcomeLabel()
  const names = props.outcomes[node.id]?.branches ?? Object.keys(node.branches ?? {})
  // Steps left under an outcome the step no longer has stay visible (the server reports them).
  const orphans = Object.keys(node.branches ?? {}).filter(
    (o) => !names.includes(o) && node.branches?.[o]?.length,
  )
  const all = [...names, ...orphans]
  if (all.length === 0) return null
  return (
    <div className="wf-branches">
      {all.map((outcome) => (
        <div key={outcome} className="wf-branch" data-outcome={outcome}>
          <span
            className={`wf-branch-label${orphans.includes(outcome) ? ' wf-branch-orphan' : ''}`}
            dir="auto"
          >
            {label(node, outcome)}
          </span>
          <Sequence
            steps={node.branches?.[outcome] ?? []}
            parent={{ stepId: node.id, outcome }}
            start={t('workflows.editor.addStepInBranch', { branch: label(node, outcome) })}
            {...props}
          />
        </div>
      ))}
    </div>
  )
}
