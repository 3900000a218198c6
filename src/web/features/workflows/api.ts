// Types come from the server's zod schemas (type-only imports, erased at build time).
import { useQuery } from '@tanstack/react-query'
import type { z } from 'zod'
import type { contactListItemOut } from '../../../server/contacts/contacts.presenter'
import type {
  runOut,
  versionOut,
  workflowDetailOut,
  workflowSummaryOut,
} from '../../../server/workflows/workflows.presenter'
import type { StepKind, TriggerType } from '../../../shared/workflow/definition'
import { get } from '../../api/client'
import type { Member, Team } from '../../api/types'
import type { JsonSchema } from './jsonSchema'

export type WorkflowSummary = z.infer<typeof workflowSummaryOut>
export type WorkflowDetail = z.infer<typeof workflowDetailOut>
export type WorkflowVersion = z.infer<typeof versionOut>
export type Run = z.infer<typeof runOut>
export type StepLog = Run['steps'][number]
export type ContactItem = z.infer<typeof contactListItemOut>
export type Problem = WorkflowDetail['problems'][number]

export type DryRun = {
  status: 'completed' | 'waiting' | 'failed' | 'step_limit'
  steps: {
    stepId: string
    kind: string
    name: string
    visit: number
    at: string
    input: Record<string, unknown>
    output: Record<string, unknown>
    outcome: string | null
    waited: { for: string; until: string | null } | null
    error: string | null
  }[]
  variables: Record<string, unknown>
}

export type BuilderSchemas = {
  limits: { stepsPerWorkflow: number; workflowsPerWorkspace: number }
  triggers: { type: TriggerType; label: string; oncePerContact: boolean; conditions: JsonSchema }[]
  steps: { kind: StepKind; label: string; external: boolean; config: JsonSchema }[]
  variables: { roots: string[]; contact: string[]; assignee: string[]; system: string[] }
  operators: string[]
}

export type Template = { key: string; name: string; description: string; triggerType: string; steps: number }
export type Tag = { id: number; name: string; color: string | null }
export type Channel = { id: number; type: string; name: string; status: string }

/** Fields every contact has (the server's standard field list). */
const STANDARD_FIELDS = ['firstname', 'lastname', 'email', 'phone', 'country', 'language']

export const wfPath = (ws: number, p = '') => `/api/v1/workspaces/${ws}${p}`

export function useBuilderSchemas(ws: number) {
  return useQuery({
    queryKey: ['workflow-schema', ws],
    queryFn: () => get<BuilderSchemas>(wfPath(ws, '/workflow-schema')),
    staleTime: Number.POSITIVE_INFINITY,
  })
}

/** The workspace's things a step can point at, for pickers instead of raw ids. */
export function useReferences(ws: number) {
  const tags = useQuery({ queryKey: ['tags', ws], queryFn: () => get<Tag[]>(wfPath(ws, '/tags')) })
  const users = useQuery({
    queryKey: ['users', ws],
    queryFn: () => get<{ members: Member[] }>(wfPath(ws, '/users')),
  })
  const teams = useQuery({ queryKey: ['teams', ws], queryFn: () => get<Team[]>(wfPath(ws, '/teams')) })
  const channels = useQuery({
    queryKey: ['channels', ws],
    queryFn: () => get<Channel[]>(wfPath(ws, '/channels')),
  })
  const workflows = useQuery({
    queryKey: ['workflows', ws],
    queryFn: () => get<WorkflowSummary[]>(wfPath(ws, '/workflows')),
  })
  const stages = useQuery({
    queryKey: ['lifecycle-stages', ws],
    queryFn: () => get<{ id: number; name: string }[]>(wfPath(ws, '/lifecycle-stages')),
  })
  const categories = useQuery({
    queryKey: ['closing-categories', ws],
    queryFn: () => get<{ id: number; name: string }[]>(wfPath(ws, '/closing-categories')),
  })
  const credentials = useQuery({
    queryKey: ['workflow-credentials', ws],
    queryFn: () => get<{ id: number; name: string }[]>(wfPath(ws, '/workflow-credentials')),
  })
  const fields = useQuery({
    queryKey: ['contact-fields', ws],
    queryFn: () => get<{ key: string; name: string }[]>(wfPath(ws, '/contact-fields')),
  })
  const pick = (rows: { id: number; name: string }[] | undefined) =>
    (rows ?? []).map((r) => ({ id: r.id, name: r.name }))
  return {
    stages: pick(stages.data),
    categories: pick(categories.data),
    credentials: pick(credentials.data),
    /** Standard fields (rule 88) and the workspace's custom fields, for the field inputs' suggestions. */
    fields: [
      ...STANDARD_FIELDS.map((key) => ({ key, name: key })),
      ...(fields.data ?? []).map((f) => ({ key: f.key, name: f.name })),
    ],
    tags: tags.data ?? [],
    users: (users.data?.members ?? []).map((m) => ({ id: m.userId, name: m.name })),
    teams: (teams.data ?? []).map((t) => ({ id: t.id, name: t.name })),
    channels: (channels.data ?? []).map((c) => ({ id: c.id, name: c.name })),
    workflows: (workflows.data ?? []).map((w) => ({ id: w.id, name: w.name })),
  }
}
export type References = ReturnType<typeof useReferences>
