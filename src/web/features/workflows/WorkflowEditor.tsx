import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useOutletContext, useParams } from 'react-router'
import type { StepKind, TriggerDef, WorkflowDefinition } from '../../../shared/workflow/definition'
import {
  addStep,
  type Clipboard,
  configureStep,
  copyStep,
  countSteps,
  deleteStep,
  indexSteps,
  moveStep,
  pasteStep,
  renameStep,
  type Slot,
  subtreeIds,
  walkSteps,
} from '../../../shared/workflow/tree'
import { ApiError, get, post, put } from '../../api/client'
import type { WorkspaceView } from '../../api/types'
import { Alert, ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Badge, Loading } from '../../ui/Page'
import { RequireCapability } from '../settings/SettingsLayout'
import { useBuilderSchemas, useReferences, type WorkflowDetail, wfPath } from './api'
import { defaultValue, variableChoices } from './jsonSchema'
import { RenameDialog } from './RenameDialog'
import { RunLog } from './RunLog'
import type { FormContext } from './SchemaForm'
import { StepDrawer, TriggerDrawer } from './StepDrawer'
import { StepPicker } from './StepPicker'
import { type Pending, StepTree } from './StepTree'
import { TestRunDialog } from './TestRunDialog'
import { VersionsDialog } from './VersionsDialog'
import './workflows.css'
import { StatusBadge } from './WorkflowsPage'

export function WorkflowEditorPage() {
  return (
    <RequireCapability capability="workflows.manage">
      <WorkflowEditor />
    </RequireCapability>
  )
}

