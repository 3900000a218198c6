import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createGroupCommit } from './group-commit'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('group commit: concurrent work shares a batch; each submitter gets its own result', async () => {
  const batches: number[][] = []
  const gc = createGroupCommit<number, number>({ lanes: 1, lingerMs: 5, maxBatch: 64 }, async (items) => {
    batches.push(items)
    return items.map((x) => x * 10)
  })
  const results = await Promise.all([1, 2, 3, 4].map((x) => gc.submit(x, 0)))
  assert.deepEqual(results, [10, 20, 30, 40])
  assert.deepEqual(batches, [[1, 2, 3, 4]])
  assert.deepEqual(gc.stats(), { batches: 1, items: 4, retriedSingly: 0 })
})

test('group commit: a submitter is answered only after its batch finished (the commit)', async () => {
  let finish: () => void = () => {}
  const gc = createGroupCommit<number, string>({ lanes: 1, lingerMs: 1, maxBatch: 8 }, async (items) => {
    await new Promise<void>((r) => (finish = r))
    return items.map(String)
  })
  let answered = false
  const p = gc.submit(1, 0).then((r) => {
    answered = true
    return r
  })
  await tick(20)
  assert.equal(answered, false, 'answered before the batch committed')
  finish()
  assert.equal(await p, '1')
})

test('group commit: one lane runs one batch at a time, in order; work queued meanwhile forms the next batch', async () => {
  const order: number[] = []
  let running = 0
  let maxRunning = 0
  const gc = createGroupCommit<number, number>({ lanes: 1, lingerMs: 1, maxBatch: 3 }, async (items) => {
    running++
    maxRunning = Math.max(maxRunning, running)
    await tick(5)
    order.push(...items)
    running--
    return items
  })
  const all = Array.from({ length: 10 }, (_, i) => gc.submit(i, 7))
  await Promise.all(all)
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.equal(maxRunning, 1)
  assert.ok(gc.stats().batches >= 4, 'maxBatch caps a batch')
})

test('group commit: lanes run side by side', async () => {
  let running = 0
  let maxRunning = 0
  const gc = createGroupCommit<number, number>({ lanes: 2, lingerMs: 1, maxBatch: 8 }, async (items) => {
    running++
    maxRunning = Math.max(maxRunning, running)
    await tick(20)
    running--
    return items
  })
  await Promise.all([gc.submit(1, 0), gc.submit(2, 1)])
  assert.equal(maxRunning, 2)
})

test('group commit: a failing item fails only its own submitter (the batch is retried item by item)', async () => {
  const committed: number[] = []
  const gc = createGroupCommit<number, number>({ lanes: 1, lingerMs: 5, maxBatch: 64 }, async (items) => {
    // All or nothing, like a transaction.
    if (items.includes(13)) throw new Error('unlucky')
    committed.push(...items)
    return items
  })
  const settled = await Promise.allSettled([1, 13, 2].map((x) => gc.submit(x, 0)))
  assert.deepEqual(
    settled.map((s) => s.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  )
  assert.equal((settled[1] as PromiseRejectedResult).reason.message, 'unlucky')
  assert.deepEqual(committed, [1, 2], 'each good item committed exactly once')
  assert.equal(gc.stats().retriedSingly, 3)
})
