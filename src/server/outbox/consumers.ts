import type { Ctx } from '../context'
import type { Tx } from '../db/database'
import { EVENTS_CHANNEL, type EventType } from '../events'
import { type EventRow, lockCursor, readEventsAfter, saveCursor } from './outbox.repo'

/**
 * A durable, exactly-once reader of the event log (the `events` table). Webhooks and workflows
 * react to domain events through consumers rather than in the request that caused them.
 *
 * - Exactly once: a batch is handled and the consumer's cursor advanced in ONE transaction.
 * - One reader at a time: the cursor row is locked FOR UPDATE SKIP LOCKED, so with several
 *   server processes exactly one of them handles a given batch.
 * - Nothing skipped: events are read only below the oldest transaction still running
 *   (pg_snapshot_xmin), ordered by (transaction id, event id), so an event whose transaction
 *   commits late is read late, never passed over; a rolled-back event never appears.
 * - Order: within a contact, events are emitted under that contact's row lock, so their event ids
 *   follow commit order; consumers that need per-contact order sort by event id (webhooks do).
 */
export type Consumer = {
  name: string
  types: ReadonlySet<EventType>
  /** Handles a batch inside the transaction that advances the cursor. Throwing retries the batch. */
  handle: (ctx: Ctx, tx: Tx, events: EventRow[]) => Promise<void>
  batchSize?: number
}

export function defineConsumer(c: Consumer): Consumer {
  return c
}

/** Processes one batch for a consumer. Returns how many events it handled, or null when another process holds it. */
export async function pump(ctx: Ctx, consumer: Consumer): Promise<number | null> {
  return ctx.db.transaction(async (tx) => {
    const cursor = await lockCursor(tx, consumer.name)
    if (!cursor) return null
    const { events, horizon, full } = await readEventsAfter(
      tx,
      cursor,
      [...consumer.types],
      consumer.batchSize ?? 500,
    )
    if (events.length) await consumer.handle(ctx, tx, events)
    const last = events.at(-1)
    // A full batch stops at its last event; otherwise everything below the horizon was seen.
    const next = full && last ? { txId: last.txId, eventId: last.id } : { txId: horizon, eventId: -1 }
    await saveCursor(tx, consumer.name, next)
    return events.length
  })
}

export type ConsumerRunner = { kick: () => void; stop: () => Promise<void> }

/**
 * Runs consumers in this process: woken by NOTIFY on the events channel (debounced) and by a
 * periodic tick, so a missed notification only delays, never loses, work.
 */
export async function startConsumers(
  ctx: Ctx,
  consumers: Consumer[],
  opts: { tickMs?: number } = {},
): Promise<ConsumerRunner> {
  let stopped = false
  let running: Promise<void> | null = null
  let again = false
  const runAll = async () => {
    for (const c of consumers) {
      for (let i = 0; i < 20 && !stopped; i++) {
        try {
          const n = await pump(ctx, c)
          if (!n || n < (c.batchSize ?? 500)) break
        } catch (err) {
          ctx.log.error({ err, consumer: c.name }, 'event consumer failed; will retry')
          break
        }
      }
    }
  }
  const kick = () => {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = (async () => {
      do {
        again = false
        await runAll()
      } while (again && !stopped)
    })().finally(() => {
      running = null
    })
  }
  const unlisten = consumers.length ? await ctx.database.listen(EVENTS_CHANNEL, kick) : async () => {}
  const timer = consumers.length ? setInterval(kick, opts.tickMs ?? 1000) : undefined
  kick()
  return {
    kick,
    stop: async () => {
      stopped = true
      if (timer) clearInterval(timer)
      await unlisten()
      await running
    },
  }
}
