import { sql } from 'drizzle-orm'
import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core'
import type { WorkflowDefinition } from '../../../shared/workflow/definition'
import { createdAt, ref, tenantId, ts, updatedAt, workspaceId } from './columns'
import { contacts } from './contacts'
import { workspaces } from './tenancy'

export type WorkflowStatus = 'draft' | 'published' | 'stopped'

/**
 * A workflow (rules 60–67): the editable draft lives on this row; publishing copies it into an
 * immutable version and points `live_version_id` at it. Runs keep the version they started on.
 */
export const workflows = pgTable(
  'workflows',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').$type<WorkflowStatus>().notNull().default('draft'),
    draft: jsonb('draft').$type<WorkflowDefinition>().notNull(),
    /** The draft differs from the live version (editing a published workflow). */
    draftChanged: boolean('draft_changed').notNull().default(true),
    liveVersionId: ref('live_version_id'),
    /** The live version's trigger type: the trigger consumer's index. Null when nothing is live. */
    liveTriggerType: text('live_trigger_type'),
    lastVersion: integer('last_version').notNull().default(0),
    /** Incoming Webhook trigger: the secret in the workflow's URL, encrypted at rest (shown to managers). */
    webhookSecret: text('webhook_secret').notNull(),
    templateKey: text('template_key'),
    createdByUserId: ref('created_by_user_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('workflows_live_trigger')
      .on(t.workspaceId, t.liveTriggerType)
      .where(sql`live_version_id IS NOT NULL AND status = 'published'`),
  ],
)

/** Published versions: immutable copies of a definition. */
export const workflowVersions = pgTable(
  'workflow_versions',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    workflowId: ref('workflow_id').notNull(),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<WorkflowDefinition>().notNull(),
    publishedByUserId: ref('published_by_user_id'),
    publishedAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    uniqueIndex().on(t.workspaceId, t.workflowId, t.version),
    foreignKey({
      columns: [t.workspaceId, t.workflowId],
      foreignColumns: [workflows.workspaceId, workflows.id],
    }).onDelete('cascade'),
  ],
)

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'cancelled'
export type WaitKind = 'timer' | 'reply' | 'message_status' | 'assignment'

/** What a paused run needs when it resumes (a reply, a message's final status, a timer). */
export type RunResume =
  | { kind: 'timer' }
  | { kind: 'reply'; messageId: number }
  | { kind: 'message_status'; status: string }

/** An external call in flight: who holds it and until when (another process takes over after). */
export type RunInflight = {
  stepId: string
  visit: number
  attempt: number
  leaseUntil: string
  logId: number
  /** The holder's database instance id; a lease of a process that died is taken over at once. */
  owner?: string
}

/**
 * One contact's pass through one workflow version. The row is the run's state machine: it is
 * locked FOR UPDATE while a step executes, and `seq` moves on every change so stale timer jobs
 * are recognised and ignored.
 */
