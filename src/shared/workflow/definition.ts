import { z } from 'zod'

/**
 * The workflow definition: exactly one trigger and a tree of steps (rule 62), stored as JSON and
 * versioned. Shared by the server (validation, execution) and the visual builder (editing).
 *
 * A sequence is an array of steps run top to bottom. After a step, its outcome either continues
 * with the next step of the same sequence (the step's "continue" outcome, e.g. `next` or
 * `success`) or enters one of the step's named branches (`branches[outcome]`, e.g. `failure`,
 * `invalid`, `timeout`, a Branch step's branch ids, `else`). A branch is itself a sequence; when a
 * sequence ends, the run ends. Jump To is the only way back up the tree (rule 79).
 */
export const DEFINITION_VERSION = 1

/** Rule 61. */
export const LIMITS = {
  workflowsPerWorkspace: 100,
  stepsPerWorkflow: 100,
  /** Runs started by runs (events caused by a workflow, Trigger Another Workflow): chain depth cap. */
  chainDepth: 5,
  /** A run stops (failed) after executing this many steps, whatever its jumps. */
  stepsPerRun: 1000,
  nameLength: 100,
} as const

export const TRIGGER_TYPES = [
  'conversation_opened',
  'conversation_closed',
  'contact_tag_updated',
  'contact_field_updated',
  'lifecycle_updated',
  'shortcut',
  'incoming_webhook',
  'manual',
] as const
export type TriggerType = (typeof TRIGGER_TYPES)[number]

export const STEP_KINDS = [
  'send_message',
  'ask_question',
  'assign_to',
  'branch',
  'update_tag',
  'update_field',
  'update_lifecycle',
  'open_conversation',
  'close_conversation',
  'add_comment',
  'jump_to',
  'wait',
  'date_time',
  'trigger_workflow',
  'http_request',
  'google_sheets',
  'meta_conversions',
  'tiktok_events',
] as const
export type StepKind = (typeof STEP_KINDS)[number]

export type StepNode = {
  /** Unique within the workflow and stable across versions (step logs, jump targets, pointers). */
  id: string
  kind: StepKind
  /** Shown in the builder; rule 65 "rename". */
  name: string
  /** Validated by the step kind's config schema; a draft may hold an incomplete config (rule 64). */
  config: Record<string, unknown>
  /** Outcome name → the sequence that runs after that outcome. */
  branches?: Record<string, StepNode[]>
}

export type TriggerDef = {
  type: TriggerType
  /** Validated by the trigger type's conditions schema. */
  conditions: Record<string, unknown>
  /** Rule 63; ignored (and refused) for the Manual trigger. */
  oncePerContact: boolean
}

export type WorkflowDefinition = {
  version: typeof DEFINITION_VERSION
  trigger: TriggerDef
  steps: StepNode[]
}

export const STEP_ID = /^[A-Za-z0-9_-]{1,40}$/
export const OUTCOME_NAME = /^[A-Za-z0-9_-]{1,40}$/

const stepNodeSchema: z.ZodType<StepNode> = z.lazy(() =>
  z.strictObject({
    id: z.string().regex(STEP_ID, 'A step id has 1–40 letters, digits, "-" or "_".'),
    kind: z.enum(STEP_KINDS, { error: `Unknown step kind; one of: ${STEP_KINDS.join(', ')}.` }),
    name: z.string().trim().max(LIMITS.nameLength),
    config: z.record(z.string(), z.unknown()),
    branches: z
      .record(
        z.string().regex(OUTCOME_NAME, 'An outcome name has 1–40 letters, digits, "-" or "_".'),
        z.array(stepNodeSchema),
      )
      .optional(),
  }),
)

/**
 * The shape every stored definition has (drafts included). Step configs are only checked to be
 * objects here; whether they are complete is reported separately, per step (rule 64).
 */
export const definitionSchema = z.strictObject({
  version: z.literal(DEFINITION_VERSION),
  trigger: z.strictObject({
    type: z.enum(TRIGGER_TYPES, { error: `Unknown trigger; one of: ${TRIGGER_TYPES.join(', ')}.` }),
    conditions: z.record(z.string(), z.unknown()),
    oncePerContact: z.boolean(),
  }),
  steps: z.array(stepNodeSchema),
})

/** An empty draft for a trigger type. */
export function emptyDefinition(type: TriggerType = 'conversation_opened'): WorkflowDefinition {
  return { version: DEFINITION_VERSION, trigger: { type, conditions: {}, oncePerContact: false }, steps: [] }
}

/** The file format of import/export. */
export const EXPORT_FORMAT = 'tawasul.workflow'
export type WorkflowExport = {
  format: typeof EXPORT_FORMAT
  formatVersion: 1
  name: string
  description: string
  definition: WorkflowDefinition
}
