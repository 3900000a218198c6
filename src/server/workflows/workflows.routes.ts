import { z } from 'zod'
import { definitionSchema, EXPORT_FORMAT, LIMITS } from '../../shared/workflow/definition'
import type { App } from '../app'
import type { Ctx } from '../context'
import { principalFor } from '../http/auth'
import { errors, idSchema, okBody, workspaceParams } from '../http/schemas'
import { testRun } from './runs.service'
import {
  presentDetail,
  presentSummary,
  presentVersion,
  versionDetailOut,
  versionOut,
  workflowDetailOut,
  workflowSummaryOut,
} from './workflows.presenter'
import {
  builderSchemas,
  createWorkflow,
  discardDraft,
  editWorkflow,
  exportWorkflow,
  getWorkflow,
  importWorkflow,
  listAllWorkflows,
  listTemplates,
  publishWorkflow,
  removeWorkflow,
  rotateWebhookSecret,
  saveDraft,
  stopWorkflow,
  versionOf,
  versionsOf,
} from './workflows.service'

const params = z.strictObject({ workspaceId: idSchema, workflowId: idSchema })
const name = z.string().trim().min(1, 'The name is required.').max(LIMITS.nameLength)
const description = z.string().trim().max(1000)
/** Any JSON object: the shape is checked by the service so errors name the exact path. */
const definitionIn = z.record(z.string(), z.unknown())

const dryChoice = z.strictObject({
  answer: z.string().max(4096).optional(),
  outcome: z.string().max(40).optional(),
  response: z
    .strictObject({ status: z.number().int().min(100).max(599), body: z.unknown().optional() })
    .optional(),
})

const dryRunOut = z.object({
  status: z.enum(['completed', 'waiting', 'failed', 'step_limit']),
  steps: z.array(
    z.object({
      stepId: z.string(),
      kind: z.string(),
      name: z.string(),
      visit: z.number(),
      at: z.string(),
      input: z.record(z.string(), z.unknown()),
      output: z.record(z.string(), z.unknown()),
      outcome: z.string().nullable(),
      waited: z.object({ for: z.string(), until: z.string().nullable() }).nullable(),
      error: z.string().nullable(),
    }),
  ),
  variables: z.record(z.string(), z.unknown()),
})

const exportOut = z.object({
  format: z.literal(EXPORT_FORMAT),
  formatVersion: z.literal(1),
  name: z.string(),
  description: z.string(),
  definition: definitionSchema,
})

