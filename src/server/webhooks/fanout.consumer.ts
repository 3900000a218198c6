import { defineConsumer } from '../outbox/consumers'
import { WEBHOOK_EVENT_TYPES } from './catalog'
import { insertDeliveries, insertPayloads, lockLines, promoteLines } from './deliveries.repo'
import { eventData, loadSnapshot } from './payload'
import { notifyWorkers, subscribedEndpoints } from './webhooks.repo'

/**
 * Turns committed domain events into deliveries: one payload per event (the presented resources,
 * read now) and one delivery per subscribed, enabled endpoint — in the transaction that advances
 * the consumer's cursor, so each event fans out exactly once even with several processes.
 * Per endpoint, a contact's deliveries form a line: only its earliest unfinished one is due.
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
    const wanted = events.flatMap((e) => {
      const endpointIds = endpoints
        .filter((ep) => ep.workspaceId === e.workspaceId && ep.events.includes(e.type))
        .map((ep) => ep.id)
      return endpointIds.length ? [{ e, endpointIds }] : []
    })
    if (!wanted.length) return
    const snapshot = await loadSnapshot(
      tx,
      wanted.map((w) => w.e),
      now,
    )
    const plan = wanted.map((w) => ({ ...w, data: eventData(snapshot, w.e) }))
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
    const rows = plan.flatMap(({ e, endpointIds }) =>
      endpointIds.map((endpointId) => ({
        workspaceId: e.workspaceId,
        endpointId,
        payloadId: payloadOf.get(e.id)!,
        event: e.type,
        eventId: e.id,
        contactId: e.contactId,
        // A contact's deliveries join its line per endpoint; the earliest is promoted below.
        status: e.contactId === null ? ('pending' as const) : ('waiting' as const),
        nextAttemptAt: now,
      })),
    )
    const lines = rows.flatMap((r) =>
      r.contactId === null
        ? []
        : [{ workspaceId: r.workspaceId, endpointId: r.endpointId, contactId: r.contactId }],
    )
    await lockLines(tx, lines)
    await insertDeliveries(tx, rows)
    await promoteLines(tx, lines, now)
    await notifyWorkers(tx)
  },
})
