import type { TriggerType, WorkflowDefinition } from '../../shared/workflow/definition'
import { findContact } from '../contacts/contacts.repo'
import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import type { RunResume } from '../db/schema'
import type { EventType } from '../events'
import { defineConsumer } from '../outbox/consumers'
import type { EventRow } from '../outbox/outbox.repo'
import {
  latestRunOf,
  type RunRow,
  runsWaitingForMessage,
  runsWaitingForReplies,
  updateRun,
} from './runs.repo'
import { startRun } from './start'
import { TRIGGERS, triggerFor } from './triggers'
import { enqueueRun } from './wake'
import { liveWorkflowsByTrigger } from './workflows.repo'

const EVENT_TRIGGERS = TRIGGERS.filter((t) => t.events.length > 0)
const TRIGGER_EVENTS = new Set<EventType>(EVENT_TRIGGERS.flatMap((t) => [...t.events]))

type Live = {
  workflowId: number
  versionId: number
  definition: WorkflowDefinition
  conditions: unknown
  type: TriggerType
}

/**
 * The workflows' reader of the event log (exactly once: runs are created and resumed in the
 * transaction that advances the cursor).
 *
 * - Triggers (rule 68): each event is matched against the live workflows of its workspace whose
 *   trigger listens to it; all conditions must hold (rule 62). An event caused by a workflow never
 *   starts that same workflow, and a run started by another run's events is one level deeper
 *   (chains stop at LIMITS.chainDepth).
 * - Replies: a contact's inbound message resumes the runs waiting for its answer (Ask a Question),
 *   only if it arrived after the question was sent.
 * - Message statuses: a message's first final status resumes the Send a Message step waiting for it.
 */
export const workflowsConsumer = defineConsumer({
  name: 'workflows',
  types: new Set<EventType>([...TRIGGER_EVENTS, 'message.received', 'message.status_updated']),
  batchSize: 500,
  async handle(ctx, tx, events) {
    const live = new Map<number, Promise<Live[]>>()
    const liveOf = (ws: number) => {
      let p = live.get(ws)
      if (!p) {
        p = loadLive(tx, ws)
        live.set(ws, p)
      }
      return p
    }
    const replies = await waitingForReplies(tx, events)
    for (const e of events) {
      if (e.type === 'message.received') await resumeOnReply(ctx, tx, e, replies)
      else if (e.type === 'message.status_updated') await resumeOnStatus(ctx, tx, e)
      else await fire(ctx, tx, e, await liveOf(e.workspaceId))
    }
  },
})

async function loadLive(tx: Tx, workspaceId: number): Promise<Live[]> {
  const rows = await liveWorkflowsByTrigger(
    tx,
    workspaceId,
    EVENT_TRIGGERS.map((t) => t.type),
  )
  const out: Live[] = []
  for (const { workflow, version } of rows) {
    const t = triggerFor(version.definition.trigger.type)
    const parsed = t?.conditionsSchema.safeParse(version.definition.trigger.conditions)
    if (!t || !parsed?.success) continue
    out.push({
      workflowId: workflow.id,
      versionId: version.id,
      definition: version.definition,
      conditions: parsed.data,
      type: t.type,
    })
  }
  return out
}

async function fire(ctx: Ctx, tx: Tx, e: EventRow, live: Live[]): Promise<void> {
  if (!e.contactId) return
  const contactId = e.contactId
  let contact: ReturnType<typeof findContact> | undefined
  const loadContact = () => {
    contact ??= findContact(tx, e.workspaceId, contactId)
    return contact
  }
  for (const w of live) {
    const t = triggerFor(w.type)!
    if (!t.events.includes(e.type as EventType) || !t.match) continue
    let depth = 0
    let parentRunId: number | null = null
    if (e.actorKind === 'workflow' && e.actorId !== null) {
      // A workflow never triggers itself.
      if (e.actorId === w.workflowId) continue
      const parent = await latestRunOf(tx, e.workspaceId, e.actorId, contactId)
      depth = (parent?.depth ?? 0) + 1
      parentRunId = parent?.id ?? null
    }
    const data = await t.match(e, w.conditions as never, { tx, contact: loadContact })
    if (!data) continue
    const r = await startRun(ctx, tx, {
      workspaceId: e.workspaceId,
      workflowId: w.workflowId,
      versionId: w.versionId,
      definition: w.definition,
      contactId,
      data,
      startedBy: { kind: 'event', id: e.id },
      depth,
      parentRunId,
    })
    if (!r.started && r.reason === 'chain_too_deep')
      ctx.log.warn(
        { workflowId: w.workflowId, contactId, event: e.id },
        'workflow chain too deep; run not started',
      )
  }
}

type Payload = { contactId: number; messageId: number }

/** The runs waiting for a reply from the batch's senders, by workspace and contact (one query). */
async function waitingForReplies(tx: Tx, events: EventRow[]): Promise<Map<string, RunRow[]>> {
  const senders = new Map<string, { workspaceId: number; contactId: number }>()
  for (const e of events) {
    if (e.type !== 'message.received') continue
    const { contactId } = e.payload as Payload
    senders.set(`${e.workspaceId}:${contactId}`, { workspaceId: e.workspaceId, contactId })
  }
  const byContact = new Map<string, RunRow[]>()
  for (const run of await runsWaitingForReplies(tx, [...senders.values()])) {
    const key = `${run.workspaceId}:${run.contactId}`
    byContact.set(key, [...(byContact.get(key) ?? []), run])
  }
  return byContact
}

/**
 * Resumes the contact's runs that asked before this message arrived (waitMessageId < messageId).
 * A resumed run leaves the list, so a second message in the same batch does not resume it again.
 */
async function resumeOnReply(ctx: Ctx, tx: Tx, e: EventRow, waiting: Map<string, RunRow[]>): Promise<void> {
  const p = e.payload as Payload
  const key = `${e.workspaceId}:${p.contactId}`
  const runs = waiting.get(key) ?? []
  const due = runs.filter((r) => r.waitMessageId !== null && r.waitMessageId < p.messageId)
  if (due.length === 0) return
  waiting.set(
    key,
    runs.filter((r) => !due.includes(r)),
  )
  await resume(ctx, tx, e.workspaceId, due, { kind: 'reply', messageId: p.messageId })
}

async function resumeOnStatus(ctx: Ctx, tx: Tx, e: EventRow): Promise<void> {
  const p = e.payload as { messageId: number; status: string }
  if (p.status === 'pending') return
  const runs = await runsWaitingForMessage(tx, e.workspaceId, p.messageId)
  await resume(ctx, tx, e.workspaceId, runs, { kind: 'message_status', status: p.status })
}

/** Hands waiting runs back to the executor; the step's wait state and log row stay for its resume. */
async function resume(ctx: Ctx, tx: Tx, workspaceId: number, runs: RunRow[], resume: RunResume) {
  for (const run of runs) {
    await updateRun(tx, workspaceId, run.id, {
      status: 'running',
      resume,
      seq: run.seq + 1,
      waitKind: null,
      waitUntil: null,
      waitMessageId: null,
    })
    await enqueueRun(ctx, tx, { workspaceId, runId: run.id })
  }
}