export const workflowRuns = pgTable(
  'workflow_runs',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    workflowId: ref('workflow_id').notNull(),
    versionId: ref('version_id').notNull(),
    contactId: ref('contact_id').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    triggerType: text('trigger_type').notNull(),
    /** Who started it: 'event' (a trigger), 'user' (shortcut), 'webhook', 'workflow' (another run). */
    startedByKind: text('started_by_kind').notNull(),
    startedById: ref('started_by_id'),
    parentRunId: ref('parent_run_id'),
    /** Chain depth: runs started by another run's events or its Trigger Another Workflow step. */
    depth: integer('depth').notNull().default(0),
    currentStepId: text('current_step_id'),
    seq: integer('seq').notNull().default(0),
    /** Rule 66: workflow variables ($trigger.*, answers, HTTP mappings), erased when the run ends. */
    vars: jsonb('vars').$type<Record<string, unknown>>().notNull().default({}),
    /** How many times each step was entered (the visit number in idempotency keys). */
    visits: jsonb('visits').$type<Record<string, number>>().notNull().default({}),
    /** Rule 79: jumps taken per Jump To step; reset when the contact exits (a new run starts at zero). */
    jumps: jsonb('jumps').$type<Record<string, number>>().notNull().default({}),
    stepsExecuted: integer('steps_executed').notNull().default(0),
    waitKind: text('wait_kind').$type<WaitKind>(),
    waitUntil: ts('wait_until'),
    waitMessageId: ref('wait_message_id'),
    waitState: jsonb('wait_state').$type<Record<string, unknown>>(),
    waitLogId: ref('wait_log_id'),
    resume: jsonb('resume').$type<RunResume>(),
    inflight: jsonb('inflight').$type<RunInflight>(),
    error: text('error'),
    startedAt: createdAt(),
    updatedAt: updatedAt(),
    endedAt: ts('ended_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Rule 67: one active run of a workflow per contact.
    uniqueIndex('workflow_runs_one_active')
      .on(t.workspaceId, t.workflowId, t.contactId)
      .where(sql`ended_at IS NULL`),
    index('workflow_runs_of_workflow').on(t.workspaceId, t.workflowId, t.id.desc()),
    index('workflow_runs_of_contact').on(t.workspaceId, t.contactId, t.id.desc()),
    index('workflow_runs_waiting_reply')
      .on(t.workspaceId, t.contactId)
      .where(sql`status = 'waiting' AND wait_kind = 'reply'`),
    index('workflow_runs_waiting_message')
      .on(t.workspaceId, t.waitMessageId)
      .where(sql`status = 'waiting' AND wait_kind = 'message_status'`),
    index('workflow_runs_running').on(t.updatedAt).where(sql`status = 'running'`),
    // Overdue timers (a timer job lost with its process) are found by the sweep and at boot.
    index('workflow_runs_timers').on(t.waitUntil).where(sql`status = 'waiting' AND wait_until IS NOT NULL`),
    foreignKey({
      columns: [t.workspaceId, t.workflowId],
      foreignColumns: [workflows.workspaceId, workflows.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
  ],
)

export type StepLogStatus = 'running' | 'waiting' | 'done' | 'skipped' | 'error'

/** The step log: one row per (run, step, visit), with what went in and came out. */
export const workflowRunSteps = pgTable(
  'workflow_run_steps',
  {
    workspaceId: workspaceId(),
    id: tenantId(),
    runId: ref('run_id').notNull(),
    stepId: text('step_id').notNull(),
    kind: text('kind').notNull(),
    visit: integer('visit').notNull(),
    attempt: integer('attempt').notNull().default(1),
    status: text('status').$type<StepLogStatus>().notNull(),
    input: jsonb('input').$type<Record<string, unknown>>(),
    output: jsonb('output').$type<Record<string, unknown>>(),
    branch: text('branch'),
    error: text('error'),
    startedAt: ts('started_at').notNull(),
    finishedAt: ts('finished_at'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.runId, t.id),
    foreignKey({
      columns: [t.workspaceId, t.runId],
      foreignColumns: [workflowRuns.workspaceId, workflowRuns.id],
    }).onDelete('cascade'),
  ],
)

/** Rule 63: every contact ever enrolled in a workflow, whatever the "once per contact" toggle said. */
export const workflowEnrollments = pgTable(
  'workflow_enrollments',
  {
    workspaceId: workspaceId(),
    workflowId: ref('workflow_id').notNull(),
    contactId: ref('contact_id').notNull(),
    firstRunId: ref('first_run_id'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.workflowId, t.contactId] }),
    foreignKey({
      columns: [t.workspaceId, t.workflowId],
      foreignColumns: [workflows.workspaceId, workflows.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.contactId],
      foreignColumns: [contacts.workspaceId, contacts.id],
    }).onDelete('cascade'),
  ],
)

/** Persistent state of one step across runs, e.g. the Assign To round-robin pointer (rule 25). */
export const workflowStepState = pgTable(
  'workflow_step_state',
  {
    workspaceId: workspaceId(),
    workflowId: ref('workflow_id').notNull(),
    stepId: text('step_id').notNull(),
    state: jsonb('state').$type<Record<string, unknown>>().notNull().default({}),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.workflowId, t.stepId] }),
    foreignKey({
      columns: [t.workspaceId, t.workflowId],
      foreignColumns: [workflows.workspaceId, workflows.id],
    }).onDelete('cascade'),
  ],
)

export type CredentialKind = 'google_service_account' | 'meta_conversions' | 'tiktok_events'

/**
 * Credentials of workflow integrations (Google Sheets, Meta Conversions API, TikTok Events API).
 * `secret` is encrypted at rest; `details` holds what may be shown (client email, dataset id…).
 */
export const workflowCredentials = pgTable(
  'workflow_credentials',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: tenantId(),
    kind: text('kind').$type<CredentialKind>().notNull(),
    name: text('name').notNull(),
    details: jsonb('details').$type<Record<string, string>>().notNull().default({}),
    secret: text('secret').notNull(),
    createdByUserId: ref('created_by_user_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] }), uniqueIndex().on(t.workspaceId, t.name)],
)

/** Workspace settings of the Workflows module. */
export const workflowSettings = pgTable('workflow_settings', {
  workspaceId: workspaceId()
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  /** HTTP steps may call loopback and private (RFC 1918) addresses; link-local/metadata never. */
  allowPrivateNetwork: boolean('allow_private_network').notNull().default(false),
  updatedAt: updatedAt(),
})
