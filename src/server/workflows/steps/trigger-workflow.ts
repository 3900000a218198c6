import { z } from 'zod'
import { startRun } from '../start'
import { defineStep } from '../step'
import { findVersion, findWorkflow } from '../workflows.repo'

/**
 * Rule 82: starts another workflow (whose trigger is Manual) for this contact. The contact also
 * continues in this workflow (our choice: respond.io does not say). The new run is one level
 * deeper in the chain; chains stop at LIMITS.chainDepth.
 */
export const triggerWorkflow = defineStep({
  kind: 'trigger_workflow',
  label: 'Trigger Another Workflow',
  configSchema: z.strictObject({ workflowId: z.number().int().positive({ error: 'Choose a workflow.' }) }),
  outcomes: () => ({ continue: 'next', branches: [] }),
  references: (c) => [{ kind: 'workflow', id: c.workflowId, path: 'config.workflowId' }],
  async run(s) {
    const target = await findWorkflow(s.tx!, s.workspaceId, s.config.workflowId)
    if (target?.status !== 'published' || !target.liveVersionId)
      return { next: 'next', output: { started: false, reason: 'The workflow is not published.' } }
    const version = (await findVersion(s.tx!, s.workspaceId, target.liveVersionId))!
    if (version.definition.trigger.type !== 'manual')
      return {
        next: 'next',
        output: { started: false, reason: 'The workflow does not have a Manual trigger.' },
      }
    const r = await startRun(s.ctx, s.tx!, {
      workspaceId: s.workspaceId,
      workflowId: target.id,
      versionId: version.id,
      definition: version.definition,
      contactId: s.run.contactId,
      data: { workflowId: s.run.workflowId, runId: s.run.id, stepId: s.step.id },
      startedBy: { kind: 'workflow', id: s.run.workflowId },
      depth: s.run.depth + 1,
      parentRunId: s.mode === 'live' ? s.run.id : null,
    })
    return {
      next: 'next',
      output: r.started
        ? { started: true, runId: r.run.id, workflowId: target.id }
        : { started: false, reason: r.reason },
    }
  },
})
