/**
 * Group commit: work submitted concurrently is gathered for a short linger and handled in one
 * transaction, so one commit (one WAL flush, one BEGIN/COMMIT pair, a handful of multi-row
 * statements) serves many requests. Each submitter is answered only once the transaction holding
 * its work has committed.
 *
 * - Lanes: work goes to the lane the caller names; each lane runs one batch at a time, in
 *   submission order, so work that must stay ordered (one sender's messages) shares a lane.
 *   Lanes run concurrently (each on its own connection).
 * - Linger: an idle lane waits `lingerMs` for company before starting; while a batch runs, new
 *   work queues and the next batch starts as soon as it commits, however much has gathered
 *   (up to `maxBatch`). Load makes batches bigger, not slower to start.
 * - Failure isolation: if a batch fails (a bad item, a deadlock, a constraint), nothing of it was
 *   committed; each of its items is then retried on its own, so one failing item fails only its
 *   own submitter.
 */
export type GroupCommitOptions = {
  lanes: number
  lingerMs: number
  maxBatch: number
}

export type GroupCommit<I, R> = {
  submit: (item: I, lane: number) => Promise<R>
  /** Batches run so far and the items they held (for tests and benchmarks). */
  stats: () => { batches: number; items: number; retriedSingly: number }
}

type Waiting<I, R> = { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }
type Lane<I, R> = { queue: Waiting<I, R>[]; running: boolean; timer: NodeJS.Timeout | null }

/** `run` handles a batch in ONE transaction and returns one result per item, in order. */
export function createGroupCommit<I, R>(
  options: GroupCommitOptions,
  run: (items: I[]) => Promise<R[]>,
): GroupCommit<I, R> {
  const lanes: Lane<I, R>[] = Array.from({ length: Math.max(1, options.lanes) }, () => ({
    queue: [],
    running: false,
    timer: null,
  }))
  const counters = { batches: 0, items: 0, retriedSingly: 0 }

  async function flush(lane: Lane<I, R>) {
    lane.timer = null
    if (lane.running || lane.queue.length === 0) return
    lane.running = true
    const batch = lane.queue.splice(0, options.maxBatch)
    counters.batches++
    counters.items += batch.length
    try {
      const results = await run(batch.map((w) => w.item))
      for (const [i, w] of batch.entries()) w.resolve(results[i]!)
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err)
      else {
        // Nothing of the batch committed: each item again, alone, in order.
        for (const w of batch) {
          counters.retriedSingly++
          try {
            const [r] = await run([w.item])
            w.resolve(r!)
          } catch (e) {
            w.reject(e)
          }
        }
      }
    } finally {
      lane.running = false
      // Work that queued meanwhile has waited long enough: start at once.
      if (lane.queue.length) void flush(lane)
    }
  }

  return {
    submit: (item, laneNo) =>
      new Promise<R>((resolve, reject) => {
        const lane = lanes[Math.abs(laneNo) % lanes.length]!
        lane.queue.push({ item, resolve, reject })
        if (lane.running) return
        if (lane.queue.length >= options.maxBatch) {
          if (lane.timer) clearTimeout(lane.timer)
          void flush(lane)
        } else if (!lane.timer) {
          lane.timer = setTimeout(() => void flush(lane), options.lingerMs)
        }
      }),
    stats: () => ({ ...counters }),
  }
}
