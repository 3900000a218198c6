import type { StepNode, TriggerDef, WorkflowDefinition } from '../../shared/workflow/definition'
import type { TestClient } from './client'
import { waitFor } from './custom-channel'
import type { TestServer } from './harness'

/** A definition from a trigger and steps (tests). */
export function definition(
  trigger: Partial<TriggerDef> & Pick<TriggerDef, 'type'>,
  steps: StepNode[],
): WorkflowDefinition {
  return {
    version: 1,
    trigger: { conditions: {}, oncePerContact: false, ...trigger },
    steps,
  }
}

let n = 0
/** A step node; `branches` by outcome. */
export function node(
  kind: StepNode['kind'],
  config: Record<string, unknown>,
  o: { id?: string; name?: string; branches?: Record<string, StepNode[]> } = {},
): StepNode {
  return {
    id: o.id ?? `t${++n}`,
    kind,
    name: o.name ?? kind,
    config,
    ...(o.branches ? { branches: o.branches } : {}),
  }
}

/** Creates and publishes a workflow through the API; fails loudly with the problems if incomplete. */
export async function publishWorkflow(
  client: TestClient,
  workspaceId: number,
  def: WorkflowDefinition,
  name = `Workflow ${++n}`,
): Promise<number> {
  const created = await client.post(`/api/v1/workspaces/${workspaceId}/workflows`, { name, definition: def })
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`)
  const published = await client.post(
    `/api/v1/workspaces/${workspaceId}/workflows/${created.body.id}/publish`,
  )
  if (published.status !== 200) throw new Error(`publish failed: ${published.status} ${published.text}`)
  return created.body.id as number
}

export async function allowPrivateNetwork(client: TestClient, workspaceId: number) {
  const r = await client.patch(`/api/v1/workspaces/${workspaceId}/workflow-settings`, {
    allowPrivateNetwork: true,
  })
  if (r.status !== 200) throw new Error(`settings failed: ${r.status} ${r.text}`)
}

export type RunView = {
  id: number
  status: string
  contactId: number
  currentStepId: string | null
  variables: Record<string, unknown>
  error: string | null
  waiting: { for: string; until: string | null; messageId: number | null } | null
  steps: {
    stepId: string
    kind: string
    status: string
    branch: string | null
    visit: number
    attempt: number
    output: Record<string, unknown> | null
    error: string | null
  }[]
}

/** The runs of a workflow (newest first). */
export async function runsOf(
  client: TestClient,
  workspaceId: number,
  workflowId: number,
): Promise<RunView[]> {
  const r = await client.get(`/api/v1/workspaces/${workspaceId}/workflows/${workflowId}/runs?limit=50`)
  if (r.status !== 200) throw new Error(`runs failed: ${r.status} ${r.text}`)
  return r.body.runs as RunView[]
}

/** Waits until the workflow has a run for the contact in one of `statuses`. */
export async function waitForRun(
  client: TestClient,
  workspaceId: number,
  workflowId: number,
  contactId: number,
  statuses: string[],
  timeoutMs = 15_000,
): Promise<RunView> {
  return waitFor(
    async () =>
      (await runsOf(client, workspaceId, workflowId)).find(
        (r) => r.contactId === contactId && statuses.includes(r.status),
      ),
    timeoutMs,
    `a ${statuses.join('/')} run of workflow ${workflowId} for contact ${contactId}`,
  )
}

/** Makes the run queue and the event consumers look now (tests do not wait for polls). */
export function kick(server: TestServer) {
  server.consumers.kick()
}

/** Starts a Shortcut workflow on a contact through the API (the quickest way to run steps in tests). */
export async function startOn(
  client: TestClient,
  workspaceId: number,
  workflowId: number,
  contactId: number,
  values: Record<string, unknown> = {},
) {
  const r = await client.post(
    `/api/v1/workspaces/${workspaceId}/contacts/${contactId}/shortcuts/${workflowId}`,
    { values },
  )
  if (r.status !== 201) throw new Error(`start failed: ${r.status} ${r.text}`)
  return r.body.id as number
}

/** Waits for a run to end (completed, failed or cancelled) and returns it. */
export function finished(client: TestClient, workspaceId: number, runId: number, timeoutMs = 15_000) {
  return runIn(client, workspaceId, runId, ['completed', 'failed', 'cancelled'], 'end', timeoutMs)
}

/** Waits for a run to be waiting and returns it. */
export function waiting(client: TestClient, workspaceId: number, runId: number, timeoutMs = 15_000) {
  return runIn(client, workspaceId, runId, ['waiting'], 'wait', timeoutMs)
}

function runIn(
  client: TestClient,
  workspaceId: number,
  runId: number,
  statuses: string[],
  what: string,
  timeoutMs: number,
): Promise<RunView> {
  return waitFor(
    async () => {
      const r = await client.get(`/api/v1/workspaces/${workspaceId}/workflow-runs/${runId}`)
      return statuses.includes(r.body.status) ? (r.body as RunView) : undefined
    },
    timeoutMs,
    `run ${runId} to ${what}`,
  )
}

/** A shortcut trigger (started by a user from the inbox). */
export const SHORTCUT = { type: 'shortcut' as const, conditions: { form: [] } }
