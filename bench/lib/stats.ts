import { loadavg } from 'node:os'

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export const round = (n: number, digits = 0) => {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

/** The 1/5/15-minute load averages, for the record (the machine is shared). */
export const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')
