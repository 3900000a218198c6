import { defineConsumer } from '../outbox/consumers'
import type { EventRow } from '../outbox/outbox.repo'
import { WEBHOOK_EVENT_TYPES } from './catalog'
import { insertDeliveries, insertPayloads } from './deliveries.repo'
import { eventData, snapshotLoader } from './payload'
import { notifyWorkers, subscribedEndpoints } from './webhooks.repo'

/**
 * Turns committed domain events into deliveries: one payload per event (the presented resources,
 * read now) and one delivery per subscribed, enabled endpoint — in the transaction that advances
 * the consumer's cursor, so each event fans out exactly once even with several processes.
 */
export const webhookFanout = defineConsumer({
  name: 'webhooks.fanout',
  types: WEBHOOK_EVENT_TYPES,
  batchSize: 200,
  handle: async (ctx, tx, events) => {
    const workspaceIds = [...new Set(events.map((e) => e.workspaceId))]
    const types = [...new Set(events.map((e) => e.type))]
    const endpoints = await subscribedEndpoints(tx, workspaceIds, types)
    if (!endpoints.length) return
    const now = ctx.clock.now()
    const load = snapshotLoader(tx, now)
    const plan: { e: EventRow; endpointIds: number[]; data: Record<string, unknown> }[] = []
    for (const e of events) {
      const endpointIds = endpoints
        .filter((ep) => ep.workspaceId === e.workspaceId && ep.events.includes(e.type))
        .map((ep) => ep.id)
      if (endpointIds.length) plan.push({ e, endpointIds, data: await eventData(load, e) })
    }
    if (!plan.length) return
    const payloads = await insertPayloads(
      tx,
      plan.map(({ e, data }) => ({
        workspaceId: e.workspaceId,
        eventId: e.id,
        event: e.type,
        data,
        createdAt: e.createdAt,
      })),
    )
    const payloadOf = new Map(payloads.map((p) => [p.eventId, p.id]))
    await insertDeliveries(
      tx,
      plan.flatMap(({ e, endpointIds }) =>
        endpointIds.map((endpointId) => ({
          workspaceId: e.workspaceId,
          endpointId,
          payloadId: payloadOf.get(e.id)!,
          event: e.type,
          eventId: e.id,
          contactId: e.contactId,
          nextAttemptAt: now,
        })),
      ),
    )
    await notifyWorkers(tx)
  },
})