function WorkflowEditor() {
  const { t } = useTranslation()
  const view = useOutletContext<WorkspaceView>()
  const ws = view.workspace.id
  const workflowId = Number(useParams().workflowId)
  const qc = useQueryClient()
  const key = ['workflow', ws, workflowId]
  const detail = useQuery({
    queryKey: key,
    queryFn: () => get<WorkflowDetail>(wfPath(ws, `/workflows/${workflowId}`)),
  })
  const schemas = useBuilderSchemas(ws)
  const refs = useReferences(ws)
  const [tab, setTab] = useState<'editor' | 'runs'>('editor')
  const [picker, setPicker] = useState<Slot | null>(null)
  const [open, setOpen] = useState<string | null>(null)
  const [clipboard, setClipboard] = useState<Clipboard | null>(null)
  const [moving, setMoving] = useState<string | null>(null)
  const [saving, setSaving] = useState(0)
  const [error, setError] = useState<unknown>(null)
  // Kept as a key and values so it follows a language switch.
  const [notice, setNotice] = useState<{ version: number } | null>(null)
  const [dialog, setDialog] = useState<'test' | 'versions' | 'rename' | null>(null)
  const chain = useRef<Promise<unknown>>(Promise.resolve())
  const latest = useRef(0)

  const def = detail.data?.definition as WorkflowDefinition | undefined
  const stepsForJump = useMemo(() => {
    const out: { id: string; label: string }[] = []
    if (def)
      walkSteps(def.steps, (n) => out.push({ id: n.id, label: n.name || t(`workflows.steps.${n.kind}`) }))
    return out
  }, [def, t])

  if (detail.isLoading || schemas.isLoading) return <Loading />
  if (!detail.data || !def || !schemas.data) return <ErrorAlert error={detail.error ?? schemas.error} />
  const wf = detail.data
  const sch = schemas.data

  /** Applies a rule-65 operation locally and saves the whole draft (one PUT, in order). */
  const apply = (next: WorkflowDefinition) => {
    setError(null)
    setNotice(null)
    qc.setQueryData<WorkflowDetail>(key, (old) => (old ? { ...old, definition: next } : old))
    const seq = ++latest.current
    setSaving((n) => n + 1)
    chain.current = chain.current
      .then(() => put<WorkflowDetail>(wfPath(ws, `/workflows/${workflowId}/draft`), { definition: next }))
      .then(
        (saved) => {
          if (seq === latest.current) qc.setQueryData(key, saved)
        },
        (err) => {
          setError(err)
          void qc.invalidateQueries({ queryKey: key })
        },
      )
      .finally(() => setSaving((n) => n - 1))
  }
  const guard = (fn: () => void) => {
    try {
      fn()
    } catch (err) {
      setError(err)
    }
  }

  const ctx: FormContext = {
    refs,
    steps: stepsForJump,
    variables: variableChoices(sch.variables),
    problems: new Map(),
  }
  const problemsFor = (stepId: string | null, prefix: string) => {
    const m = new Map<string, string[]>()
    for (const p of wf.problems) {
      if (p.stepId !== stepId || !p.path.startsWith(prefix)) continue
      m.set(p.path, [...(m.get(p.path) ?? []), p.message])
    }
    return m
  }
  const index = indexSteps(def)
  const openNode = open && open !== 'trigger' ? index.get(open)?.node : undefined
  const pending: Pending | null = clipboard
    ? { kind: 'paste', label: clipboard.node.name }
    : moving && index.get(moving)
      ? { kind: 'move', stepId: moving, blocked: subtreeIds(index.get(moving)!.node) }
      : null

  const full = countSteps(def.steps) >= sch.limits.stepsPerWorkflow
  const openPicker = (slot: Slot) => {
    // Rule 61: the server refuses a 101st step; say so before the user picks one.
    if (full)
      setError(
        new ApiError(400, 'limit', t('workflows.editor.limitReached', { max: sch.limits.stepsPerWorkflow })),
      )
    else setPicker(slot)
  }
  const addAt = (slot: Slot, kind: StepKind) => {
    const schema = sch.steps.find((s) => s.kind === kind)?.config ?? {}
    const res = addStep(def, slot, {
      kind,
      name: '',
      config: defaultValue(schema) as Record<string, unknown>,
    })
    apply(res.definition)
    setPicker(null)
    setOpen(res.stepId)
  }
  const drop = (slot: Slot) =>
    guard(() => {
      if (clipboard) {
        apply(pasteStep(def, workflowId, clipboard, slot).definition)
        setClipboard(null)
      } else if (moving) {
        apply(moveStep(def, moving, slot))
        setMoving(null)
      }
    })
  const act = async (path: string, confirm?: string) => {
    if (confirm && !window.confirm(confirm)) return
    setError(null)
    setNotice(null)
    try {
      await chain.current
      qc.setQueryData(key, await post<WorkflowDetail>(wfPath(ws, `/workflows/${workflowId}${path}`)))
      void qc.invalidateQueries({ queryKey: ['workflows', ws] })
    } catch (err) {
      setError(err)
    }
  }
  const publish = async () => {
    setError(null)
    setNotice(null)
    try {
      await chain.current
      const res = await post<WorkflowDetail>(wfPath(ws, `/workflows/${workflowId}/publish`))
      qc.setQueryData(key, res)
      void qc.invalidateQueries({ queryKey: ['workflow-versions', ws, workflowId] })
      void qc.invalidateQueries({ queryKey: ['workflows', ws] })
      setNotice({ version: res.lastVersion })
    } catch (err) {
      setError(err)
      void qc.invalidateQueries({ queryKey: key })
    }
  }
  const triggerProblems = wf.problems.filter((p) => p.stepId === null)

  return (
    <section className="page wf-editor">
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to={`/w/${ws}/workflows`}>{t('nav.workflows')}</Link>
          </p>
          <h1 dir="auto">{wf.name}</h1>
          <p className="wf-meta">
            <StatusBadge status={wf.status} />
            {wf.draftChanged && wf.status !== 'draft' && (
              <Badge tone="amber">{t('workflows.status.unpublishedChanges')}</Badge>
            )}
            <span className="muted">
              {t('workflows.editor.stepCount', {
                count: countSteps(def.steps),
                max: sch.limits.stepsPerWorkflow,
              })}
            </span>
            <span className="muted" role="status" aria-live="polite">
              {saving > 0 ? t('workflows.editor.saving') : t('workflows.editor.savedDraft')}
            </span>
          </p>
        </div>
        <div className="page-actions">
          <Button onClick={() => setDialog('rename')}>{t('workflows.editor.rename')}</Button>
          {wf.draftChanged && wf.liveVersion !== null && (
            <Button onClick={() => act('/discard-draft', t('workflows.editor.confirmDiscard'))}>
              {t('workflows.editor.discard')}
            </Button>
          )}
          {wf.status === 'published' && (
            <Button onClick={() => act('/stop', t('workflows.editor.confirmStop'))}>
              {t('workflows.editor.stop')}
            </Button>
          )}
          <Button onClick={() => setDialog('versions')}>{t('workflows.editor.versions')}</Button>
          <Button onClick={() => setDialog('test')}>{t('workflows.editor.testRun')}</Button>
          <Button variant="primary" onClick={publish} disabled={saving > 0}>
            {t('workflows.editor.publish')}
          </Button>
        </div>
      </header>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'editor'} onClick={() => setTab('editor')}>
          {t('workflows.editor.tabEditor')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'runs'} onClick={() => setTab('runs')}>
          {t('workflows.editor.tabRuns')}
        </button>
      </div>
      <ErrorAlert error={error} />
      {notice && <Alert kind="success">{t('workflows.editor.published', { version: notice.version })}</Alert>}
      {tab === 'runs' ? (
        <RunLog ws={ws} workflow={wf} />
      ) : (
        <div className={`wf-canvas${openNode || open === 'trigger' ? ' wf-canvas-with-drawer' : ''}`}>
          <div className="wf-scroll">
            {wf.problems.length > 0 && (
              <details className="wf-problems" open>
                <summary>{t('workflows.editor.problems', { count: wf.problems.length })}</summary>
                <ul>
                  {wf.problems.map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id
                    <li key={i}>
                      <button
                        type="button"
                        className="link-btn"
                        onClick={() => setOpen(p.stepId ?? 'trigger')}
                      >
                        {p.stepId
                          ? index.get(p.stepId)?.node.name ||
                            t(`workflows.steps.${index.get(p.stepId)?.node.kind ?? 'send_message'}`)
                          : t('workflows.editor.trigger')}
                      </button>
                      : <bdi>{p.message}</bdi>
                    </li>
                  ))}
                </ul>
              </details>
            )}
            {pending && (
              <Alert kind="info">
                {pending.kind === 'paste' ? t('workflows.editor.pasting') : t('workflows.editor.moving')}{' '}
                <Button
                  variant="ghost"
                  onClick={() => {
                    setClipboard(null)
                    setMoving(null)
                  }}
                >
                  {t('common.cancel')}
                </Button>
              </Alert>
            )}
            <StepTree
              trigger={def.trigger}
              steps={def.steps}
              triggerInvalid={triggerProblems.length > 0}
              onTrigger={() => setOpen('trigger')}
              outcomes={wf.outcomes}
              problems={wf.problems}
              pending={pending}
              selected={open}
              onAdd={openPicker}
              onDrop={drop}
              onOpen={(id) => setOpen(id)}
              onCopy={(id) =>
                guard(() => {
                  setMoving(null)
                  setClipboard(copyStep(def, workflowId, id))
                })
              }
              onMove={(id) => {
                setClipboard(null)
                setMoving(id)
              }}
              onDelete={(id) => {
                const node = index.get(id)?.node
                const n = node ? subtreeIds(node).size : 1
                if (window.confirm(t('workflows.editor.confirmDelete', { count: n }))) {
                  guard(() => apply(deleteStep(def, id)))
                  if (open && node && subtreeIds(node).has(open)) setOpen(null)
                }
              }}
            />
          </div>
          {open === 'trigger' && (
            <TriggerDrawer
              key="trigger"
              trigger={def.trigger}
              schemas={sch.triggers}
              webhook={wf.webhook}
              onRotate={() => act('/webhook/rotate', t('workflows.editor.confirmRotate'))}
              ctx={{ ...ctx, problems: problemsFor(null, 'trigger') }}
              onClose={() => setOpen(null)}
              onApply={(trigger: TriggerDef) => {
                apply({ ...def, trigger })
                setOpen(null)
              }}
            />
          )}
          {openNode && (
            <StepDrawer
              key={openNode.id}
              node={openNode}
              schema={sch.steps.find((s) => s.kind === openNode.kind)?.config ?? {}}
              ctx={{
                ...ctx,
                steps: stepsForJump.filter((s) => s.id !== openNode.id),
                problems: problemsFor(openNode.id, 'config'),
              }}
              onClose={() => setOpen(null)}
              onApply={(name, config) => {
                guard(() => apply(configureStep(renameStep(def, openNode.id, name), openNode.id, config)))
                setOpen(null)
              }}
            />
          )}
        </div>
      )}
      {picker && (
        <StepPicker
          available={sch.steps.map((s) => s.kind)}
          onPick={(kind) => addAt(picker, kind)}
          onClose={() => setPicker(null)}
        />
      )}
      {dialog === 'test' && <TestRunDialog ws={ws} workflow={wf} onClose={() => setDialog(null)} />}
      {dialog === 'versions' && <VersionsDialog ws={ws} workflow={wf} onClose={() => setDialog(null)} />}
      {dialog === 'rename' && (
        <RenameDialog
          ws={ws}
          workflow={wf}
          onClose={() => setDialog(null)}
          onDone={(saved) => {
            qc.setQueryData(key, saved)
            void qc.invalidateQueries({ queryKey: ['workflows', ws] })
          }}
        />
      )}
    </section>
  )
}