export function workflowRoutes(app: App, ctx: Ctx) {
  const base = '/api/v1/workspaces/:workspaceId/workflows'
  const one = `${base}/:workflowId`
  app.get(
    base,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Workflows of the workspace (Owners and Managers, rule 60)',
        params: workspaceParams,
        response: { 200: z.array(workflowSummaryOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await listAllWorkflows(ctx, p)).map((r) => presentSummary(r.workflow, r.activeRuns))
    },
  )

  app.post(
    base,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Create a workflow (a draft), empty, from a definition, or from a template',
        description: `At most ${LIMITS.workflowsPerWorkspace} workflows per workspace and ${LIMITS.stepsPerWorkflow} steps per workflow (rule 61).`,
        params: workspaceParams,
        body: z.strictObject({
          name,
          description: description.optional(),
          definition: definitionIn.optional(),
          templateKey: z.string().max(50).optional(),
        }),
        response: { 201: workflowDetailOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const w = await createWorkflow(ctx, p, request.body)
      return reply.status(201).send(presentDetail(ctx, await getWorkflow(ctx, p, w.id)))
    },
  )

  app.get(
    `/api/v1/workspaces/:workspaceId/workflow-templates`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Ready-made workflows (create one with POST /workflows {templateKey})',
        description: 'Names and descriptions are translated in the web app under workflows.templates.<key>.',
        params: workspaceParams,
        response: {
          200: z.array(
            z.object({
              key: z.string(),
              name: z.string(),
              description: z.string(),
              triggerType: z.string(),
              steps: z.number(),
            }),
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return listTemplates(p)
    },
  )

  app.get(
    `/api/v1/workspaces/:workspaceId/workflow-schema`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'JSON Schemas of the definition, every trigger’s conditions and every step’s configuration',
        description:
          'For the visual builder: draw forms and validate while editing. Generated from the zod schemas the server validates with.',
        params: workspaceParams,
        response: { 200: z.record(z.string(), z.unknown()), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return builderSchemas(p)
    },
  )

  app.post(
    `/api/v1/workspaces/:workspaceId/workflows/import`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Import an exported workflow as a new draft',
        description:
          'References to tags, users, teams, channels… that this workspace lacks are reported as problems.',
        params: workspaceParams,
        body: z.strictObject({
          format: z.literal(EXPORT_FORMAT),
          formatVersion: z.literal(1),
          name,
          description: description.default(''),
          definition: definitionIn,
          rename: name.optional(),
        }),
        response: { 201: workflowDetailOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const { rename, ...file } = request.body
      const w = await importWorkflow(ctx, p, file as never, rename)
      return reply.status(201).send(presentDetail(ctx, await getWorkflow(ctx, p, w.id)))
    },
  )

  app.get(
    one,
    {
      schema: {
        tags: ['Workflows'],
        summary:
          'A workflow: its draft definition, what is incomplete (rule 64), outcomes per step, webhook URL',
        params,
        response: { 200: workflowDetailOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentDetail(ctx, await getWorkflow(ctx, p, request.params.workflowId))
    },
  )

  app.patch(
    one,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Rename or describe a workflow',
        params,
        body: z.strictObject({ name: name.optional(), description: description.optional() }),
        response: { 200: workflowDetailOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentDetail(ctx, await editWorkflow(ctx, p, request.params.workflowId, request.body))
    },
  )

  app.put(
    `${one}/draft`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Save the whole draft definition',
        description:
          'The builder applies rule 65’s operations (add, rename, copy/paste, move, delete) to the JSON and saves it here. Malformed JSON, duplicate step ids or more than 100 steps are refused (400); incomplete steps are saved and listed in `problems`.',
        params,
        body: z.strictObject({ definition: definitionIn }),
        response: { 200: workflowDetailOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentDetail(ctx, await saveDraft(ctx, p, request.params.workflowId, request.body.definition))
    },
  )

  app.post(
    `${one}/publish`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Publish the draft as a new version (422 with every problem when incomplete)',
        params,
        response: { 200: workflowDetailOut, ...errors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentDetail(ctx, await publishWorkflow(ctx, p, request.params.workflowId))
    },
  )

  app.post(
    `${one}/stop`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Stop triggering (contacts already in it finish); publish again to restart',
        params,
        response: { 200: workflowDetailOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentDetail(ctx, await stopWorkflow(ctx, p, request.params.workflowId))
    },
  )

  app.post(
    `${one}/discard-draft`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Throw away unpublished changes (the draft becomes the live version)',
        params,
        response: { 200: workflowDetailOut, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return presentDetail(ctx, await discardDraft(ctx, p, request.params.workflowId))
    },
  )

  app.delete(
    one,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Delete a workflow (its active runs are cancelled)',
        params,
        response: { 200: okBody, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await removeWorkflow(ctx, p, request.params.workflowId)
      return { ok: true as const }
    },
  )

  app.get(
    `${one}/versions`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Published versions, newest first',
        params,
        response: { 200: z.array(versionOut), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return (await versionsOf(ctx, p, request.params.workflowId)).map(presentVersion)
    },
  )

  app.get(
    `${one}/versions/:version`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'One published version (immutable)',
        params: params.extend({ version: z.coerce.number().int().min(1) }),
        response: { 200: versionDetailOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const v = await versionOf(ctx, p, request.params.workflowId, request.params.version)
      return { ...presentVersion(v), definition: v.definition }
    },
  )

  app.get(
    `${one}/export`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Export the draft as JSON (import it with POST /workflows/import)',
        params,
        response: { 200: exportOut, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      const file = await exportWorkflow(ctx, p, request.params.workflowId)
      const fileName = `${file.name.replace(/[^\p{L}\p{N}_ -]+/gu, '').trim() || 'workflow'}.json`
      reply.header(
        'content-disposition',
        `attachment; filename="workflow.json"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      )
      return file
    },
  )

  app.post(
    `${one}/webhook/rotate`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'New secret for the Incoming Webhook URL (the old one stops working)',
        params,
        response: { 200: workflowDetailOut, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      await rotateWebhookSecret(ctx, p, request.params.workflowId)
      return presentDetail(ctx, await getWorkflow(ctx, p, request.params.workflowId))
    },
  )

  app.post(
    `${one}/test-run`,
    {
      schema: {
        tags: ['Workflows'],
        summary: 'Simulate the workflow on a contact without side effects',
        description:
          'Runs the draft (or the live version) against the contact inside a transaction that is always rolled back: each step reports what it would do. HTTP and other outside calls are not made; `choices[stepId]` sets what to assume (an answer to a question, an outcome such as "failure" or "timeout", an HTTP response). Waits advance a simulated clock.',
        params,
        body: z.strictObject({
          contactId: idSchema,
          version: z.enum(['draft', 'live']).default('draft'),
          trigger: z.record(z.string(), z.unknown()).optional(),
          choices: z.record(z.string(), dryChoice).optional(),
        }),
        response: { 200: dryRunOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = await principalFor(ctx, request, request.params.workspaceId)
      return testRun(ctx, p, request.params.workflowId, request.body)
    },
  )
}
