import { useInfiniteQuery, useQueries, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { WorkflowDefinition } from '../../../shared/workflow/definition'
import { indexSteps } from '../../../shared/workflow/tree'
import { get, post } from '../../api/client'
import { ErrorAlert } from '../../ui/Alert'
import { Button } from '../../ui/Button'
import { Badge, Loading } from '../../ui/Page'
import { type ContactItem, type Run, type WorkflowDetail, wfPath } from './api'
import { ContactPicker } from './ContactPicker'
import { Json, useFormat } from './format'

const TONE = {
  running: 'blue',
  waiting: 'amber',
  completed: 'green',
  failed: 'red',
  cancelled: 'neutral',
} as const

/** The runs of a workflow, or of one contact in it, each with its step log. */
export function RunLog({ ws, workflow }: { ws: number; workflow: WorkflowDetail }) {
  const { t } = useTranslation()
  const f = useFormat()
  const [contactId, setContactId] = useState<number | null>(null)
  const qc = useQueryClient()
  const [error, setError] = useState<unknown>(null)
  const pages = useInfiniteQuery({
    queryKey: ['workflow-runs', ws, workflow.id, contactId],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }) => {
      const before = pageParam ? `&before=${pageParam}` : ''
      return get<{ runs: Run[]; nextBefore: number | null }>(
        contactId
          ? wfPath(ws, `/contacts/${contactId}/workflow-runs?limit=20${before}`)
          : wfPath(ws, `/workflows/${workflow.id}/runs?limit=20${before}`),
      )
    },
    getNextPageParam: (last) => last.nextBefore,
    refetchInterval: 3000,
  })
  // A contact's runs span every workflow: keep this one's.
  const runs = {
    ...pages,
    data: pages.data?.pages.flatMap((p) => p.runs).filter((r) => r.workflowId === workflow.id),
  }
  const cancel = async (run: Run) => {
    if (!window.confirm(t('workflows.runs.confirmCancel'))) return
    setError(null)
    try {
      await post(wfPath(ws, `/workflow-runs/${run.id}/cancel`))
      await qc.invalidateQueries({ queryKey: ['workflow-runs', ws, workflow.id] })
    } catch (err) {
      setError(err)
    }
  }
  // The contacts' names (one request per distinct contact on the page, cached).
  const ids = [...new Set(runs.data?.map((r) => r.contactId) ?? [])]
  const contacts = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['contact', ws, id],
      queryFn: () => get<ContactItem>(wfPath(ws, `/contacts/${id}`)),
      staleTime: 60_000,
    })),
  })
  const names = new Map(contacts.flatMap((c) => (c.data ? [[c.data.id, c.data.displayName] as const] : [])))
  const steps = indexSteps(workflow.definition as WorkflowDefinition)
  const stepName = (id: string, kind: string) =>
    steps.get(id)?.node.name || t(`workflows.steps.${kind}`, { defaultValue: kind })
  return (
    <div className="run-log">
      <ContactPicker
        ws={ws}
        value={contactId}
        label={t('workflows.runs.contact')}
        onChange={(id) => setContactId(id)}
      />
      <ErrorAlert error={error ?? runs.error} />
      {runs.isLoading && <Loading />}
      {runs.data?.length === 0 && <p className="muted">{t('workflows.runs.empty')}</p>}
      <ul className="runs">
        {runs.data?.map((run) => (
          <li key={run.id} className="run" data-run={run.id}>
            <details>
              <summary>
                <Badge tone={TONE[run.status]}>{t(`workflows.runs.status.${run.status}`)}</Badge>{' '}
                <span dir="auto">
                  {names.get(run.contactId) ?? t('workflows.runs.contactN', { id: run.contactId })}
                </span>{' '}
                <span className="muted">
                  {f.dateTime(run.startedAt)} · {t('workflows.runs.stepsCount', { count: run.steps.length })}
                </span>
                {run.error && <span className="text-danger"> · {run.error}</span>}
              </summary>
              {(run.status === 'waiting' || run.status === 'running') && (
                <p>
                  {run.waiting && (
                    <span className="muted">
                      {t('workflows.runs.waitingFor', {
                        for: t(`workflows.runs.waits.${run.waiting.for}`),
                        until: run.waiting.until ? f.dateTime(run.waiting.until) : '—',
                      })}{' '}
                    </span>
                  )}
                  <Button variant="ghost" className="text-danger" onClick={() => cancel(run)}>
                    {t('workflows.runs.cancel')}
                  </Button>
                </p>
              )}
              <table className="table step-log">
                <thead>
                  <tr>
                    <th>{t('workflows.runs.step')}</th>
                    <th>{t('workflows.runs.stepStatus')}</th>
                    <th>{t('workflows.runs.branch')}</th>
                    <th>{t('workflows.runs.duration')}</th>
                    <th>{t('workflows.runs.details')}</th>
                  </tr>
                </thead>
                <tbody>
                  {run.steps.map((s) => (
                    <tr key={s.id} data-step={s.stepId}>
                      <td dir="auto">{stepName(s.stepId, s.kind)}</td>
                      <td>{t(`workflows.runs.stepStatuses.${s.status}`)}</td>
                      <td>
                        {s.branch ? t(`workflows.outcomes.${s.branch}`, { defaultValue: s.branch }) : ''}
                      </td>
                      <td>{f.duration(s.durationMs)}</td>
                      <td>
                        {s.error && <p className="text-danger">{s.error}</p>}
                        <details>
                          <summary>{t('workflows.runs.inputOutput')}</summary>
                          <h4>{t('workflows.runs.input')}</h4>
                          <Json value={s.input} />
                          <h4>{t('workflows.runs.output')}</h4>
                          <Json value={s.output} />
                          <p className="muted">
                            {f.dateTime(s.startedAt)} → {f.dateTime(s.finishedAt)}
                          </p>
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {Object.keys(run.variables).length > 0 && (
                <details>
                  <summary>{t('workflows.runs.variables')}</summary>
                  <Json value={run.variables} />
                </details>
              )}
            </details>
          </li>
        ))}
      </ul>
      {pages.hasNextPage && (
        <Button onClick={() => pages.fetchNextPage()} busy={pages.isFetchingNextPage}>
          {t('workflows.runs.more')}
        </Button>
      )}
    </div>
  )
}
