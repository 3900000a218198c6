import { AppError } from '../../errors'

/**
 * Fixed-window counters in this process's memory. With several server processes each counts on
 * its own, so the effective limit is per process — enough to stop a runaway or abusive client;
 * a shared store would be needed for exact global limits.
 */
export function createLimiter(now: () => number = Date.now) {
  const windows = new Map<string, { count: number; resetAt: number }>()
  let lastSweep = now()
  return {
    /** Counts one hit; throws 429 with Retry-After once `max` hits happened within the window. */
    take(key: string, max: number, windowMs: number): void {
      const t = now()
      if (t - lastSweep > 60_000) {
        for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k)
        lastSweep = t
      }
      let w = windows.get(key)
      if (!w || w.resetAt <= t) {
        w = { count: 0, resetAt: t + windowMs }
        windows.set(key, w)
      }
      w.count++
      if (w.count > max) {
        const seconds = Math.max(1, Math.ceil((w.resetAt - t) / 1000))
        throw new AppError(429, 'rate_limited', `Too many requests. Try again in ${seconds} s.`, undefined, {
          'retry-after': String(seconds),
        })
      }
    },
  }
}
export type Limiter = ReturnType<typeof createLimiter>
